// What happened, and who has which of my data since when.
import { api, HISTORY_PAGE, SignedStatement } from '../api';
import { h, show } from '../dom';
import { t } from '../i18n';
import { button, errorBox } from './common';

export async function historyScreen(): Promise<void> {
  const tx = t();
  const list = h('ul', { class: 'regie-events', id: 'geschiedenis' });
  let before: number | null = null;
  // Older events a page at a time; focus moves to the first one added, for keyboard and
  // screen reader users.
  const more = button(tx.olderEvents, () => void load(), 'secondary', 'ouder') as HTMLButtonElement;
  more.hidden = true;
  show(h('h1', {}, tx.historyTitle), list, more);
  async function load(): Promise<void> {
    try {
      const events = await api.history(before);
      if (before === null && events.length === 0) list.replaceWith(h('p', {}, tx.noHistory));
      const added = events.map((e) => h('li', { tabindex: '-1' }, h('span', { class: 'regie-date' }, e.date), ': ', e.text,
        e.statements.length > 0 && signedList(e.statements, tx.statementsSigned)));
      list.append(...added);
      if (before !== null && added.length > 0) added[0].focus();
      if (events.length > 0) before = events[events.length - 1].id;
      more.hidden = events.length < HISTORY_PAGE;
    } catch (e) {
      list.replaceWith(errorBox(e));
      more.hidden = true;
    }
  }
  await load();
}

export async function sharingScreen(): Promise<void> {
  const tx = t();
  const list = h('ul', { class: 'regie-cards', id: 'gedeeld' });
  show(h('h1', {}, tx.sharedTitle), list);
  try {
    const lines = await api.sharing();
    if (lines.length === 0) list.replaceWith(h('p', {}, tx.noShared));
    for (const s of lines) {
      list.append(h('li', { class: 'regie-card' },
        h('h2', {}, s.party),
        h('p', {}, `${s.registration} · ${tx.since} ${s.since} · ${tx.times(s.times)}`),
        h('p', {}, s.attributes.join(', ')),
        s.statements.length > 0 && [h('h3', {}, tx.statementsSigned), signedList(s.statements)]));
    }
  } catch (e) {
    list.replaceWith(errorBox(e));
  }
}

/** Signed statements in Regie's own words (from wallet-core, never the party's text); one
 * that cannot be shown any more is named only. */
function signedList(statements: SignedStatement[], label?: string): HTMLElement {
  const tx = t();
  return h('ul', { class: 'regie-signed', 'aria-label': label },
    statements.map((s) => h('li', {},
      h('p', { class: 'regie-statement-kind' }, s.name),
      s.text !== null && h('blockquote', { class: 'regie-statement' }, `${tx.declared}: ${s.text}`))));
}
