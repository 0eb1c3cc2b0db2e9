// Small parts every screen uses: errors in plain words, a labelled field, a back link.
import { isAppError } from '../api';
import { announce, h } from '../dom';
import { t } from '../i18n';

export function errorText(e: unknown): string {
  const tx = t();
  if (isAppError(e)) {
    if (e.code === 'wrong_pin') {
      return e.wait_secs ? `${tx.wrongPin} ${tx.waitSeconds(e.wait_secs)}` : tx.wrongPin;
    }
    if (e.code === 'locked_out') return tx.waitSeconds(e.wait_secs ?? 0);
    if (e.code === 'blocked') return tx.blocked;
    if (e.code === 'weak_pin') return tx.weakPin;
    return tx.errors[e.code] ?? `${tx.error} (${e.message})`;
  }
  return tx.error;
}

/** A message in an error box, announced at once. */
export function alertBox(text: string): HTMLElement {
  announce(text);
  return h('div', { class: 'regie-error', role: 'alert', id: 'fout' }, text);
}

/** An error box, announced at once. */
export function errorBox(e: unknown): HTMLElement {
  return alertBox(errorText(e));
}

export function field(id: string, label: string, input: HTMLElement, hint?: string): HTMLElement {
  if (hint) input.setAttribute('aria-describedby', `${id}-hint`);
  input.id = id;
  return h('div', { class: 'regie-field' },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'regie-hint', id: `${id}-hint` }, hint) : null,
    input);
}

export function pinInput(name: string): HTMLInputElement {
  return h('input', {
    type: 'password', name, inputmode: 'numeric', autocomplete: 'off',
    pattern: '[0-9]{6}', maxlength: '6', required: true, class: 'regie-pin',
  }) as HTMLInputElement;
}

export function button(label: string, onclick: () => void, kind: 'primary' | 'secondary' = 'primary', id?: string): HTMLElement {
  return h('button', { type: 'button', class: `regie-button regie-button--${kind}`, onclick, id }, label);
}

/** Runs `work` with the button disabled and busy, so it is not pressed twice. */
export async function busy<T>(control: HTMLButtonElement, work: () => Promise<T>): Promise<T> {
  control.disabled = true;
  control.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    control.disabled = false;
    control.removeAttribute('aria-busy');
  }
}

/** A form that asks the PIN before `action` (a backup, an export: data leaving the app in a
 * file); what `action` returns, or its error, shows below the button. */
export function pinActionForm(o: {
  id: string; title: string; text: string; button: string;
  action: (pin: string) => Promise<HTMLElement[]>;
}): HTMLElement {
  const pin = pinInput(`${o.id}-pin`);
  const result = h('div');
  const submit = h('button', { type: 'submit', class: 'regie-button regie-button--secondary', id: o.id }, o.button) as HTMLButtonElement;
  return h('form', {
    'aria-labelledby': `kop-${o.id}`,
    onsubmit: async (e: Event) => {
      e.preventDefault();
      result.replaceChildren();
      try {
        result.append(...await busy(submit, () => o.action(pin.value)));
      } catch (err) {
        result.append(errorBox(err));
      }
      pin.value = '';
    },
  },
  h('h2', { id: `kop-${o.id}` }, o.title),
  h('p', {}, o.text),
  field(`pin-${o.id}`, t().pin, pin),
  submit,
  result);
}
