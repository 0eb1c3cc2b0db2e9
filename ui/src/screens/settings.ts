// Language, locking, the PIN, a backup, an export, about Regie, and erasing the wallet.
import { api } from '../api';
import { announce, h, show } from '../dom';
import { Lang, lang, setLang, t } from '../i18n';
import { frame, start } from '../main';
import { alertBox, busy, button, errorBox, field, pinActionForm, pinInput } from './common';
import { MINUTE_CHOICES, autoLockMinutes, setAutoLockMinutes } from '../autolock';
import { backupSection } from './backup';
import { aboutScreen } from './about';

export function settingsScreen(): void {
  const tx = t();
  const choice = (value: Lang, label: string) =>
    h('div', { class: 'regie-choice' },
      h('input', {
        type: 'radio', name: 'taal', id: `taal-${value}`, value, checked: lang() === value,
        onchange: () => { setLang(value); frame('settings'); settingsScreen(); },
      }),
      h('label', { for: `taal-${value}`, lang: value }, label));
  const message = h('div');
  show(
    h('h1', {}, tx.settingsTitle),
    h('fieldset', { class: 'regie-fieldset' }, h('legend', {}, tx.language), choice('nl', 'Nederlands'), choice('en', 'English')),
    autoLockField(),
    button(tx.lockNow, async () => { await api.lock(); void start(); }, 'secondary', 'vergrendelen'),
    changePinForm(),
    backupSection(),
    exportSection(),
    h('h2', {}, tx.aboutTitle),
    button(tx.aboutOpen, () => void aboutScreen(() => { frame('settings'); settingsScreen(); }), 'secondary', 'over-regie'),
    h('h2', {}, tx.resetTitle),
    h('p', {}, tx.resetText),
    message,
    button(tx.resetConfirm, async () => {
      try {
        await api.reset();
        announce(tx.resetDone);
        void start();
      } catch (e) {
        message.append(errorBox(e));
      }
    }, 'secondary', 'wissen'),
  );
}

/** Everything in the wallet as a file for the citizen, after the PIN. */
function exportSection(): HTMLElement {
  const tx = t();
  return pinActionForm({
    id: 'exporteren',
    title: tx.exportTitle,
    text: tx.exportText,
    button: tx.exportButton,
    action: async (pin) => {
      const done = await api.exportData(pin);
      return [h('p', { class: 'regie-verdict regie-verdict--ok', role: 'status', id: 'geexporteerd' },
        tx.exported(done.credentials, done.events), ' ', h('span', { class: 'regie-mono', id: 'export-bestand' }, done.path))];
    },
  });
}

/** After how many minutes without use the wallet locks itself. */
function autoLockField(): HTMLElement {
  const tx = t();
  const select = h('select', {
    id: 'auto-vergrendelen',
    class: 'regie-select',
    onchange: () => { setAutoLockMinutes(Number(select.value)); announce(tx.autoLockSaved); },
  }, ...MINUTE_CHOICES.map((m) => h('option', { value: String(m), selected: m === autoLockMinutes() }, tx.minutes(m)))) as HTMLSelectElement;
  return field('auto-vergrendelen', tx.autoLockLabel, select, tx.autoLockHint);
}

function changePinForm(): HTMLElement {
  const tx = t();
  const oldPin = pinInput('oud');
  const newPin = pinInput('nieuw');
  const repeat = pinInput('herhaal');
  const message = h('div');
  const submit = h('button', { type: 'submit', class: 'regie-button regie-button--secondary' }, tx.changePin) as HTMLButtonElement;
  return h('form', {
    'aria-labelledby': 'kop-pincode',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      message.replaceChildren();
      if (newPin.value !== repeat.value) return void message.append(alertBox(tx.pinsDiffer));
      try {
        await busy(submit, () => api.changePin(oldPin.value, newPin.value));
        message.append(h('p', { class: 'regie-verdict regie-verdict--ok', role: 'status', id: 'pin-veranderd' }, tx.pinChanged));
      } catch (err) {
        message.append(errorBox(err));
      }
      oldPin.value = newPin.value = repeat.value = '';
    },
  },
  h('h2', { id: 'kop-pincode' }, tx.changePinTitle),
  field('pin-oud', tx.oldPin, oldPin),
  field('pin-nieuw2', tx.newPin, newPin, tx.choosePinHint),
  field('pin-herhaal2', tx.repeatPin, repeat),
  message,
  submit);
}
