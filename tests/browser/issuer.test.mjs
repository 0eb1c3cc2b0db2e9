// The municipality's citizen portal in a real browser: the test login, a credential offer
// collected by the real regie-wallet CLI, revoking it, the PDF extract (checked by the
// verifier), and "Klopt er iets niet?" with the back office answering.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startStack, ADMIN_TOKEN } from './stack.mjs';
import { launch, assertAccessible, assertFitsPhone, shot } from './browser.mjs';

let stack;
let browser;
let context;
let page;

before(async () => {
  stack = await startStack();
  await stack.wallet(['init'], 2);
  browser = await launch();
  context = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('without a login the citizen pages send you to the test login', async () => {
  const fresh = await browser.newPage();
  await fresh.goto(`${stack.issuerUrl}/mijn`);
  assert.match(fresh.url(), /\/inloggen$/);
  // A BSN that is not in the test set is refused, and nobody is logged in.
  const r = await fresh.request.post(`${stack.issuerUrl}/inloggen`, { form: { bsn: '999999990' } });
  assert.equal(r.status(), 400);
  await fresh.goto(`${stack.issuerUrl}/mijn`);
  assert.match(fresh.url(), /\/inloggen$/);
  await assertFitsPhone(fresh, 'issuer-login-redirect');
  await fresh.close();
});

test('a citizen logs in with the test login and sees their page', async () => {
  await page.goto(`${stack.issuerUrl}/`);
  await assertAccessible(page, 'portal home');
  await assertFitsPhone(page, 'issuer-home');
  await page.getByRole('link', { name: 'Inloggen met DigiD (test)' }).click();
  assert.match(await page.textContent('main'), /Dit is een test-inlog/);
  await assertAccessible(page, 'test login');
  await shot(page, 'issuer-login');
  await assertFitsPhone(page, 'issuer-login');
  await page.getByLabel(/Suzanne Moulin/).check();
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click();
  await page.waitForURL(/\/mijn$/);
  assert.match(await page.textContent('main'), /U bent ingelogd als Suzanne Moulin/);
  await assertAccessible(page, 'my data');
  await shot(page, 'issuer-mijn');
  await assertFitsPhone(page, 'issuer-mijn');
});

test('an address history is offered by QR code, collected by the wallet, then revoked', async () => {
  await page.goto(`${stack.issuerUrl}/mijn`);
  await page.getByRole('button', { name: 'Woonhistorie', exact: true }).click();
  await page.waitForURL(/\/mijn\/aanvraag\/.+/);
  const main = await page.textContent('main');
  assert.match(main, /Dit komt in uw app/);
  assert.match(main, /Boterdiep 31, 3077AW Rotterdam \(sinds 8 augustus 2015\)/);
  assert.equal(await page.locator('div.regie-qr svg').count(), 1, 'the QR code is shown');
  assert.equal(await page.textContent('#status'), 'wacht op uw app');
  await assertAccessible(page, 'offer');
  await shot(page, 'issuer-offer');
  await assertFitsPhone(page, 'issuer-offer');

  const link = await page.getAttribute('#same-device', 'href');
  assert.match(link, /^openid-credential-offer:\/\/\?credential_offer_uri=/);
  await stack.wallet(['accept-offer', link]);
  await page.getByText('Uw Regie-app heeft de gegevens opgehaald').waitFor({ timeout: 20_000 });
  assert.equal(await page.textContent('#status'), 'ontvangen');
  await shot(page, 'issuer-offer-received');
  await assertFitsPhone(page, 'issuer-offer-received');

  // The BRP extract the same way: both types are now in the wallet.
  await page.goto(`${stack.issuerUrl}/mijn`);
  await page.getByRole('button', { name: 'Uittreksel BRP', exact: true }).click();
  await page.waitForURL(/\/mijn\/aanvraag\/.+/);
  assert.match(await page.textContent('main'), /Burgerservicenummer \(BSN\)999993653/);
  await stack.wallet(['accept-offer', await page.getAttribute('#same-device', 'href')]);
  await page.getByText('Uw Regie-app heeft de gegevens opgehaald').waitFor({ timeout: 20_000 });
  const held = await stack.wallet(['list']);
  assert.deepEqual(held.credentials.map((c) => c.credential_type).sort(), ['uittreksel-brp', 'woonhistorie']);

  // Lost phone: revoke it on the portal; the wallet then sees it as revoked.
  await page.goto(`${stack.issuerUrl}/mijn`);
  const row = page.locator('#uitgegeven tbody tr', { hasText: 'Woonhistorie (in de app)' });
  assert.match(await row.textContent(), /geldig/);
  await row.getByRole('button', { name: 'Intrekken' }).click();
  await page.waitForSelector('#gedaan');
  assert.match(await page.locator('#uitgegeven tbody tr', { hasText: 'Woonhistorie (in de app)' }).textContent(), /ingetrokken/);
  await assertAccessible(page, 'after revoking');
  // Both credentials collected, one revoked: the widest table the portal has.
  await shot(page, 'issuer-mijn-collected');
  await assertFitsPhone(page, 'issuer-mijn-collected');
  const refreshed = await stack.wallet(['refresh']);
  assert.equal(refreshed.revoked.length, 1, JSON.stringify(refreshed));
  // Revoked for a lost phone, that wallet cannot renew it: no fresh copies come.
  const revokedId = held.credentials.find((c) => c.credential_type === 'woonhistorie').id;
  await assert.rejects(stack.wallet(['renew', revokedId]), /invalid_grant/);
});

test('a PDF extract is downloaded and its QR code verifies at the verifier', async () => {
  await page.goto(`${stack.issuerUrl}/mijn`);
  await page.getByLabel('Naam en adres').check();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'PDF downloaden' }).click(),
  ]);
  const file = join(stack.dir, 'portal-extract.pdf');
  await download.saveAs(file);
  const { readFileSync } = await import('node:fs');
  const pdf = readFileSync(file);
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const scan = stack.rasterise(pdf, 'portal-extract');
  const r = await fetch(`${stack.verifierUrl}/api/documents/verify`, {
    method: 'POST',
    headers: { 'content-type': 'image/png' },
    body: readFileSync(scan),
  });
  const verdict = await r.json();
  assert.equal(verdict.verdict, 'echt', JSON.stringify(verdict));
  assert.equal(verdict.kind, 'naam-adres');
  assert.equal(verdict.attributes.family_name, 'Moulin');
  // The extract is listed, and can be revoked like a credential.
  await page.goto(`${stack.issuerUrl}/mijn`);
  assert.match(await page.textContent('#uitgegeven'), /Uittreksel naam en adres \(PDF\)/);
  await assertFitsPhone(page, 'issuer-mijn-with-pdf');
});

