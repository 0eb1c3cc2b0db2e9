// The real app window (Tauri, WebKitGTK) under Xvfb, driven by WebDriver through
// tauri-driver: a citizen sets a PIN, collects an address history from the real issuer,
// answers a housing corporation's request from the real verifier (and declines another),
// and sees history and sharing; wrong PINs and bad links get clear messages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { remote } from 'webdriverio';
import { startStack, root, screenshots } from '../browser/stack.mjs';

const APP = join(root, 'target', 'debug', 'regie-app');
const HOUSING_KEY = 'demo-woonstichting-key';
let stack;
let driver;
let app;

async function waitForPort(port) {
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/status`);
      if (r.ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('tauri-driver did not start');
}

before(async () => {
  stack = await startStack();
  const tauriDriver = process.env.TAURI_DRIVER || join(process.env.HOME, '.cargo', 'bin', 'tauri-driver');
  driver = spawn(tauriDriver, ['--port', '4444', '--native-port', '4445'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      REGIE_APP_DATA_DIR: join(stack.dir, 'app-wallet'),
      // The web view keeps its storage (the language choice) under XDG folders: a fresh
      // set per run, as on a new device.
      XDG_DATA_HOME: join(stack.dir, 'xdg-data'),
      XDG_CONFIG_HOME: join(stack.dir, 'xdg-config'),
      XDG_CACHE_HOME: join(stack.dir, 'xdg-cache'),
      REGIE_WALLET_TRUST_LIST: join(stack.dir, 'trust-list.jwt'),
    },
  });
  await waitForPort(4444);
  app = await remote({
    hostname: '127.0.0.1',
    port: 4444,
    logLevel: 'error',
    capabilities: {
      browserName: 'wry',
      'tauri:options': { application: APP },
      'wdio:enforceWebDriverClassic': true,
    },
  });
});

after(async () => {
  await app?.deleteSession().catch(() => {});
  driver?.kill();
  await stack?.stop();
});

// axe-core, injected into the app's web view, checks the WCAG 2.2 A/AA rules it can.
const axeSource = readFileSync(join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
async function assertAccessible(what) {
  await app.execute(`${axeSource}; return true;`);
  const violations = await app.executeAsync((done) => {
    window.axe
      .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
      .then((r) => done(r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`)));
  });
  assert.deepEqual(violations, [], `${what}: accessibility violations`);
}

