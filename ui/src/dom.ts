// Building the page from elements, never from HTML strings: every text from the wallet goes
// in as text, so nothing in a credential or a request can become markup.
type Child = Node | string | null | undefined | false;

// The bidirectional embedding, override and isolate controls: a name carrying one would show
// its letters reversed and move the text after it. They are written out as `[U+202E]`, as
// the services' pages do (regie_web::escape).
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** Text as it is shown: reordering controls written out. */
export function visible(text: string): string {
  return text.replace(BIDI_CONTROLS, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase()}]`);
}
type Attrs = Record<string, string | boolean | ((e: Event) => void) | undefined>;

export function h(tag: string, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(visible(child)) : child);
  }
  return el;
}

/** Replaces the main content and moves focus to its heading, as a page change would. */
export function show(...content: (HTMLElement | null)[]): void {
  const main = document.getElementById('inhoud');
  if (!main) return;
  main.replaceChildren(...content.filter((c): c is HTMLElement => c !== null));
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
  main.scrollTop = 0;
}

/** Says something to screen readers without moving focus. */
export function announce(text: string): void {
  const live = document.getElementById('melding');
  if (live) {
    live.textContent = '';
    window.setTimeout(() => { live.textContent = visible(text); }, 50);
  }
}
