// The citizen's data: the list of credentials, one credential in full, and adding data
// from a municipality's offer link.
import { api, CredentialCard, isAppError, Scanned } from '../api';
import { showingRequest } from '../autolock';
import { cameraSupport, scanWithCamera } from '../camera';
import { h, show, announce } from '../dom';
import { t } from '../i18n';
import { requestScreen } from './request';
import { busy, button, errorBox, field } from './common';

function statusClass(c: CredentialCard): string {
  return c.status === 'valid' ? 'regie-card' : 'regie-card regie-card--outdated';
}

/** Opens the screen of the offer or request a QR code held. */
function openScanned(scanned: Scanned): void {
  if (scanned.kind === 'offer') addScreen(scanned.uri);
  else requestScreen(scanned.uri, true);
}

export async function homeScreen(): Promise<void> {
  showingRequest(null);
  const tx = t();
  const list = h('ul', { class: 'regie-cards', id: 'gegevens' });
  const message = h('div');
  // The camera reads a QR code too; a stopped scan leaves this screen as it was. Whatever
  // becomes of the camera, reading the code from a picture stays beside it.
  const camera = button(tx.scanCamera, async () => {
    message.replaceChildren();
    try {
      const scanned = await scanWithCamera();
      if (scanned) openScanned(scanned);
      else camera.focus();
    } catch (err) {
      if (isAppError(err) && err.code === 'camera_declined') {
        message.append(h('p', { class: 'regie-note', role: 'status', id: 'camera-niet' }, tx.cameraDeclined));
        actions.querySelector<HTMLElement>('#scannen')?.focus();
      } else {
        message.append(errorBox(err));
      }
    }
  }, 'secondary', 'camera');
  // A picture of a QR code: the offer or request it holds opens its screen.
  const picture = h('input', {
    type: 'file', accept: 'image/png,image/jpeg', id: 'qr-foto', class: 'regie-visually-hidden',
    tabindex: '-1', 'aria-hidden': 'true',
    onchange: async () => {
      const file = (picture as HTMLInputElement).files?.[0];
      if (!file) return;
      message.replaceChildren();
      try {
        openScanned(await api.scanImage(new Uint8Array(await file.arrayBuffer())));
      } catch (err) {
        message.append(errorBox(err));
      }
    },
  });
  const actions = h('div', { class: 'regie-actions' },
    button(tx.add, () => addScreen(), 'primary', 'toevoegen'),
    button(tx.answer, () => requestScreen(), 'secondary', 'beantwoorden'),
    button(tx.scan, () => (picture as HTMLInputElement).click(), 'secondary', 'scannen'));
  show(h('h1', {}, tx.myData), actions, picture, message, list);
  // Windows and macOS have no camera scan here (camera.rs): their screen stays as it was.
  void cameraSupport().then((c) => { if (c.kind !== 'none') actions.querySelector('#scannen')?.before(camera); });
  try {
    const cards = await api.credentials();
    if (cards.length === 0) list.replaceWith(h('p', { id: 'gegevens' }, tx.noCredentials));
    for (const c of cards) {
      list.append(h('li', { class: statusClass(c) },
        h('h2', {}, c.title),
        h('p', {}, c.issuer),
        h('p', { class: 'regie-card-status' }, c.status_text),
        button(`${tx.view}: ${c.title}`, () => cardScreen(c), 'secondary')));
    }
  } catch (e) {
    message.append(errorBox(e));
  }
}

function rowsTable(c: CredentialCard): HTMLElement {
  return h('dl', { class: 'regie-rows' },
    c.rows.flatMap((r) => [h('dt', {}, r.label), h('dd', {}, r.value)]));
}

export function cardScreen(c: CredentialCard, note = ''): void {
  const tx = t();
  const message = h('div');
  const renew = h('button', { type: 'button', class: 'regie-button regie-button--primary', id: 'vernieuwen' }, tx.renew) as HTMLButtonElement;
  renew.addEventListener('click', async () => {
    message.replaceChildren();
    try {
      const fresh = await busy(renew, () => api.renew(c.id));
      announce(tx.renewed);
      cardScreen(fresh, tx.renewed);
    } catch (err) {
      message.append(errorBox(err));
    }
  });
  show(
    h('h1', {}, c.title),
    note ? h('p', { class: 'regie-verdict regie-verdict--ok', role: 'status', id: 'gedaan' }, note) : null,
    h('p', {}, c.issuer),
    h('p', { class: c.status === 'valid' ? 'regie-card-status' : 'regie-error', id: 'status' }, c.status_text),
    c.status === 'valid' ? null : renew,
    message,
    rowsTable(c),
    button(tx.back, () => homeScreen(), 'secondary', 'terug'),
  );
}

export function addScreen(prefill = ''): void {
  const tx = t();
  const link = h('textarea', { name: 'link', rows: '3', required: true, spellcheck: 'false', autocomplete: 'off' }) as HTMLTextAreaElement;
  link.value = prefill;
  const code = h('input', { type: 'text', name: 'tx_code', inputmode: 'numeric', autocomplete: 'off', maxlength: '12' }) as HTMLInputElement;
  const message = h('div');
  const submit = h('button', { type: 'submit', class: 'regie-button regie-button--primary' }, tx.fetch) as HTMLButtonElement;
  const form = h('form', {
    onsubmit: async (e: Event) => {
      e.preventDefault();
      message.replaceChildren();
      try {
        const stored = await busy(submit, () => api.acceptOffer(link.value, code.value || null));
        const names = stored.map((c) => c.title).filter((v, i, a) => a.indexOf(v) === i).join(', ');
        announce(`${tx.received}: ${names}`);
        show(
          h('h1', {}, `${tx.received}: ${names}`),
          h('ul', { class: 'regie-cards' }, stored.slice(0, 1).map((c) => h('li', { class: 'regie-card' }, h('h2', {}, c.title), rowsTable(c)))),
          button(tx.back, () => homeScreen(), 'primary', 'terug'),
        );
      } catch (err) {
        message.append(errorBox(err));
        link.focus();
      }
    },
  },
  field('offer-link', tx.offerLink, link),
  field('offer-code', tx.txCode, code),
  message,
  submit);
  show(h('h1', {}, tx.addTitle), h('p', {}, tx.addText), form, button(tx.back, () => homeScreen(), 'secondary'));
}
