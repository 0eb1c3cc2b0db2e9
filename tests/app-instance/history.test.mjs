// The history beyond its first page in the real window: a wallet with more than 50 events
// (made with the regie-wallet CLI on the same folder, then opened by the app) shows the newest
// 50 and a button for older ones, which adds the rest and moves focus to the first added.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startStack, PIN } from '../browser/stack.mjs';
import { startWindow } from './window.mjs';

let stack;
let w;

before(async () => {
  stack = await startStack();
  await stack.wallet(['init'], 2);
  // Each collected offer is one event; 52 make two pages.
  for (let i = 0; i < 52; i++) await stack.wallet(['accept-offer', await stack.offer('woonhistorie')]);
  w = await startWindow(stack, 4474, { REGIE_APP_DATA_DIR: join(stack.dir, 'wallet') });
});

after(async () => {
  await w?.stop();
  await stack?.stop();
});

test('history shows 50 events, then the older ones on request', async () => {
  const { app } = w;
  await w.unlock(PIN);
  await (await app.$('button=Geschiedenis')).click();
  await w.waitForH1(/Geschiedenis/);
  await app.waitUntil(async () => (await app.$$('#geschiedenis li')).length > 0, { timeout: 10_000 });
  assert.equal((await app.$$('#geschiedenis li')).length, 50);
  const more = await app.$('#ouder');
  assert.ok(await more.isDisplayed(), 'a button for older events');
  await w.assertAccessible('history with more');
  await more.click();
  await app.waitUntil(async () => (await app.$$('#geschiedenis li')).length > 50, { timeout: 10_000 });
  const total = (await app.$$('#geschiedenis li')).length;
  assert.ok(total >= 52, `all events shown (${total})`);
  assert.equal(await (await app.$('#ouder')).isDisplayed(), false, 'no more pages');
  const focused = await app.execute(() => [...document.querySelectorAll('#geschiedenis li')].indexOf(document.activeElement));
  assert.equal(focused, 50, 'focus on the first older event');
  await w.shotBothSizes('history-paged');
});
