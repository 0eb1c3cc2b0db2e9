// One flow as a municipality runs it, in a real browser over HTTPS: nginx with TLS in front of
// two issuer and two verifier instances on PostgreSQL (tests/browser/lb-stack.mjs). A citizen
// logs in at the OpenID Connect provider (DigiD through the broker), collects an address
// history into the regie-wallet CLI (which trusts the test CA through --ca-cert) while the
// page follows the offer through whichever instance nginx picks, and a housing corporation
// receives it through the verifier's instances. A clerk logs in at the same provider.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLbStack, PASSWORD } from './lb-stack.mjs';
import { launch, assertAccessible, assertFitsPhone, shot } from './browser.mjs';

let stack;
let browser;

before(async () => {
  stack = await startLbStack();
  await stack.wallet(['init'], 2);
  browser = await launch(stack.chromiumArgs);
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Logs in at the provider's page, which the browser is on now. */
async function logInAtProvider(page, login) {
  await page.waitForURL((url) => url.href.startsWith(stack.providerUrl));
  assert.match(await page.textContent('main'), /Testinlogdienst/);
  await page.getByLabel('Gebruikersnaam').fill(login);
  await page.getByLabel('Wachtwoord').fill(PASSWORD);
  await page.getByRole('button', { name: 'Inloggen' }).click();
}

test('a citizen logs in through the provider over HTTPS and collects an address history', async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${stack.issuerUrl}/`);
  assert.equal(new URL(page.url()).protocol, 'https:');
  // With a real login there is no test login on offer.
  assert.doesNotMatch(await page.textContent('main'), /\(test\)/);
  await page.getByRole('link', { name: 'Inloggen met DigiD' }).click();
  await logInAtProvider(page, 'moulin');
  // Back at the portal, the page goes on to /mijn by itself, with the login cookie sent.
  await page.waitForURL(`${stack.issuerUrl}/mijn`);
  assert.match(await page.textContent('main'), /U bent ingelogd als Suzanne Moulin/);
  await assertAccessible(page, 'my data after the OIDC login');
  await shot(page, 'lb-mijn');
  await assertFitsPhone(page, 'lb-mijn');

  await page.getByRole('button', { name: 'Woonhistorie', exact: true }).click();
  await page.waitForURL(/\/mijn\/aanvraag\/.+/);
  assert.equal(await page.textContent('#status'), 'wacht op uw app');
  const link = await page.getAttribute('#same-device', 'href');
  await stack.wallet(['accept-offer', link]);
  // The page's status requests go through nginx to either instance; both read one database.
  await page.getByText('Uw Regie-app heeft de gegevens opgehaald').waitFor({ timeout: 20_000 });
  const held = await stack.wallet(['list']);
  assert.deepEqual(held.credentials.map((c) => c.credential_type), ['woonhistorie']);
  await context.close();
});

test('a housing corporation receives the address history through the verifier instances', async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${stack.verifierUrl}/woonstichting`);
  await page.getByRole('button', { name: 'Woonhistorie opvragen met Regie' }).click();
  await page.waitForURL(/\/woonstichting\/[A-Za-z0-9_-]{40,}/);
  const link = await page.getAttribute('#same-device', 'href');
  await stack.wallet(['respond', link, '--approve'], 2);
  await page.waitForSelector('#antwoord', { timeout: 20_000 });
  assert.match(await page.textContent('main'), /Boterdiep 31, 3077AW Rotterdam/);
  await shot(page, 'lb-housing-done');
  await context.close();
});

test('a clerk logs in at the same provider; a citizen account cannot open the desk', async () => {
  const clerk = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await clerk.newPage();
  await page.goto(`${stack.issuerUrl}/balie`);
  assert.equal(await page.getByLabel('Back-office-sleutel').count(), 0, 'no key form');
  await assertAccessible(page, 'desk login (OIDC)');
  await assertFitsPhone(page, 'lb-desk-login');
  await page.getByRole('link', { name: 'Inloggen met uw account' }).click();
  await logInAtProvider(page, 'balie');
  await page.waitForURL(`${stack.issuerUrl}/balie`);
  assert.equal(await page.getByRole('link', { name: 'Inloggen met uw account' }).count(), 0);
  await assertAccessible(page, 'desk after the OIDC login');
  await shot(page, 'lb-desk');
  await clerk.close();

  const citizen = await browser.newContext();
  const other = await citizen.newPage();
  await other.goto(`${stack.issuerUrl}/balie/inloggen`);
  await logInAtProvider(other, 'postma');
  await other.waitForURL((url) => url.href.startsWith(`${stack.issuerUrl}/inloggen/terug`));
  assert.match(await other.textContent('main'), /mag niet bij de balie/);
  await assertAccessible(other, 'desk refused to a citizen');
  await assertFitsPhone(other, 'lb-desk-refused');
  await other.goto(`${stack.issuerUrl}/balie`);
  assert.equal(await other.getByRole('link', { name: 'Inloggen met uw account' }).count(), 1);
  await citizen.close();
});
