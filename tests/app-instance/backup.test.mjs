// Backup and restore in the real windows: a backup made in the app's settings shows its
// recovery code once and writes the file; a second app on a new, empty folder restores it
// from the first screen (a typo in the code is refused clearly first), shows what came back,
// and the restored wallet then answers the housing corporation with keys of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, runWallet, PIN } from '../browser/stack.mjs';
import { startWindow, housingSession } from './window.mjs';

let stack;
let w;

before(async () => {
  stack = await startStack();
  await stack.walletWith(['woonhistorie']);
});

after(async () => {
  await w?.stop();
  await stack?.stop();
});

/** Puts `path` into the page's file input, as choosing it in the file dialog does. */
async function chooseFile(app, selector, path) {
  const text = readFileSync(path, 'utf8');
  await app.execute((sel, content) => {
    const input = document.querySelector(sel);
    const files = new DataTransfer();
    files.items.add(new File([content], 'regie-backup.regie', { type: 'application/json' }));
    input.files = files.files;
    input.dispatchEvent(new Event('change'));
  }, selector, text);
}

test('a backup made in the app is restored in a new app and answers a verifier', async () => {
  const backups = join(stack.dir, 'backups');
  w = await startWindow(stack, 4484, { REGIE_APP_DATA_DIR: join(stack.dir, 'wallet'), REGIE_APP_SAVE_DIR: backups });
  let { app } = w;
  await w.unlock(PIN);
  await (await app.$('button=Instellingen')).click();
  await w.waitForH1(/Instellingen/);
  await (await app.$('#pin-backup-maken')).setValue(PIN);
  await (await app.$('#backup-maken')).click();
  const codeEl = await app.$('#herstelcode');
  await codeEl.waitForDisplayed({ timeout: 20_000 }).catch(async (e) => {
    throw new Error(`${e.message}; the screen says: ${await (await app.$('#inhoud')).getText()}`);
  });
  const code = await codeEl.getText();
  assert.match(code, /^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/, 'eight groups of four');
  const path = await (await app.$('#backup-bestand')).getText();
  assert.ok(path.startsWith(backups) && path.endsWith('.regie'), path);
  assert.ok(existsSync(path), 'the backup file is written');
  assert.equal(statSync(path).mode & 0o077, 0, 'owner-only');
  await codeEl.scrollIntoView();
  await w.assertAccessible('backup made');
  await w.shotBothSizes('backup-made');
  await w.stop();

  // The new device.
  const newFolder = 'app-wallet-restored';
  w = await startWindow(stack, 4486, { REGIE_APP_DATA_DIR: join(stack.dir, newFolder) });
  ({ app } = w);
  await w.waitForH1(/Welkom bij Regie/);
  await (await app.$('#herstellen')).click();
  await w.waitForH1(/Back-up terugzetten/);
  await w.assertAccessible('restore screen');
  await chooseFile(app, '#backup-bestand-kiezen', path);
  assert.equal(await (await app.$('#backup-gekozen')).getText(), 'regie-backup.regie');
  const typo = `${code[0] === 'A' ? 'C' : 'A'}${code.slice(1)}`;
  await (await app.$('#herstelcode-invoer')).setValue(typo);
  await (await app.$('#pin-nieuw')).setValue(PIN);
  await (await app.$('#pin-herhaal')).setValue(PIN);
  // The form is taller than the window: the button is scrolled to first, as a citizen would.
  const restore = async () => {
    const submit = await app.$('#herstel-starten');
    await submit.scrollIntoView();
    await submit.click();
  };
  await restore();
  const error = await app.$('#fout');
  await error.waitForDisplayed({ timeout: 10_000 }).catch(async (e) => {
    throw new Error(`${e.message}; the screen says: ${await (await app.$('#inhoud')).getText()}`);
  });
  assert.match(await error.getText(), /geen geldige herstelcode/);
  await w.shotBothSizes('restore-wrong-code');
  await w.waitForH1(/Back-up terugzetten/);

  await (await app.$('#herstelcode-invoer')).setValue(code.toLowerCase());
  await (await app.$('#pin-nieuw')).setValue(PIN);
  await (await app.$('#pin-herhaal')).setValue(PIN);
  await restore();
  await w.waitForH1(/Uw back-up staat op dit apparaat/, 30_000);
  assert.match(await (await app.$('#hersteld')).getText(), /1 gegevensbewijs is opnieuw opgehaald/);
  await w.assertAccessible('restored');
  await w.shotBothSizes('restored');
  await (await app.$('button=Naar mijn gegevens')).click();
  await w.waitForH1(/Mijn gegevens/);
  await w.stop();
  w = null;

  // The restored wallet answers a housing corporation (through the CLI on the same folder).
  const { link, status_url: statusUrl } = await housingSession(stack);
  const answered = await runWallet(stack.dir, stack.trustList, ['respond', link, '--approve'], 1, newFolder);
  assert.ok(answered, 'answered');
  const session = await (await fetch(statusUrl, {
    headers: { authorization: 'Bearer demo-woonstichting-key' },
  })).json();
  assert.equal(session.status, 'done', JSON.stringify(session));
  assert.ok(session.claims.woon.family_name, 'the verified family name');
});
