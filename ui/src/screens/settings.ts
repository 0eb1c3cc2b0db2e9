// Language, locking, and erasing the wallet.
import { api } from '../api';
import { announce, h, show } from '../dom';
import { Lang, lang, setLang, t } from '../i18n';
import { frame, start } from '../main';
import { button, errorBox } from './common';

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
    button(tx.lockNow, async () => { await api.lock(); void start(); }, 'secondary', 'vergrendelen'),
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
