// Export and "Over Regie" in the real window: the export after the PIN writes everything as
// JSON for the citizen (no keys), a wrong PIN writes nothing; the about screen names the
// version and Regie's licence and lists every bundled package with its licence text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, PIN } from '../browser/stack.mjs';
import { startWindow } from './window.mjs';

let stack;
let w;
let saveDir;

before(async () => {
  stack = await startStack();
  await stack.walletWith(['woonhistorie']);
  saveDir = join(stack.dir, 'documents');
  w = await startWindow(stack, 4504, { REGIE_APP_DATA_DIR: join(stack.dir, 'wallet'), REGIE_APP_SAVE_DIR: saveDir });
  const { app } = w;
  await w.unlock(PIN);
  await (await app.$('button=Instellingen')).click();
  await w.waitForH1(/Instellingen/);
});

after(async () => {
  await w?.stop();
  await stack?.stop();
});

test('the export is written after the PIN, with the data and without keys', async () => {
  const { app } = w;
  await (await app.$('#pin-exporteren')).setValue('000000');
  await (await app.$('#exporteren')).click();
  const error = await app.$('#fout');
  await error.waitForDisplayed({ timeout: 10_000 });
  assert.match(await error.getText(), /klopt niet/);
  assert.ok(!existsSync(saveDir) || readdirSync(saveDir).length === 0, 'nothing written after a wrong PIN');

  await (await app.$('#pin-exporteren')).setValue(PIN);
  await (await app.$('#exporteren')).click();
  const done = await app.$('#geexporteerd');
  await done.waitForDisplayed({ timeout: 10_000 });
  const path = await (await app.$('#export-bestand')).getText();
  assert.match(path, /regie-export-\d{4}-\d{2}-\d{2}\.json$/);
  assert.equal(statSync(path).mode & 0o077, 0, 'owner-only');
  const text = readFileSync(path, 'utf8');
  const exported = JSON.parse(text);
  assert.equal(exported.credentials.length, 1);
  assert.ok(exported.credentials[0].claims.family_name, 'the data is in it');
  assert.ok(exported.history.length >= 1);
  for (const secret of ['holder_key', 'sd_jwt', 'refresh']) assert.ok(!text.includes(secret), `${secret} in the export`);
  await done.scrollIntoView();
  await w.assertAccessible('exported');
  await w.shotBothSizes('exported');
});

test('Over Regie lists every bundled package with its licence text', async () => {
  const { app } = w;
  await (await app.$('#over-regie')).click();
  await w.waitForH1(/Over Regie/);
  await app.waitUntil(async () => (await app.$$('#licenties li')).length > 100, { timeout: 10_000 });
  assert.match(await (await app.$('main')).getText(), /EUPL-1\.2/);
  const names = await app.execute(() => [...document.querySelectorAll('#licenties summary')].map((s) => s.textContent));
  for (const part of [/^tauri \d/, /^serde \d/, /^ring \d/, /^@tauri-apps\/api \d/]) {
    assert.ok(names.some((n) => part.test(n)), `${part} is listed`);
  }
  const ring = await app.$('summary*=ring 0.17');
  await ring.click();
  // ring ships several files: its own notice, the ISC text and BoringSSL's.
  await app.waitUntil(async () => (await app.$$('.regie-licence-text')).length > 1, { timeout: 10_000 });
  const texts = await app.execute(() => [...document.querySelectorAll('.regie-licence-text')].map((p) => p.textContent).join('\n'));
  assert.match(texts, /ISC/);
  assert.match(texts, /Copyright/);
  await w.assertAccessible('about');
  await w.shotBothSizes('about');
});
