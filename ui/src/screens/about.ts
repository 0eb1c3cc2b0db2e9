// "Over Regie": the version, Regie's own licence, and the licences of every package the app
// bundles; a licence's text is fetched when its entry is opened.
import { api, BundledPackage } from '../api';
import { h, show } from '../dom';
import { t } from '../i18n';
import { errorBox } from './common';

export async function aboutScreen(back: () => void): Promise<void> {
  const tx = t();
  const list = h('ul', { class: 'regie-licences', id: 'licenties' });
  const intro = h('p', {});
  show(
    h('h1', {}, tx.aboutTitle),
    intro,
    h('h2', {}, tx.aboutBundled),
    h('p', {}, tx.aboutBundledText),
    list,
    h('button', { type: 'button', class: 'regie-button regie-button--secondary', onclick: back }, tx.back),
  );
  try {
    const about = await api.about();
    intro.append(tx.aboutVersion(about.version, about.licence));
    list.append(...about.packages.map(packageEntry));
  } catch (e) {
    list.replaceWith(errorBox(e));
  }
}

function packageEntry(p: BundledPackage): HTMLElement {
  const tx = t();
  const texts = h('div');
  let loaded = false;
  const details = h('details', {
    ontoggle: async () => {
      if (loaded || !(details as HTMLDetailsElement).open) return;
      loaded = true;
      if (p.texts.length === 0) {
        texts.append(h('p', {}, tx.aboutNoText, ' ', h('span', { class: 'regie-mono' }, p.repository ?? '—')));
        return;
      }
      for (const i of p.texts) texts.append(h('pre', { class: 'regie-licence-text', tabindex: '0' }, await api.licenceText(i)));
    },
  },
  h('summary', {}, `${p.name} ${p.version} — ${p.licence}`),
  texts);
  return h('li', {}, details);
}
