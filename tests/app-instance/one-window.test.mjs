// One window per citizen: under a D-Bus session (as on a desktop), a link opened while the app
// runs starts a second regie-app, which hands the link to the running window and ends; the
// window, already unlocked, goes straight to the relying party's request. Run by the test
// command as `dbus-run-session -- xvfb-run -a node --test tests/app-instance/` (the other app
// tests run without a bus, so their windows never hand over to each other).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startStack } from '../browser/stack.mjs';
import { APP, startWindow, housingSession } from './window.mjs';

let stack;
let w;

before(async () => {
  assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run under dbus-run-session');
  stack = await startStack();
  w = await startWindow(stack, 4454);
});

after(async () => {
  await w?.stop();
  await stack?.stop();
});

test('a link opened while the app runs reaches the open window, and the second start ends', async () => {
  await w.createWallet('739164');
  const session = await housingSession(stack);

  // The desktop starts regie-app with the link; that second process must end by itself.
  const started = Date.now();
  const second = spawn(APP, [session.link], { env: w.env, stdio: 'ignore' });
  const code = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { second.kill(); reject(new Error('the second start kept running')); }, 10_000);
    second.on('exit', (c) => { clearTimeout(timer); resolve(c); });
  });
  assert.equal(code, 0);
  console.log(`# the second start handed over and ended in ${Date.now() - started} ms`);

  // The running window shows the request: who asks, and the verdict.
  await w.waitForH1(/Woonstichting Voorbeeld/);
  await w.shot('one-window-request');
});
