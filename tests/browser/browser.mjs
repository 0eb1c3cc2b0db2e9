// Debian's Chromium through playwright-core, and an accessibility check with axe-core.
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { screenshots } from './stack.mjs';

export async function launch(args = []) {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args });
}

/** WCAG 2.2 A/AA rules that axe can check; fails with the violations listed. */
export async function assertAccessible(page, what) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const summary = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`);
  assert.deepEqual(summary, [], `${what}: accessibility violations`);
}

export async function shot(page, name) {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

/**
 * At 360 px (a small phone) the page must not scroll sideways. When it does, the message
 * names the innermost elements that stick out past the screen's edge (with their path), so
 * the rule to mend is clear. Takes a screenshot `${name}-phone` and restores the viewport.
 */
export async function assertFitsPhone(page, name) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 800 });
  try {
    const problem = await page.evaluate(() => {
      const root = document.documentElement;
      const width = root.clientWidth;
      if (root.scrollWidth <= width + 1) return null;
      // Inside a box that clips or scrolls, an element cannot widen the page, unless it is
      // positioned against something outside that box (its containing block).
      const clipped = (el) => {
        let position = getComputedStyle(el).position;
        for (let p = el.parentElement; p && p !== root; p = p.parentElement) {
          if (position === 'fixed') return false;
          const style = getComputedStyle(p);
          const containing = position !== 'absolute' || style.position !== 'static' || style.transform !== 'none';
          if (!containing) continue;
          if (style.overflowX !== 'visible') return true;
          position = style.position;
        }
        return false;
      };
      // The box itself, or its text (a long word), passes the right edge.
      const sticksOut = (el) => {
        const r = el.getBoundingClientRect();
        const content = getComputedStyle(el).overflowX === 'visible' ? r.left + el.scrollWidth : r.right;
        return Math.max(r.right, content) > width + 1 && !clipped(el);
      };
      const label = (el) =>
        el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') + [...el.classList].map((c) => `.${c}`).join('');
      const path = (el) => {
        const parts = [];
        for (let e = el; e && e !== document.body; e = e.parentElement) parts.unshift(label(e));
        return parts.join(' > ');
      };
      const culprits = [...document.body.querySelectorAll('*')]
        .filter(sticksOut)
        .filter((el) => ![...el.children].some(sticksOut))
        .slice(0, 5)
        .map((el) => `${path(el)} ends at x=${Math.round(Math.max(el.getBoundingClientRect().right, el.getBoundingClientRect().left + el.scrollWidth))}`);
      return `the page is ${root.scrollWidth}px wide on a ${width}px screen; sticking out: ${culprits.join('; ') || '(none found)'}`;
    });
    await shot(page, `${name}-phone`);
    assert.equal(problem, null, `${name}: sideways scrolling at 360px`);
  } finally {
    if (before) await page.setViewportSize(before);
  }
}
