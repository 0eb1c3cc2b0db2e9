// The installed package end to end (run by scripts/test-package.sh while the .deb is
// installed, under dbus-run-session and Xvfb): the installed /usr/bin/regie-app is open with a
// wallet; a request link clicked elsewhere is opened the desktop's way (`gio open`), which
// starts a second regie-app through the system's link registration; that hands the link to
// the open window and ends; the citizen shares with the PIN and the verifier has the answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startStack, PIN } from '../browser/stack.mjs';
import { startWindow, housingSession } from '../app-instance/window.mjs';

const INSTALLED = '/usr/bin/regie-app';
let stack;
let w;

before(async () => {
  stack = await startStack();
  await stack.walletWith(['woonhistorie']);
  w = await startWindow(stack, 4494, { REGIE_APP_DATA_DIR: join(stack.dir, 'wallet') }, INSTALLED);
});

after(async () => {
  await w?.stop();
  await stack?.stop();
});

test('a link opened with gio reaches the installed app, which answers the verifier', async () => {
  const { app } = w;
  await w.unlock(PIN);

  const session = await housingSession(stack);
  const opened = await new Promise((resolve, reject) => {
    const gio = spawn('gio', ['open', session.link], { env: w.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    gio.stderr.on('data', (d) => { stderr += d; });
    gio.on('error', reject);
    gio.on('exit', (code) => resolve({ code, stderr }));
  });
  assert.equal(opened.code, 0, `gio open: ${opened.stderr}`);

  await w.waitForH1(/Woonstichting/);
  await (await app.$('#pin-delen')).setValue(PIN);
  await (await app.$('#delen')).click();
  await w.waitForH1(/Gedeeld met Woonstichting/);
  const done = await (await fetch(session.status_url, {
    headers: { authorization: 'Bearer demo-woonstichting-key' },
  })).json();
  assert.equal(done.status, 'done', JSON.stringify(done));
  assert.ok(done.claims.woon.family_name, 'the verified family name');
  await w.shot('installed-app-answered');
});
