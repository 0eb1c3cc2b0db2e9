// The first screens: choosing a PIN for a new wallet, and opening a locked one.
import { api, WalletState } from '../api';
import { h, show } from '../dom';
import { t } from '../i18n';
import { frame } from '../main';
import { addScreen, homeScreen } from './credentials';
import { requestScreen } from './request';
import { alertBox, busy, button, errorBox, field, pinInput } from './common';
import { restoreScreen } from './backup';
import { takeLockReason, takeResumedRequest } from '../autolock';

/** Opens the offer or request the app was handed (at its start, or by a link clicked while it
 * runs); false when there is none. */
export async function openHandedLink(): Promise<boolean> {
  const resumed = takeResumedRequest();
  if (resumed) {
    requestScreen(resumed, true);
    return true;
  }
  const link = await api.openedWith().catch(() => null);
  if (link?.kind === 'offer') addScreen(link.uri);
  else if (link?.kind === 'request') requestScreen(link.uri, true);
  else return false;
  return true;
}

/** Home, or straight to the offer or request the app was opened with. */
async function openWallet(): Promise<void> {
  frame('data');
  if (!(await openHandedLink())) void homeScreen();
}

export function setupScreen(): void {
  const tx = t();
  const first = pinInput('pin');
  const second = pinInput('pin2');
  const message = h('div');
  const submit = h('button', { type: 'submit', class: 'regie-button regie-button--primary' }, tx.create) as HTMLButtonElement;
  const form = h('form', {
    onsubmit: async (e: Event) => {
      e.preventDefault();
      message.replaceChildren();
      if (!/^[0-9]{6}$/.test(first.value)) {
        message.append(alertBox(tx.pinFormat));
        return first.focus();
      }
      if (first.value !== second.value) {
        message.append(alertBox(tx.pinsDiffer));
        return second.focus();
      }
      try {
        await busy(submit, () => api.createWallet(first.value));
        void openWallet();
      } catch (err) {
        message.append(errorBox(err));
        first.value = '';
        second.value = '';
        first.focus();
      }
    },
  },
  field('pin-nieuw', tx.choosePin, first, tx.choosePinHint),
  field('pin-herhaal', tx.repeatPin, second),
  message,
  submit);
  show(h('h1', {}, tx.welcomeTitle), h('p', {}, tx.welcomeText), form,
    button(tx.restoreLink, () => restoreScreen(setupScreen), 'secondary', 'herstellen'));
}

export function unlockScreen(state: WalletState): void {
  const tx = t();
  const pin = pinInput('pin');
  const message = h('div');
  const reason = takeLockReason();
  const idle = reason
    ? h('p', { class: 'regie-verdict', role: 'status', id: 'auto-vergrendeld' }, reason === 'idle' ? tx.autoLocked : tx.screenLocked)
    : null;
  if (state.blocked) message.append(errorBox({ code: 'blocked', message: '' }));
  else if (state.wait_secs > 0) message.append(errorBox({ code: 'locked_out', message: '', wait_secs: state.wait_secs }));
  const submit = h('button', { type: 'submit', class: 'regie-button regie-button--primary' }, tx.unlockButton) as HTMLButtonElement;
  const form = h('form', {
    onsubmit: async (e: Event) => {
      e.preventDefault();
      message.replaceChildren();
      try {
        await busy(submit, () => api.unlock(pin.value));
        void openWallet();
      } catch (err) {
        pin.value = '';
        message.append(errorBox(err));
        pin.focus();
      }
    },
  }, field('pin-open', tx.pin, pin), message, submit);
  show(h('h1', {}, tx.unlockTitle), ...(idle ? [idle] : []), form);
}