const shot = (name) => app.saveScreenshot(join(screenshots, `app-${name}.png`));
const text = async (selector) => (await app.$(selector)).getText();
const h1 = () => text('h1');
async function waitForH1(pattern) {
  await app.waitUntil(async () => pattern.test(await h1()), { timeout: 20_000, timeoutMsg: `heading ${pattern}` });
}
async function click(selector) {
  await (await app.$(selector)).click();
}
async function fill(selector, value) {
  const el = await app.$(selector);
  await el.clearValue();
  await el.setValue(value);
}
async function buttonWithText(label) {
  const el = await app.$(`button=${label}`);
  await el.waitForClickable({ timeout: 10_000 });
  return el;
}
async function createSession(body) {
  const r = await fetch(`${stack.verifierUrl}/api/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${HOUSING_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(r.status, 201);
  return r.json();
}
async function sessionStatus(id) {
  const r = await fetch(`${stack.verifierUrl}/api/sessions/${id}`, { headers: { authorization: `Bearer ${HOUSING_KEY}` } });
  return r.json();
}
const housing = {
  purpose: 'aanvraag-medehuur',
  dcql_query: { credentials: [{ id: 'woon', format: 'dc+sd-jwt', meta: { vct_values: ['urn:regie:woonhistorie:1'] },
    claims: [{ path: ['given_name'] }, { path: ['family_name'] }, { path: ['birthdate'] }, { path: ['addresses', null] }] }] },
};

test('a new wallet asks for a PIN and refuses an easy one', async () => {
  await waitForH1(/Welkom bij Regie/);
  assert.equal(await app.execute(() => document.documentElement.lang), 'nl');
  await assertAccessible('welcome');
  await shot('welcome');
  await fill('#pin-nieuw', '123456');
  await fill('#pin-herhaal', '123456');
  await (await buttonWithText('Maak mijn wallet')).click();
  await app.waitUntil(async () => (await text('#fout')).includes('te makkelijk'), { timeout: 10_000 });
  await fill('#pin-nieuw', '482915');
  await fill('#pin-herhaal', '482915');
  await (await buttonWithText('Maak mijn wallet')).click();
  await waitForH1(/Mijn gegevens/);
  assert.match(await text('#gegevens'), /nog geen gegevens/);
  await shot('empty');
});

test('the citizen collects an address history from the municipality', async () => {
  await click('#toevoegen');
  await waitForH1(/Gegevens toevoegen/);
  await fill('#offer-link', 'https://nep.example/niet-een-aanbod');
  await (await buttonWithText('Ophalen')).click();
  await app.waitUntil(async () => (await text('#fout')).includes('geen geldige link'), { timeout: 10_000 });
  await fill('#offer-link', await stack.offer('woonhistorie'));
  await (await buttonWithText('Ophalen')).click();
  await waitForH1(/Ontvangen: Woonhistorie/);
  await shot('received');
  await click('#terug');
  await waitForH1(/Mijn gegevens/);
  assert.match(await text('#gegevens'), /Woonhistorie/);
  assert.match(await text('#gegevens'), /5 van 5 kopieën ongebruikt/);
  await assertAccessible('home');
  await shot('home');
});

test('a housing corporation asks; the citizen sees who, why and what, and shares with the PIN', async () => {
  const session = await createSession(housing);
  await click('#beantwoorden');
  await fill('#request-link', session.link);
  await (await buttonWithText('Bekijk het verzoek')).click();
  await waitForH1(/Woonstichting Voorbeeld/);
  assert.match(await text('#oordeel'), /past bij waarvoor de organisatie is geregistreerd/);
  const asked = await text('#gevraagd');
  assert.match(asked, /Achternaam\s*Moulin/);
  assert.match(asked, /Adressen/);
  assert.match(await text('main'), /Aanvraag medehuur/);
  await assertAccessible('consent');
  await shot('consent');
  // A wrong PIN shares nothing and keeps the request on screen.
  await fill('#pin-delen', '000000');
  await click('#delen');
  await app.waitUntil(async () => (await text('#fout')).includes('klopt niet'), { timeout: 10_000 });
  assert.equal((await sessionStatus(session.session_id)).status, 'retrieved');
  await fill('#pin-delen', '482915');
  await click('#delen');
  await waitForH1(/Gedeeld met Woonstichting Voorbeeld/);
  const done = await sessionStatus(session.session_id);
  assert.equal(done.status, 'done');
  assert.equal(done.claims.woon.family_name, 'Moulin');
  await shot('shared');
  await click('#terug');
});

test('declining sends "geweigerd" to the verifier', async () => {
  const session = await createSession(housing);
  await waitForH1(/Mijn gegevens/);
  await click('#beantwoorden');
  await fill('#request-link', session.link);
  await (await buttonWithText('Bekijk het verzoek')).click();
  await waitForH1(/Woonstichting Voorbeeld/);
  await click('#weigeren');
  await waitForH1(/geweigerd/);
  assert.equal((await sessionStatus(session.session_id)).status, 'denied');
  await click('#terug');
});

/** Hands the app a picture as if the citizen chose it in the file dialog. */
async function choosePicture(bytes) {
  await app.execute((b64) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const input = document.getElementById('qr-foto');
    const files = new DataTransfer();
    files.items.add(new File([data], 'qr.png', { type: 'image/png' }));
    input.files = files.files;
    input.dispatchEvent(new Event('change'));
  }, Buffer.from(bytes).toString('base64'));
}

test('a photo of a request QR code opens the consent screen; other pictures are explained', async () => {
  await waitForH1(/Mijn gegevens/);
  await choosePicture(readFileSync(join(screenshots, 'app-home.png')));
  await app.waitUntil(async () => (await text('#fout')).includes('geen leesbare QR-code'), { timeout: 15_000 });
  const session = await createSession(housing);
  const qr = await (await fetch(`${stack.verifierUrl}/api/sessions/${session.session_id}/qr.png`)).arrayBuffer();
  await choosePicture(qr);
  await waitForH1(/Woonstichting Voorbeeld/);
  assert.match(await text('#oordeel'), /past bij waarvoor/);
  await click('#weigeren');
  await waitForH1(/geweigerd/);
  await click('#terug');
});

test('history and sharing overview show what happened', async () => {
  await (await buttonWithText('Geschiedenis')).click();
  await waitForH1(/Geschiedenis/);
  const events = await text('#geschiedenis');
  assert.match(events, /Gedeeld met Woonstichting Voorbeeld/);
  assert.match(events, /Geweigerd: Woonstichting Voorbeeld/);
  assert.match(events, /Ontvangen: Woonhistorie/);
  await assertAccessible('history');
  await shot('history');
  await (await buttonWithText('Gedeeld')).click();
  await waitForH1(/Wie heeft mijn gegevens/);
  assert.match(await text('#gedeeld'), /Woonstichting Voorbeeld \(fictief\)/);
  await shot('sharing');
});

test('locking, a wrong PIN, and English', async () => {
  await (await buttonWithText('Instellingen')).click();
  await waitForH1(/Instellingen/);
  await click('#vergrendelen');
  await waitForH1(/Open Regie/);
  await fill('#pin-open', '111111');
  await (await buttonWithText('Openen')).click();
  await app.waitUntil(async () => (await text('#fout')).includes('klopt niet'), { timeout: 10_000 });
  await fill('#pin-open', '482915');
  await (await buttonWithText('Openen')).click();
  await waitForH1(/Mijn gegevens/);
  await (await buttonWithText('Instellingen')).click();
  await click('#taal-en');
  await waitForH1(/Settings/);
  assert.equal(await app.execute(() => document.documentElement.lang), 'en');
  await (await buttonWithText('Data')).click();
  await waitForH1(/My data/);
  assert.match(await text('#gegevens'), /Address history/);
  await shot('home-en');
});
