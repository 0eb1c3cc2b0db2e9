// The real app window (Tauri, WebKitGTK) under Xvfb, driven by WebDriver through
// tauri-driver: a citizen sets a PIN, collects an address history from the real issuer,
// answers a housing corporation's request from the real verifier (and declines another),
// signs the municipality's consent statement, and sees history and sharing (the statement
// in Regie's words); wrong PINs and bad links get clear messages; a credential and a request
// carrying hostile strings show them as text and run no script.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remote } from 'webdriverio';
import { startStack, root, screenshots, ADMIN_TOKEN, BSN } from '../browser/stack.mjs';
import { startHostileParty } from './hostile-party.mjs';
import { assertAccessibleIn } from '../app-instance/window.mjs';
import {
  SCRIPT, ATTRIBUTE, URLISH, RTL, BIDI_CONTROLS, shownAs, HOSTILE_BSN, hostileFixtures,
} from '../browser/hostile-data.mjs';

const APP = join(root, 'target', 'debug', 'regie-app');
const HOUSING_KEY = 'demo-woonstichting-key';
let stack;
let driver;
let app;
// The official test persons and one with hostile names and address (hostile-data.mjs).
const fixtures = mkdtempSync(join(tmpdir(), 'regie-app-brp-'));

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
  stack = await startStack({ fixtures: hostileFixtures(fixtures) });
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
  app = await openApp([]);
});

/** Starts the app window (with `args`, as the desktop passes a clicked link). */
function openApp(args) {
  return remote({
    hostname: '127.0.0.1',
    port: 4444,
    logLevel: 'error',
    capabilities: {
      browserName: 'wry',
      'tauri:options': { application: APP, args },
      'wdio:enforceWebDriverClassic': true,
    },
  });
}

after(async () => {
  await app?.deleteSession().catch(() => {});
  driver?.kill();
  await stack?.stop();
  rmSync(fixtures, { recursive: true, force: true });
});

// axe-core, injected into the app's web view, checks the WCAG 2.2 A/AA rules it can.
const assertAccessible = (what) => assertAccessibleIn(app, what);

