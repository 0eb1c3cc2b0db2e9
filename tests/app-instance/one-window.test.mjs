// One window per citizen: under a D-Bus session (as on a desktop), a link opened while the app
// runs starts a second regie-app, which hands the link to the running window and ends; the
// window, already unlocked, goes straight to the relying party's request. Run by the test
// command as `dbus-run-session -- xvfb-run -a node --test tests/app-instance/` (the other app
// tests run without a bus, so their windows never hand over to each other).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { remote } from 'webdriverio';
import { startStack, root, screenshots } from '../browser/stack.mjs';

const APP = join(root, 'target', 'debug', 'regie-app');
const PORT = 4454;
let stack;
let driver;
let app;
let env;

async function waitForDriver() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/status`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('tauri-driver did not start');
}

before(async () => {
  assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run under dbus-run-session');
  stack = await startStack();
  env = {
    ...process.env,
    REGIE_APP_DATA_DIR: join(stack.dir, 'app-wallet'),
    XDG_DATA_HOME: join(stack.dir, 'xdg-data'),
    XDG_CONFIG_HOME: join(stack.dir, 'xdg-config'),
    XDG_CACHE_HOME: join(stack.dir, 'xdg-cache'),
    REGIE_WALLET_TRUST_LIST: join(stack.dir, 'trust-list.jwt'),
  };
  const tauriDriver = process.env.TAURI_DRIVER || join(process.env.HOME, '.cargo', 'bin', 'tauri-driver');
  driver = spawn(tauriDriver, ['--port', String(PORT), '--native-port', String(PORT + 1)], {
    stdio: ['ignore', 'ignore', 'inherit'], env,
  });
  await waitForDriver();
  app = await remote({
    hostname: '127.0.0.1',
    port: PORT,
    logLevel: 'error',
    capabilities: {
      browserName: 'wry',
      'tauri:options': { application: APP, args: [] },
      'wdio:enforceWebDriverClassic': true,
    },
  });
});

after(async () => {
  await app?.deleteSession().catch(() => {});
  driver?.kill();
  await stack?.stop();
});

const h1 = async () => (await app.$('h1')).getText();
async function waitForH1(pattern) {
  await app.waitUntil(async () => pattern.test(await h1()), { timeout: 20_000, timeoutMsg: `heading ${pattern}` })
    .catch(async (e) => {
      await app.saveScreenshot(join(screenshots, 'app-one-window-failure.png')).catch(() => {});
      throw new Error(`${e.message}; the window shows "${await h1().catch(() => '?')}"`);
    });
}

test('a link opened while the app runs reaches the open window, and the second start ends', async () => {
  await waitForH1(/Welkom bij Regie/);
  await (await app.$('#pin-nieuw')).setValue('739164');
  await (await app.$('#pin-herhaal')).setValue('739164');
  await (await app.$('button=Maak mijn wallet')).click();
  await waitForH1(/Mijn gegevens/);

  const r = await fetch(`${stack.verifierUrl}/api/sessions`, {
    method: 'POST',
    headers: { authorization: 'Bearer demo-woonstichting-key', 'content-type': 'application/json' },
    body: JSON.stringify({
      purpose: 'aanvraag-medehuur',
      dcql_query: { credentials: [{ id: 'woon', format: 'dc+sd-jwt', meta: { vct_values: ['urn:regie:woonhistorie:1'] },
        claims: [{ path: ['family_name'] }] }] },
    }),
  });
  assert.equal(r.status, 201);
  const session = await r.json();

  // The desktop starts regie-app with the link; that second process must end by itself.
  const started = Date.now();
  const second = spawn(APP, [session.link], { env, stdio: 'ignore' });
  const code = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { second.kill(); reject(new Error('the second start kept running')); }, 10_000);
    second.on('exit', (c) => { clearTimeout(timer); resolve(c); });
  });
  assert.equal(code, 0);
  console.log(`# the second start handed over and ended in ${Date.now() - started} ms`);

  // The running window shows the request: who asks, and the verdict.
  await waitForH1(/Woonstichting Voorbeeld/);
  await app.saveScreenshot(join(screenshots, 'app-one-window-request.png'));
});
