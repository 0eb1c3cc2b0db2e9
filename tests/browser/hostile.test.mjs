// Hostile strings in every field that reaches a page: a BRP test person of this run only
// (its names, birthplace and address), a correction text, statement texts, a relying
// party's registration and an uploaded file's name. In a real browser no script may run and
// each string must be shown literally, as text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, root, ADMIN_TOKEN } from './stack.mjs';
import { launch, assertFitsPhone, shot } from './browser.mjs';
import {
  SCRIPT, ATTRIBUTE, URLISH, RTL, BIDI_CONTROLS, shownAs, HOSTILE_BSN, hostileFixtures, hostileParties,
} from './hostile-data.mjs';

let work;
let stack;
let browser;
let context;
const dialogs = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'regie-hostile-'));
  stack = await startStack({
    fixtures: hostileFixtures(mkdtempSync(join(work, 'brp-'))),
    relyingParties: hostileParties(join(work, 'parties')),
  });
  browser = await launch();
  context = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
  context.on('page', (p) => p.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); }));
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function newPage() {
  const page = await context.newPage();
  return page;
}

/** No script of the strings ran, none became an element, and each of `texts` is on the page
 * as text. */
async function assertHarmless(page, what, texts) {
  await page.waitForLoadState('networkidle');
  assert.equal(await page.evaluate(() => window.__pwned), undefined, `${what}: a script ran`);
  assert.deepEqual(dialogs, [], `${what}: a dialog opened`);
  const injected = await page.evaluate(() => ({
    scripts: [...document.scripts].filter((s) => s.textContent.includes('__pwned')).length,
    images: document.querySelectorAll('img[src="x"], [onerror]').length,
    links: [...document.querySelectorAll('[href], [src], [action]')]
      .filter((e) => /^\s*javascript:/i.test(e.getAttribute('href') ?? e.getAttribute('src') ?? e.getAttribute('action'))).length,
  }));
  assert.deepEqual(injected, { scripts: 0, images: 0, links: 0 }, `${what}: markup was injected`);
  const shown = await page.evaluate(() => `${document.title}\n${document.body.textContent}`);
  for (const text of texts) assert.ok(shown.includes(shownAs(text)), `${what}: ${JSON.stringify(text)} is shown as text`);
  assert.ok(!BIDI_CONTROLS.test(shown), `${what}: a reordering control reached the screen`);
}

