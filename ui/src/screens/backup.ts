// Backup and restore: a backup file with a recovery code that is shown once (settings), and
// restoring it on a new device (from the first screen).
import { api, RestoreView } from '../api';
import { announce, h, show } from '../dom';
import { t } from '../i18n';
import { frame } from '../main';
import { homeScreen } from './credentials';
import { alertBox, busy, errorBox, field, pinActionForm, pinInput } from './common';

/** The settings' section: make a backup after the PIN, then show its code once. */
export function backupSection(): HTMLElement {
  const tx = t();
  return pinActionForm({
    id: 'backup-maken',
    title: tx.backupTitle,
    text: tx.backupText,
    button: tx.backupMake,
    action: async (pin) => {
      const made = await api.makeBackup(pin);
      announce(tx.recoveryCodeOnce);
      return [
        h('div', { class: 'regie-verdict regie-verdict--ok', role: 'status', id: 'backup-gemaakt' },
          h('p', {}, tx.backupMade(made.credentials)),
          h('p', {}, tx.backupFile, ' ', h('span', { class: 'regie-mono', id: 'backup-bestand' }, made.path))),
        h('h3', {}, tx.recoveryCode),
        h('p', { class: 'regie-code', id: 'herstelcode' }, made.code),
        h('p', {}, tx.recoveryCodeOnce),
      ];
    },
  });
}

/** Restoring a backup into this (new) device: the file, its recovery code and a new PIN. */
export function restoreScreen(back: () => void): void {
  const tx = t();
  // The system's file button speaks the desktop's language, not the app's: a button of our
  // own opens the hidden chooser (as the photo of a QR code does) and says what was chosen.
  const chosen = h('p', { id: 'backup-gekozen', 'aria-live': 'polite' }, tx.restoreNoFileYet);
  const file = h('input', {
    type: 'file', accept: '.regie,application/json', id: 'backup-bestand-kiezen',
    class: 'regie-visually-hidden', tabindex: '-1', 'aria-hidden': 'true',
    onchange: () => { chosen.textContent = file.files?.[0]?.name ?? tx.restoreNoFileYet; },
  }) as HTMLInputElement;
  const fileField = h('div', { class: 'regie-field', role: 'group', 'aria-labelledby': 'backup-bestand-kop' },
    h('p', { id: 'backup-bestand-kop', class: 'regie-field-label' }, tx.restoreFile),
    h('p', { class: 'regie-hint' }, tx.restoreFileHint),
    h('button', { type: 'button', class: 'regie-button regie-button--secondary', id: 'backup-kiezen', onclick: () => file.click() }, tx.restoreChoose),
    chosen,
    file);
  const code = h('input', {
    type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false',
    required: true, class: 'regie-mono',
  }) as HTMLInputElement;
  const first = pinInput('pin');
  const second = pinInput('pin2');
  const message = h('div');
  const submit = h('button', { type: 'submit', class: 'regie-button regie-button--primary', id: 'herstel-starten' }, tx.restoreButton) as HTMLButtonElement;
  const form = h('form', {
    onsubmit: async (e: Event) => {
      e.preventDefault();
      message.replaceChildren();
      const chosen = file.files?.[0];
      if (!chosen) return void message.append(alertBox(tx.restoreNoFile));
      if (!/^[0-9]{6}$/.test(first.value)) return void message.append(alertBox(tx.pinFormat));
      if (first.value !== second.value) return void message.append(alertBox(tx.pinsDiffer));
      try {
        const text = await chosen.text();
        const report = await busy(submit, () => api.restoreBackup(text, code.value, first.value));
        frame('data');
        restoredScreen(report);
      } catch (err) {
        message.append(errorBox(err));
        first.value = second.value = '';
      }
    },
  },
  fileField,
  field('herstelcode-invoer', tx.recoveryCode, code, tx.recoveryCodeHint),
  field('pin-nieuw', tx.choosePin, first, tx.choosePinHint),
  field('pin-herhaal', tx.repeatPin, second),
  message,
  submit,
  h('button', { type: 'button', class: 'regie-button regie-button--secondary', onclick: back }, tx.back));
  show(h('h1', {}, tx.restoreTitle), h('p', {}, tx.restoreText), form);
}

/** What came back, and what the citizen collects again. */
function restoredScreen(report: RestoreView): void {
  const tx = t();
  show(
    h('h1', {}, tx.restoredTitle),
    h('p', { role: 'status', id: 'hersteld' }, tx.restoredText(report.restored.length, report.history_events)),
    report.restored.length ? h('ul', {}, ...report.restored.map((name) => h('li', {}, name))) : null,
    report.not_restored.length
      ? h('div', { class: 'regie-error', id: 'niet-hersteld' },
        h('p', {}, tx.notRestoredText),
        h('ul', {}, ...report.not_restored.map((n) => h('li', {}, n))))
      : null,
    h('button', { type: 'button', class: 'regie-button regie-button--primary', onclick: () => void homeScreen() }, tx.toMyData),
  );
}