const shot = (name) => app.saveScreenshot(join(screenshots, `app-${name}.png`));
const text = async (selector) => (await app.$(selector)).getText();
const h1 = () => text('h1');
async function waitForH1(pattern) {
  try {
    await app.waitUntil(async () => pattern.test(await h1()), { timeout: 20_000, timeoutMsg: `heading ${pattern}` });
  } catch (e) {
    // What the window showed instead, for whoever reads the failure.
    await shot('failure').catch(() => {});
    throw new Error(`${e.message}; the window shows "${await h1().catch(() => '?')}" (target/screenshots/app-failure.png)`);
  }
}
// Only the content area scrolls; bring an element to its middle before pressing it.
async function press(el) {
  await el.scrollIntoView({ block: 'center' });
  await el.click();
}
async function click(selector) {
  await press(await app.$(selector));
}
async function fill(selector, value) {
  const el = await app.$(selector);
  await el.clearValue();
  await el.setValue(value);
}
async function buttonWithText(label) {
  const el = await app.$(`button=${label}`);
  await el.waitForExist({ timeout: 10_000 });
  await el.scrollIntoView({ block: 'center' });
  await el.waitForClickable({ timeout: 10_000 });
  return el;
}
async function createSession(body, key = HOUSING_KEY) {
  const r = await fetch(`${stack.verifierUrl}/api/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(r.status, 201);
  return r.json();
}
async function sessionStatus(id, key = HOUSING_KEY) {
  const r = await fetch(`${stack.verifierUrl}/api/sessions/${id}`, { headers: { authorization: `Bearer ${key}` } });
  return r.json();
}
// The main occupant consents to a move to their address: a real case at the municipality.
// Auke Postma reports in the portal that he moves in with Suzanne Moulin (the app's holder,
// alone at Boterdiep 31, 3077AW Rotterdam); the case asks her through the verifier.
const AUKE = '999996320';
let SENTENCE_NL = '';
let SENTENCE_EN = '';
const pageText = (html, id) => {
  const at = html.indexOf(`id="${id}"`);
  const inner = html.slice(html.indexOf('>', at) + 1, html.indexOf('</', at));
  return inner.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
};
const hrefOf = (html, id) => {
  const marker = `id="${id}" href="`;
  const at = html.indexOf(marker) + marker.length;
  return html.slice(at, html.indexOf('"', at)).replace(/&amp;/g, '&');
};
async function reportMoveToSuzanne() {
  const login = await fetch(`${stack.issuerUrl}/inloggen`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams({ bsn: AUKE }),
  });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const date = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  const started = await fetch(`${stack.issuerUrl}/mijn/verhuizen`, {
    method: 'POST', redirect: 'manual', headers: { cookie },
    body: new URLSearchParams({ postcode: '3077 AW', huisnummer: '31', datum: date }),
  });
  assert.equal(started.status, 303);
  const path = started.headers.get('location');
  const caseRef = path.split('/').pop();
  const nl = await (await fetch(`${stack.issuerUrl}${path}`, { headers: { cookie } })).text();
  const en = await (await fetch(`${stack.issuerUrl}${path}?lang=en`, { headers: { cookie } })).text();
  SENTENCE_NL = pageText(nl, 'verklaring');
  SENTENCE_EN = pageText(en, 'verklaring');
  return { caseRef, link: hrefOf(nl, 'same-device') };
}
async function caseState(caseRef) {
  const r = await fetch(`${stack.issuerUrl}/api/cases/${caseRef}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return (await r.json()).state;
}
/** Takes a screenshot as on a desktop and as on a 360 px phone, then restores the window. */
async function shotBothSizes(name) {
  await app.setWindowSize(1024, 768);
  await shot(name);
  await app.setWindowSize(360, 740);
  await shot(`${name}-phone`);
  await app.setWindowSize(440, 820);
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

test('a statement the app does not know is blocked, shown nowhere, and the party is told', async () => {
  const hostile = await startHostileParty(root);
  try {
    // The housing corporation's own purpose and a fair question, with a payment to sign.
    const link = hostile.request({
      purpose: 'aanvraag-medehuur',
      dcql_query: housing.dcql_query,
      transaction_data: [Buffer.from(JSON.stringify({ type: 'payment', credential_ids: ['woon'], payee: 'Evil BV',
        amount: '5000 EUR', text: 'Ik machtig Evil BV tot een betaling van 5000 euro' })).toString('base64url')],
    });
    await waitForH1(/Mijn gegevens/);
    await click('#beantwoorden');
    await fill('#request-link', link);
    await (await buttonWithText('Bekijk het verzoek')).click();
    await waitForH1(/Woonstichting Voorbeeld/);
    assert.match(await text('#oordeel'), /Geblokkeerd: u zou een verklaring ondertekenen die deze app niet kent/);
    assert.doesNotMatch(await text('main'), /Evil BV|5000/, "the party's own text is never shown");
    assert.equal((await app.$$('#delen')).length, 0, 'there is no way to share');
    await assertAccessible('blocked statement');
    await shot('blocked-statement');
    await app.setWindowSize(360, 740);
    await shot('blocked-statement-phone');
    await app.setWindowSize(440, 820);
    await click('#weigeren');
    await waitForH1(/geweigerd/);
    assert.equal(hostile.answers.length, 1);
    assert.equal(hostile.answers[0].error, 'invalid_transaction_data');
    assert.equal(hostile.answers[0].vp_token, undefined);
    await click('#terug');
  } finally {
    await hostile.stop();
  }
});

test('a main occupant consents in the app to a move to her address; the municipality processes it', async () => {
  await waitForH1(/Mijn gegevens/);
  await click('#toevoegen');
  await waitForH1(/Gegevens toevoegen/);
  await fill('#offer-link', await stack.offer('uittreksel-brp'));
  await (await buttonWithText('Ophalen')).click();
  await waitForH1(/Ontvangen:/);
  await click('#terug');
  await waitForH1(/Mijn gegevens/);
  const { caseRef, link } = await reportMoveToSuzanne();
  assert.match(SENTENCE_NL, /^Ik woon op Boterdiep 31, 3077AW Rotterdam en geef toestemming dat Auke Postma zich vanaf .* op mijn adres inschrijft\. Zaaknummer: VH-/);
  assert.equal(await caseState(caseRef), 'waiting');
  await click('#beantwoorden');
  await fill('#request-link', link);
  await (await buttonWithText('Bekijk het verzoek')).click();
  await waitForH1(/Gemeente Voorbeeldstad/);
  assert.match(await text('#oordeel'), /past bij waarvoor/);
  assert.ok((await text('main')).includes(SENTENCE_NL), 'the consent screen shows the sentence');
  await shotBothSizes('consent-move');
  await fill('#pin-delen', '482915');
  await click('#delen');
  await waitForH1(/Gedeeld met Gemeente Voorbeeldstad/);
  assert.equal(await caseState(caseRef), 'complete', 'the municipality accepted the consent');
  await click('#terug');
});

test('history and sharing overview show what happened', async () => {
  await (await buttonWithText('Geschiedenis')).click();
  await waitForH1(/Geschiedenis/);
  const events = await text('#geschiedenis');
  assert.match(events, /Gedeeld met Woonstichting Voorbeeld/);
  assert.match(events, /Geweigerd: Woonstichting Voorbeeld/);
  assert.match(events, /Geweigerd: Woonstichting Voorbeeld \(fictief\) \(onbekende verklaring om te ondertekenen\)/);
  assert.match(events, /Ontvangen: Woonhistorie/);
  // The signed statement in Regie's words, with the address and the case number.
  assert.match(events, /Verklaring ondertekend voor Gemeente Voorbeeldstad/);
  assert.ok(events.includes(`U verklaarde: ${SENTENCE_NL}`), events);
  await assertAccessible('history');
  await shot('history');
  await shotBothSizes('history-statement');
  await (await buttonWithText('Gedeeld')).click();
  await waitForH1(/Wie heeft mijn gegevens/);
  const shared = await text('#gedeeld');
  assert.match(shared, /Woonstichting Voorbeeld \(fictief\)/);
  assert.match(shared, /Verklaringen die u ondertekende/);
  assert.ok(shared.includes(`U verklaarde: ${SENTENCE_NL}`), shared);
  await assertAccessible('sharing');
  await shot('sharing');
  await shotBothSizes('sharing-statement');
});

async function lockAndOpen(pin) {
  await (await buttonWithText('Instellingen')).click();
  await waitForH1(/Instellingen/);
  await click('#vergrendelen');
  await waitForH1(/Open Regie/);
  await fill('#pin-open', pin);
  await (await buttonWithText('Openen')).click();
  await waitForH1(/Mijn gegevens/);
}

test('after a move the credential is outdated and is renewed with the new address', async () => {
  const moved = await fetch(`${stack.issuerUrl}/api/persons/${BSN}/move`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ street: 'Nieuwe Gracht', house_number: 7, postal_code: '3512 LA',
      locality: 'Utrecht', municipality: 'Utrecht', date: '2026-11-01' }),
  });
  assert.equal(moved.status, 200);
  // The wallet checks the status lists when it is opened.
  await lockAndOpen('482915');
  assert.match(await text('#gegevens'), /Verouderd: ingetrokken door de uitgever/);
  await (await buttonWithText('Bekijken: Woonhistorie')).click();
  await click('#vernieuwen');
  await app.waitUntil(async () => (await text('main')).includes('Vernieuwd.'), { timeout: 20_000 });
  assert.match(await text('#status'), /Geldig tot/);
  assert.match(await text('main'), /Nieuwe Gracht 7, 3512 LA Utrecht/);
  await assertAccessible('renewed');
  await shot('renewed');
  await click('#terug');
});

test('changing the PIN, locking, a wrong PIN, and English', async () => {
  await (await buttonWithText('Instellingen')).click();
  await waitForH1(/Instellingen/);
  await fill('#pin-oud', '482915');
  await fill('#pin-nieuw2', '739164');
  await fill('#pin-herhaal2', '739164');
  await (await buttonWithText('Pincode veranderen')).click();
  await app.waitUntil(async () => (await text('#pin-veranderd')).includes('veranderd'), { timeout: 10_000 });
  await assertAccessible('settings');
  await click('#vergrendelen');
  await waitForH1(/Open Regie/);
  await fill('#pin-open', '482915');
  await (await buttonWithText('Openen')).click();
  await app.waitUntil(async () => (await text('#fout')).includes('klopt niet'), { timeout: 10_000 });
  await fill('#pin-open', '739164');
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
  await (await buttonWithText('History')).click();
  await waitForH1(/History/);
  assert.ok((await text('#geschiedenis')).includes(`You declared: ${SENTENCE_EN}`));
  await assertAccessible('history in English');
  await shotBothSizes('history-statement-en');
  await (await buttonWithText('Shared')).click();
  await waitForH1(/Who has my data/);
  assert.ok((await text('#gedeeld')).includes(`You declared: ${SENTENCE_EN}`));
});

test('opened with a request link (as the desktop does for openid4vp://), the app asks right after the PIN', async () => {
  const session = await createSession(housing);
  await app.deleteSession();
  app = await openApp([session.link]);
  await waitForH1(/Open Regie/);
  await fill('#pin-open', '739164');
  await (await buttonWithText('Open')).click();
  await waitForH1(/Woonstichting Voorbeeld/);
  assert.match(await text('#oordeel'), /fits what the organisation is registered for/);
  await fill('#pin-delen', '739164');
  await click('#delen');
  await waitForH1(/Shared with Woonstichting Voorbeeld/);
  assert.equal((await sessionStatus(session.session_id)).status, 'done');
  await shot('shared-en');
});

/** No script of the hostile strings ran in the window, none became an element, and each of
 * `texts` is in the window as text. */
async function assertHarmless(what, texts) {
  const seen = await app.execute(() => ({
    pwned: window.__pwned ?? null,
    scripts: [...document.scripts].filter((s) => s.textContent.includes('__pwned')).length,
    images: document.querySelectorAll('img[src="x"], [onerror]').length,
    text: document.body.textContent,
  }));
  assert.deepEqual({ pwned: seen.pwned, scripts: seen.scripts, images: seen.images },
    { pwned: null, scripts: 0, images: 0 }, `${what}: a script ran or markup was injected`);
  for (const t of texts) assert.ok(seen.text.includes(shownAs(t)), `${what}: ${JSON.stringify(t)} is shown as text`);
  assert.ok(!BIDI_CONTROLS.test(seen.text), `${what}: a reordering control reached the screen`);
}

test('a credential and a request carrying hostile strings show them as text and run no script', async () => {
  // The window is in English now (the test before), on the shared screen.
  await click('#terug');
  await (await app.$('#toevoegen')).waitForExist({ timeout: 20_000 });
  await click('#toevoegen');
  await fill('#offer-link', await stack.offer('uittreksel-brp', HOSTILE_BSN));
  await (await buttonWithText('Collect')).click();
  await waitForH1(/Received/);
  await click('#terug');
  await (await app.$('#gegevens li')).waitForExist({ timeout: 20_000 });
  // The hostile person's extract is one of the cards: open each until its rows show.
  let found = false;
  const cards = (await app.$$('#gegevens li button')).length;
  for (let i = 0; i < cards && !found; i++) {
    await press((await app.$$('#gegevens li button'))[i]);
    await (await app.$('#terug')).waitForExist({ timeout: 10_000 });
    found = (await app.execute(() => document.body.textContent)).includes(SCRIPT);
    if (!found) {
      await click('#terug');
      await (await app.$('#gegevens li')).waitForExist({ timeout: 10_000 });
    }
  }
  assert.ok(found, "the hostile person's extract is in the wallet");
  await assertHarmless('hostile credential', [SCRIPT, ATTRIBUTE, URLISH, RTL]);
  await shotBothSizes('hostile-credential');
  await click('#terug');

  // The municipality asks consent with a statement whose fields are hostile: the app writes
  // its own sentence from them, as text.
  const address = `${ATTRIBUTE} ${URLISH}`;
  const session = await createSession({
    purpose: 'toestemming-inschrijving',
    dcql_query: { credentials: [{ id: 'brp', format: 'dc+sd-jwt', meta: { vct_values: ['urn:regie:uittreksel-brp:1'] },
      claims: [{ path: ['given_name'] }, { path: ['family_name'] }, { path: ['bsn'] }, { path: ['address'] }] }] },
    transaction_data: [{ type: 'regie_toestemming_inschrijving', credential_ids: ['brp'], address, new_resident: SCRIPT, date: '2027-01-15' }],
  }, 'demo-gemeente-key');
  await (await app.$('#beantwoorden')).waitForExist({ timeout: 20_000 });
  await click('#beantwoorden');
  await fill('#request-link', session.link);
  await (await buttonWithText('View the request')).click();
  await waitForH1(/Gemeente Voorbeeldstad/);
  await assertHarmless('hostile statement', [address, SCRIPT]);
  assert.ok((await text('main')).includes(SCRIPT), 'the statement names the new resident as text');
  await shotBothSizes('hostile-statement');
  await click('#weigeren');
  await waitForH1(/declined/i);
  assert.equal((await sessionStatus(session.session_id, 'demo-gemeente-key')).status, 'denied');
  await click('#terug');
});
