// The municipality's consent cases in a real browser, answered by real regie-wallet CLIs of
// the BRP test persons: Suzanne Moulin reports a move to the den Braber household and
// Gerrit den Braber consents through the link she shares; a clerk starts a passport case
// for Zoey den Braber with Gerrit at the desk, and Wilma van Zon consents from the portal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startStack, ADMIN_TOKEN } from './stack.mjs';
import { launch, assertAccessible, assertFitsPhone, shot } from './browser.mjs';

const GERRIT = '999994542';
const WILMA = '999993112';
const ZOEY = '999995807';

let stack;
let browser;

before(async () => {
  stack = await startStack();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function citizenPage(name) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${stack.issuerUrl}/inloggen`);
  await page.getByLabel(new RegExp(name)).check();
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click();
  await page.waitForURL(/\/mijn$/);
  return page;
}

test('a move: the applicant shares a link, the main occupant consents, the move is processed', async () => {
  const gerritWallet = await stack.citizenWallet('wallet-gerrit', GERRIT);
  const page = await citizenPage('Suzanne Moulin');
  await page.getByRole('link', { name: /Verhuizing doorgeven/ }).click();
  await assertAccessible(page, 'move form');
  await assertFitsPhone(page, 'issuer-verhuizen');
  await page.getByLabel('Postcode').fill('1014 AW');
  await page.getByLabel('Huisnummer').fill('14');
  await page.getByRole('button', { name: 'Verder' }).click();
  await page.waitForURL(/\/mijn\/verhuizen\/VH-/);
  const main = await page.textContent('main');
  assert.match(main, /Schakelstraat 14 H, 1014AW Amsterdam/);
  assert.match(main, /wacht op toestemming/);
  assert.match(await page.textContent('#verklaring'), /geef toestemming dat Suzanne Moulin zich vanaf .* op mijn adres inschrijft/);
  assert.ok(await page.locator('.regie-qr svg').isVisible(), 'a QR code to scan');
  await assertAccessible(page, 'move case');
  await shot(page, 'issuer-verhuizing-wacht');
  await assertFitsPhone(page, 'issuer-verhuizing-wacht');
  const share = await page.getAttribute('#deel-link', 'href');
  assert.match(await page.inputValue('#deel-tekst'), new RegExp(share.replace(/[.?*+^$()[\]{}|\\]/g, '\\$&')));

  // Gerrit opens the link on "his phone" and answers with his wallet.
  const phoneContext = await browser.newContext({ viewport: { width: 360, height: 800 } });
  const phone = await phoneContext.newPage();
  await phone.goto(share);
  assert.match(await phone.textContent('main'), /Suzanne Moulin wil zich inschrijven op Schakelstraat 14 H/);
  await assertAccessible(phone, 'consent link page');
  await shot(phone, 'issuer-toestemming-link-phone');
  const link = await phone.getAttribute('#same-device', 'href');
  const assessed = await gerritWallet(['assess', link]);
  assert.match(JSON.stringify(assessed), /Suzanne Moulin/);
  await gerritWallet(['respond', link, '--approve']);

  // The applicant's page follows the case by itself.
  await page.waitForSelector('#verwerkt', { timeout: 20_000 });
  assert.match(await page.textContent('#toestemmingen'), /Gerrit den Braber/);
  await assertAccessible(page, 'move processed');
  await shot(page, 'issuer-verhuizing-verwerkt');
  await page.goto(`${stack.issuerUrl}/mijn`);
  assert.match(await page.textContent('#mijn-aanvragen'), /afgerond/);
  await phoneContext.close();
  await page.context().close();
});

test('a child\'s passport: the clerk starts it, one custodian at the desk, the other consents from the portal', async () => {
  const wilmaWallet = await stack.citizenWallet('wallet-wilma', WILMA);
  const clerkContext = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
  const clerk = await clerkContext.newPage();
  await clerk.goto(`${stack.issuerUrl}/balie`);
  await assertAccessible(clerk, 'desk login');
  await clerk.getByLabel('Back-office-sleutel').fill('wrong');
  await clerk.getByRole('button', { name: 'Inloggen' }).click();
  assert.match(await clerk.textContent('#fout'), /klopt niet/);
  await clerk.getByLabel('Back-office-sleutel').fill(ADMIN_TOKEN);
  await clerk.getByRole('button', { name: 'Inloggen' }).click();
  await clerk.getByLabel('BSN van het kind', { exact: true }).fill(ZOEY);
  await clerk.getByLabel('paspoort').check();
  await clerk.getByRole('button', { name: 'Gezag opzoeken en starten' }).click();
  await clerk.waitForURL(/\/balie\/zaak\/RD-/);
  const caseRef = await clerk.textContent('#zaaknummer');
  const table = await clerk.textContent('#gezaghouders');
  assert.match(table, /Gerrit den Braber/);
  assert.match(table, /Wilma van Zon/);
  await clerk.locator('tr', { hasText: 'Gerrit den Braber' }).getByRole('button', { name: 'Is aan de balie' }).click();
  await clerk.waitForURL(/\/balie\/zaak\/RD-/);
  assert.match(await clerk.locator('tr', { hasText: 'Gerrit den Braber' }).textContent(), /aan de balie/);
  assert.ok(await clerk.locator('#toestemming-link').isVisible(), 'a link to print for Wilma');
  await assertAccessible(clerk, 'desk case');
  await shot(clerk, 'issuer-balie-zaak');
  await assertFitsPhone(clerk, 'issuer-balie-zaak');

  // Wilma, at home, picks Zoey from her own record.
  const page = await citizenPage('Wilma van Zon');
  await page.getByRole('link', { name: /reisdocument van uw kind/ }).click();
  assert.match(await page.textContent('main'), /Alexander/);
  await page.getByLabel(/Zoey/).check();
  await page.getByLabel('paspoort').check();
  await assertAccessible(page, 'child consent form');
  await page.getByRole('button', { name: 'Verder' }).click();
  await page.waitForURL(/\/mijn\/reisdocument-kind\/RD-/);
  assert.equal(await page.textContent('#zaaknummer'), caseRef, 'the open case is found by the child');
  await assertAccessible(page, 'child consent case');
  await assertFitsPhone(page, 'issuer-reisdocument-kind');
  const link = await page.getAttribute('#same-device', 'href');
  await wilmaWallet(['respond', link, '--approve']);
  await page.waitForSelector('#uw-toestemming', { timeout: 20_000 });

  // The clerk's page follows: complete; the statement is kept and re-verifies.
  await clerk.waitForSelector('#compleet', { timeout: 20_000 });
  await shot(clerk, 'issuer-balie-compleet');
  const [download] = await Promise.all([
    clerk.waitForEvent('download'),
    clerk.getByRole('link', { name: /Ondertekende verklaring van Wilma van Zon/ }).click(),
  ]);
  const file = JSON.parse(readFileSync(await download.path(), 'utf8'));
  const r = await fetch(`${stack.verifierUrl}/api/statements/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(file),
  });
  const verified = await r.json();
  assert.equal(verified.valid, true, JSON.stringify(verified));
  assert.deepEqual(verified.signer.custody, [{ bsn: ZOEY }], 'only Zoey was shown');
  // The clerk finds the case by the child.
  await clerk.goto(`${stack.issuerUrl}/balie?zoek=${ZOEY}`);
  assert.match(await clerk.textContent('#zaken'), new RegExp(caseRef));
  assert.match(await clerk.textContent('#zaken'), /afgerond/);
  await assertAccessible(clerk, 'desk search');
  await assertFitsPhone(clerk, 'issuer-balie');
  await clerkContext.close();
  await page.context().close();
});
