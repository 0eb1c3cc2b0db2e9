// A relying party's request: the consent screen (who, why, what, how long, and the verdict),
// then sharing with the PIN or declining.
import { api, Assessment } from '../api';
import { announce, h, show } from '../dom';
import { t } from '../i18n';
import { homeScreen } from './credentials';
import { busy, button, errorBox, field, pinInput } from './common';
import { showingRequest } from '../autolock';

/** The request link screen; `assessNow` looks the request up at once (nothing is shared
 * before the citizen consents). */
export function requestScreen(prefill = '', assessNow = false): void {
  const tx = t();
  const link = h('textarea', { name: 'link', rows: '3', required: true, spellcheck: 'false', autocomplete: 'off' }) as HTMLTextAreaElement;
  link.value = prefill;
  const message = h('div');
  const submit = h('button', { type: 'submit', class: 'regie-button regie-button--primary' }, tx.check) as HTMLButtonElement;
  const form = h('form', {
    onsubmit: async (e: Event) => {
      e.preventDefault();
      message.replaceChildren();
      try {
        const assessment = await busy(submit, () => api.assessRequest(link.value));
        showingRequest(link.value.trim());
        consentScreen(assessment);
      } catch (err) {
        message.append(errorBox(err));
        link.focus();
      }
    },
  }, field('request-link', tx.requestLink, link), message, submit);
  show(h('h1', {}, tx.requestTitle), h('p', {}, tx.requestText), form, button(tx.back, () => homeScreen(), 'secondary'));
  if (assessNow) submit.click();
}

function fact(label: string, value: string): HTMLElement[] {
  return [h('dt', {}, label), h('dd', {}, value)];
}

function verdictBox(a: Assessment): HTMLElement {
  const tx = t();
  switch (a.verdict) {
    case 'ok':
      return h('p', { class: 'regie-verdict regie-verdict--ok', id: 'oordeel' }, tx.verdictOk);
    case 'over_asking':
      return h('div', { class: 'regie-verdict regie-verdict--blocked', id: 'oordeel', role: 'alert' },
        h('p', {}, tx.verdictOver),
        h('p', {}, tx.notAllowed),
        h('ul', {}, (a.not_allowed ?? []).map((n) => h('li', {}, n.label))));
    case 'unknown_party':
      return h('p', { class: 'regie-verdict regie-verdict--blocked', id: 'oordeel', role: 'alert' }, tx.verdictUnknown);
    case 'unsupported_statement':
      return h('p', { class: 'regie-verdict regie-verdict--blocked', id: 'oordeel', role: 'alert' }, tx.verdictStatement);
    default:
      return h('div', { class: 'regie-verdict regie-verdict--blocked', id: 'oordeel', role: 'alert' },
        h('p', {}, tx.verdictMissing),
        h('p', {}, tx.getFrom),
        h('ul', {}, (a.types ?? []).map((m) => h('li', {}, `${m.name}: ${m.where_to_get.map((w) => w[1]).join(', ')}`))));
  }
}

export function consentScreen(a: Assessment): void {
  const tx = t();
  const party = a.party;
  const purpose = a.purpose;
  const message = h('div');
  const pin = pinInput('pin');
  const parts: (HTMLElement | null)[] = [
    h('h1', {}, party ? party.legal_name : tx.requestTitle),
    verdictBox(a),
  ];
  if (party) {
    parts.push(h('h2', {}, tx.who), h('p', {}, h('strong', {}, party.legal_name)),
      h('dl', { class: 'regie-rows' }, ...fact(tx.kvk, party.registration_number), ...fact(tx.city, party.city)));
  }
  if (purpose) {
    parts.push(h('h2', {}, tx.why), h('p', { class: 'regie-purpose' }, h('strong', {}, purpose.name), ' — ', purpose.description));
  }
  if (a.attributes.length > 0) {
    parts.push(h('h2', {}, tx.what), h('dl', { class: 'regie-rows', id: 'gevraagd' },
      a.attributes.flatMap((attr) => fact(attr.label, attr.value))));
  }
  for (const s of a.statements) {
    // Regie's own sentence for the statement's type and fields, never the party's text.
    parts.push(h('h2', {}, tx.statement), h('p', { class: 'regie-statement-kind' }, s.name),
      h('blockquote', { class: 'regie-statement' }, s.text));
  }
  if (purpose) {
    parts.push(h('h2', {}, tx.keep), h('p', {}, purpose.retention),
      h('dl', { class: 'regie-rows' },
        ...fact(tx.thirdParties, purpose.shares_with_third_parties ? tx.yes : tx.no),
        ...fact(tx.deletion, purpose.deletion_possible ? tx.yes : tx.no)));
  }
  if (a.shared_before) {
    parts.push(h('p', {}, tx.sharedBefore(a.shared_before.times, new Date(a.shared_before.first_shared * 1000).toISOString().slice(0, 10))));
  }
  if (a.linkable) parts.push(h('p', { class: 'regie-warning' }, tx.linkable));

  const done = (text: string) => {
    announce(text);
    show(h('h1', {}, text), button(tx.back, () => homeScreen(), 'primary', 'terug'));
  };
  const decline = h('button', { type: 'button', class: 'regie-button regie-button--secondary', id: 'weigeren' }, tx.decline) as HTMLButtonElement;
  decline.addEventListener('click', async () => {
    message.replaceChildren();
    try {
      const answered = await busy(decline, () => api.answerRequest(false, null));
      done(answered.notified ? tx.declinedDone : tx.notSentDone);
    } catch (err) {
      message.append(errorBox(err));
    }
  });
  if (a.verdict === 'ok') {
    const share = h('button', { type: 'submit', class: 'regie-button regie-button--primary', id: 'delen' }, tx.share) as HTMLButtonElement;
    const form = h('form', {
      onsubmit: async (e: Event) => {
        e.preventDefault();
        message.replaceChildren();
        try {
          await busy(share, () => api.answerRequest(true, pin.value));
          done(tx.sharedDone(party?.legal_name ?? ''));
        } catch (err) {
          pin.value = '';
          message.append(errorBox(err));
          pin.focus();
        }
      },
    }, field('pin-delen', tx.confirmPin, pin), message, h('div', { class: 'regie-actions' }, share, decline));
    parts.push(form);
  } else {
    parts.push(message, h('div', { class: 'regie-actions' }, decline));
  }
  show(...parts.filter((p): p is HTMLElement => p !== null));
}
