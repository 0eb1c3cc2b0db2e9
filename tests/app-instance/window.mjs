// The real app window for the tests in this folder: tauri-driver on a port of the test's own,
// the debug regie-app with a fresh wallet and the stack's trust list, and waiting for a screen.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { remote } from 'webdriverio';
import { root, screenshots } from '../browser/stack.mjs';

export const APP = join(root, 'target', 'debug', 'regie-app');
const axeSource = readFileSync(join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

async function waitForDriver(port) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('tauri-driver did not start');
}

/** axe-core in the app's web view (a WebdriverIO session): the WCAG 2.2 A/AA rules it can
 * check; fails with the violations listed. */
export async function assertAccessibleIn(app, what) {
  await app.execute(`${axeSource}; return true;`);
  const violations = await app.executeAsync((done) => {
    window.axe
      .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
      .then((r) => done(r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`)));
  });
  assert.deepEqual(violations, [], `${what}: accessibility violations`);
}

/** The app's environment for `stack` plus `extra`; the window (`application`, the debug build
 * unless told) started through tauri-driver. */
export async function startWindow(stack, port, extra = {}, application = APP) {
  const env = {
    ...process.env,
    REGIE_APP_DATA_DIR: join(stack.dir, `app-wallet-${port}`),
    XDG_DATA_HOME: join(stack.dir, 'xdg-data'),
    XDG_CONFIG_HOME: join(stack.dir, 'xdg-config'),
    XDG_CACHE_HOME: join(stack.dir, 'xdg-cache'),
    REGIE_WALLET_TRUST_LIST: join(stack.dir, 'trust-list.jwt'),
    ...extra,
  };
  const tauriDriver = process.env.TAURI_DRIVER || join(process.env.HOME, '.cargo', 'bin', 'tauri-driver');
  const driver = spawn(tauriDriver, ['--port', String(port), '--native-port', String(port + 1)], {
    stdio: ['ignore', 'ignore', 'inherit'], env,
  });
  await waitForDriver(port);
  const app = await remote({
    hostname: '127.0.0.1',
    port,
    logLevel: 'error',
    capabilities: {
      browserName: 'wry',
      'tauri:options': { application, args: [] },
      'wdio:enforceWebDriverClassic': true,
    },
  });
  const h1 = async () => (await app.$('h1')).getText();
  return {
    app,
    env,
    async waitForH1(pattern, timeout = 20_000) {
      await app.waitUntil(async () => pattern.test(await h1()), { timeout, timeoutMsg: `heading ${pattern}` })
        .catch(async (e) => {
          await app.saveScreenshot(join(screenshots, `app-failure-${port}.png`)).catch(() => {});
          throw new Error(`${e.message}; the window shows "${await h1().catch(() => '?')}"`);
        });
    },
    shot: (name) => app.saveScreenshot(join(screenshots, `app-${name}.png`)),
    /** Screenshots as on a desktop and on a 360 px phone, then the window as it was. */
    async shotBothSizes(name) {
      await app.setWindowSize(1024, 768);
      await this.shot(name);
      await app.setWindowSize(360, 740);
      await this.shot(`${name}-phone`);
      await app.setWindowSize(440, 820);
    },
    assertAccessible: (what) => assertAccessibleIn(app, what),
    /** Opens the wallet on the unlock screen with `pin`, up to its home screen. */
    async unlock(pin) {
      await this.waitForH1(/Open Regie/);
      await (await app.$('#pin-open')).setValue(pin);
      await (await app.$('button=Openen')).click();
      await this.waitForH1(/Mijn gegevens/);
    },
    async createWallet(pin) {
      await this.waitForH1(/Welkom bij Regie/);
      await (await app.$('#pin-nieuw')).setValue(pin);
      await (await app.$('#pin-herhaal')).setValue(pin);
      await (await app.$('button=Maak mijn wallet')).click();
      await this.waitForH1(/Mijn gegevens/);
    },
    async stop() {
      await app.deleteSession().catch(() => {});
      const exited = driver.exitCode !== null ? Promise.resolve()
        : new Promise((resolve) => driver.once('exit', resolve));
      driver.kill();
      await exited;
      // The window's web processes end a moment after the driver.
      await new Promise((r) => setTimeout(r, 500));
    },
  };
}

/** A housing corporation's session at the stack's verifier: its id and wallet link. */
export async function housingSession(stack) {
  const r = await fetch(`${stack.verifierUrl}/api/sessions`, {
    method: 'POST',
    headers: { authorization: 'Bearer demo-woonstichting-key', 'content-type': 'application/json' },
    body: JSON.stringify({
      purpose: 'aanvraag-medehuur',
      dcql_query: { credentials: [{ id: 'woon', format: 'dc+sd-jwt', meta: { vct_values: ['urn:regie:woonhistorie:1'] },
        claims: [{ path: ['family_name'] }] }] },
    }),
  });
  if (r.status !== 201) throw new Error(`session: ${r.status}`);
  return r.json();
}