test('a BRP person with hostile names and address: login, my data, the offer, a correction', async () => {
  const page = await newPage();
  await page.goto(`${stack.issuerUrl}/inloggen`);
  await assertHarmless(page, 'test login', [`${SCRIPT} ${ATTRIBUTE}`, URLISH]);
  await page.check(`input[value="${HOSTILE_BSN}"]`);
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click();
  await page.waitForURL(/\/mijn$/);
  await assertHarmless(page, 'my data', [`U bent ingelogd als ${SCRIPT} ${ATTRIBUTE}.`]);
  await shot(page, 'hostile-mijn');
  await assertFitsPhone(page, 'hostile-mijn');

  await page.getByRole('button', { name: 'Uittreksel BRP', exact: true }).click();
  await page.waitForURL(/\/mijn\/aanvraag\/.+/);
  await assertHarmless(page, 'offer', [SCRIPT, ATTRIBUTE, URLISH, RTL]);
  await shot(page, 'hostile-offer');

  await page.goto(`${stack.issuerUrl}/mijn/correctie`);
  await page.selectOption('#attribuut', 'family_name');
  const explanation = [SCRIPT, ATTRIBUTE, URLISH, RTL].join(' ');
  await page.fill('#uitleg', explanation);
  await page.getByRole('button', { name: 'Versturen' }).click();
  await page.waitForURL(/gedaan=correctie/);
  await assertHarmless(page, 'my corrections', [explanation]);
  assert.ok((await page.textContent('#meldingen')).includes(shownAs(explanation)));
  // The back office answers with hostile text too; the citizen sees it as text.
  const list = await (await fetch(`${stack.issuerUrl}/api/corrections`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  const id = list.corrections.find((c) => c.explanation === explanation).id;
  const answered = await fetch(`${stack.issuerUrl}/api/corrections/${id}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ state: 'in_behandeling', answer: `${ATTRIBUTE}${SCRIPT}` }),
  });
  assert.equal(answered.status, 200);
  await page.goto(`${stack.issuerUrl}/mijn`);
  await assertHarmless(page, 'answered correction', [`(${ATTRIBUTE}${SCRIPT})`]);
  await page.close();
});

test('a move case of the hostile person: its statement, the consent link and the desk', async () => {
  const page = await newPage();
  await page.goto(`${stack.issuerUrl}/inloggen`);
  await page.check(`input[value="${HOSTILE_BSN}"]`);
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click();
  await page.waitForURL(/\/mijn$/);
  await page.goto(`${stack.issuerUrl}/mijn/verhuizen`);
  await page.fill('#postcode', '1014 AW');
  await page.fill('#huisnummer', '14');
  await page.getByRole('button', { name: 'Verder' }).click();
  await page.waitForURL(/\/mijn\/verhuizen\/.+/);
  // The statement names the new resident by their BRP name.
  await assertHarmless(page, 'move case', [`${SCRIPT} ${ATTRIBUTE}`]);
  assert.ok((await page.textContent('#verklaring')).includes(`${SCRIPT} ${ATTRIBUTE}`));
  await shot(page, 'hostile-move-case');
  const share = await page.getAttribute('#deel-link', 'href');
  const reference = await page.textContent('#zaaknummer');

  const occupant = await newPage();
  await occupant.goto(share);
  await assertHarmless(occupant, 'consent link', [`${SCRIPT} ${ATTRIBUTE} wil zich inschrijven op`]);
  await shot(occupant, 'hostile-consent-link');
  await occupant.close();

  const desk = await newPage();
  await desk.goto(`${stack.issuerUrl}/balie`);
  await desk.fill('#token', ADMIN_TOKEN);
  await desk.getByRole('button', { name: 'Inloggen' }).click();
  await desk.waitForURL(/\/balie$/);
  await assertHarmless(desk, 'desk', [`${SCRIPT} ${ATTRIBUTE}`]);
  await desk.goto(`${stack.issuerUrl}/balie/zaak/${reference}`);
  await assertHarmless(desk, 'desk case', [`${SCRIPT} ${ATTRIBUTE} naar`]);
  await shot(desk, 'hostile-desk-case');
  // Hostile text typed into the desk's search comes back in the field as text.
  await desk.goto(`${stack.issuerUrl}/balie?zoek=${encodeURIComponent(ATTRIBUTE.slice(0, 20))}`);
  await assertHarmless(desk, 'desk search', []);
  assert.equal(await desk.inputValue('#zoek'), ATTRIBUTE.slice(0, 20));
  await desk.close();
  await page.close();
});

test('a typed statement with hostile texts, signed by the hostile person, re-verified from a hostile file name', async () => {
  const wallet = await stack.citizenWallet('hostile-wallet', HOSTILE_BSN);
  const page = await newPage();
  await page.goto(`${stack.verifierUrl}/gemeente/verklaring`);
  const address = `${ATTRIBUTE} ${URLISH}`;
  await page.getByLabel('Uw adres', { exact: true }).fill(address);
  await page.getByLabel('Naam van wie zich op uw adres inschrijft').fill(SCRIPT);
  await page.getByLabel('Vanaf welke datum').fill('2027-01-15');
  await page.getByRole('button', { name: 'Ondertekenen met Regie' }).first().click();
  await page.waitForURL(/\/gemeente\/verklaring\/.+/);
  await wallet(['respond', await page.getAttribute('#same-device', 'href'), '--approve'], 2);
  await page.waitForSelector('#download', { timeout: 20_000 });
  await assertHarmless(page, 'signed statement', [
    `Ik woon op ${address} en geef toestemming dat ${SCRIPT} zich`,
    `Ondertekend door ${SCRIPT} ${ATTRIBUTE}`,
  ]);
  await shot(page, 'hostile-statement-signed');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const buffer = readFileSync(await download.path());
  await page.goto(`${stack.verifierUrl}/valideer`);
  await page.setInputFiles('#document', { name: `${ATTRIBUTE}${RTL}.json`, mimeType: 'application/json', buffer });
  await page.getByRole('button', { name: 'Controleren', exact: true }).click();
  await page.waitForSelector('#verdict');
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'echt');
  await assertHarmless(page, 'statement verdict', [`${SCRIPT} zich`, address]);
  await shot(page, 'hostile-statement-verified');
  // Long unbroken hostile words wrap inside their cells on a phone.
  await assertFitsPhone(page, 'hostile-statement-verified');

  // An image with a hostile name: read (or not) as an image, the name never shown as markup.
  await page.goto(`${stack.verifierUrl}/valideer`);
  const png = readFileSync(join(root, 'icons', '32x32.png'));
  await page.setInputFiles('#document', { name: `${ATTRIBUTE}${URLISH}.png`, mimeType: 'image/png', buffer: png });
  await page.getByRole('button', { name: 'Controleren', exact: true }).click();
  await page.waitForSelector('#verdict');
  await assertHarmless(page, 'image verdict', []);
  await page.close();
});

test("a relying party's hostile registration: its pages and a finished session", async () => {
  const page = await newPage();
  await page.goto(`${stack.verifierUrl}/woonstichting`);
  await assertHarmless(page, 'party page', [`Woonstichting ${SCRIPT}`, `${ATTRIBUTE} ${URLISH}`, RTL]);
  assert.ok((await page.title()).includes(`Woonstichting ${SCRIPT}`));
  await shot(page, 'hostile-party');
  await assertFitsPhone(page, 'hostile-party');

  const wallet = await stack.citizenWallet('hostile-history', HOSTILE_BSN);
  await wallet(['accept-offer', await stack.offer('woonhistorie', HOSTILE_BSN)]);
  await page.getByRole('button', { name: 'Woonhistorie opvragen met Regie' }).click();
  await page.waitForURL(/\/woonstichting\/.+/);
  await assertHarmless(page, 'party session', [`Woonstichting ${SCRIPT}`]);
  await wallet(['respond', await page.getAttribute('#same-device', 'href'), '--approve'], 2);
  await page.waitForSelector('#antwoord', { timeout: 20_000 });
  await assertHarmless(page, 'party result', [SCRIPT, ATTRIBUTE, RTL, URLISH]);
  await shot(page, 'hostile-party-result');
  await page.close();
});
