// What happened, and who has which of my data since when.
import { api, SignedStatement } from '../api';
import { h, show } from '../dom';
import { t } from '../i18n';
import { errorBox } from './common';

export async function historyScreen(): Promise<void> {
  const tx = t();
  const list = h('ul', { class: 'regie-events', id: 'geschiedenis' });
  show(h('h1', {}, tx.historyTitle), list);
  try {
    const events = await api.history();
    if (events.length === 0) list.replaceWith(h('p', {}, tx.noHistory));
    for (const e of events) {
      list.append(h('li', {}, h('span', { class: 'regie-date' }, e.date), ': ', e.text,
        e.statements.length > 0 && signedList(e.statements, tx.statementsSigned)));
    }
  } catch (e) {
    list.replaceWith(errorBox(e));
  }
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