test('"Klopt er iets niet?" reaches the back office and the citizen sees its state', async () => {
  await page.goto(`${stack.issuerUrl}/mijn`);
  await page.getByRole('link', { name: 'Meld het hier' }).click();
  await assertAccessible(page, 'correction form');
  await assertFitsPhone(page, 'issuer-correction-form');
  // Bad input: no explanation is refused by the server too.
  const refused = await page.request.post(`${stack.issuerUrl}/mijn/correctie`, {
    form: { attribute: 'birthdate', explanation: '   ' },
  });
  assert.equal(refused.status(), 400);
  await page.getByLabel('Welk gegeven klopt niet?').selectOption('birthdate');
  await page.getByLabel('Wat klopt er niet?').fill('Mijn geboortedag is 2 december, niet 1 december.');
  await page.getByRole('button', { name: 'Versturen' }).click();
  await page.waitForSelector('#gedaan');
  assert.match(await page.textContent('#meldingen'), /Geboortedatum: Mijn geboortedag is 2 december.*ontvangen/);

  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  const list = await (await fetch(`${stack.issuerUrl}/api/corrections`, { headers: admin })).json();
  assert.equal(list.corrections.length, 1);
  assert.equal(list.corrections[0].bsn, '999993653');
  const noToken = await fetch(`${stack.issuerUrl}/api/corrections`);
  assert.equal(noToken.status, 401);
  const update = await fetch(`${stack.issuerUrl}/api/corrections/${list.corrections[0].id}`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ state: 'in_behandeling', answer: 'Wij vragen uw geboorteakte op.' }),
  });
  assert.equal(update.status, 200);
  await page.reload();
  assert.match(await page.textContent('#meldingen'), /in behandeling \(Wij vragen uw geboorteakte op\.\)/);
  await shot(page, 'issuer-mijn-correction');
  await assertFitsPhone(page, 'issuer-mijn-correction');
});

test('the portal speaks English on request and works at phone width', async () => {
  await page.goto(`${stack.issuerUrl}/mijn?lang=en`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('main'), /You are logged in as Suzanne Moulin/);
  await assertFitsPhone(page, 'issuer-mijn-en');
  await page.setViewportSize({ width: 360, height: 800 });
  await assertAccessible(page, 'my data in English');
  // Logging out ends the session.
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.goto(`${stack.issuerUrl}/mijn`);
  assert.match(page.url(), /\/inloggen$/);
});
