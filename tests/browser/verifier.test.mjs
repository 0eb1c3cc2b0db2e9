// The relying parties' pages and the validator in a real browser, answered by the real
// regie-wallet CLI: what a housing corporation's clerk, a notary's clerk and a municipal
// desk see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack } from './stack.mjs';
import { launch, assertAccessible, assertFitsPhone, shot } from './browser.mjs';

let stack;
let browser;

before(async () => {
  stack = await startStack();
  await stack.walletWith(['woonhistorie', 'uittreksel-brp']);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function newPage(width = 1100) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
  return context.newPage();
}

test('start page lists the parties and switches to English', async () => {
  const page = await newPage();
  await page.goto(`${stack.verifierUrl}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'nl');
  await assertAccessible(page, 'start page');
  await assertFitsPhone(page, 'verifier-start');
  await page.getByRole('link', { name: 'English' }).click();
  await page.waitForURL(/lang=en/);
  assert.equal(await page.textContent('h1'), 'Asking for data with Regie');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await shot(page, 'verifier-start-en');
});

test('housing corporation receives the address history and answers the question', async () => {
  const page = await newPage();
  await page.goto(`${stack.verifierUrl}/woonstichting`);
  await assertAccessible(page, 'housing form');
  await assertFitsPhone(page, 'verifier-housing-form');
  // By keyboard: the skip link first, then on to the button.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Naar de inhoud');
  await page.getByRole('button', { name: 'Woonhistorie opvragen met Regie' }).click();
  await page.waitForURL(/\/woonstichting\/[A-Za-z0-9_-]{40,}/);
  const qrLoaded = await page.$eval('img.regie-qr', (img) => img.complete && img.naturalWidth > 0);
  assert.ok(qrLoaded, 'the QR code is shown');
  assert.equal(await page.textContent('#status'), 'wacht op scan');
  await assertAccessible(page, 'housing session');
  await shot(page, 'verifier-housing-qr');
  await assertFitsPhone(page, 'verifier-housing-qr');

  const link = await page.getAttribute('#same-device', 'href');
  assert.match(link, /^openid4vp:\/\/\?client_id=verifier_attestation%3A/);
  const answer = await stack.wallet(['respond', link, '--approve'], 2);
  assert.ok(answer, 'the wallet answered');

  // The page follows the session by itself and then shows the verified data.
  await page.waitForSelector('#antwoord', { timeout: 20_000 });
  const outcome = await page.textContent('#antwoord');
  assert.match(outcome, /^Woont sinds \d{1,2} [a-z]+ \d{4} op dit adres: ja, langer dan 2 jaar$/);
  const table = await page.textContent('main');
  assert.match(table, /Moulin/);
  assert.match(table, /Boterdiep 31, 3077AW Rotterdam/);
  await assertAccessible(page, 'housing result');
  await shot(page, 'verifier-housing-done');

  // Another browser with the page's address sees nothing: the result is bound to the
  // browser that started the session.
  const stranger = await newPage();
  const seen = await stranger.goto(page.url());
  assert.equal(seen.status(), 404);
  assert.doesNotMatch(await stranger.textContent('main'), /Moulin|Boterdiep/);
  await stranger.context().close();

  await assertFitsPhone(page, 'verifier-housing-done');

  // The same request cannot be answered twice.
  await assert.rejects(stack.wallet(['respond', link, '--approve'], 2));
});

test('notary sees "geweigerd" when the citizen declines', async () => {
  const page = await newPage();
  await page.goto(`${stack.verifierUrl}/notaris`);
  await page.getByRole('button', { name: 'Identificeren met Regie' }).click();
  await page.waitForURL(/\/notaris\/.+/);
  const link = await page.getAttribute('#same-device', 'href');
  await stack.wallet(['respond', link, '--deny'], 1);
  // The live status changes first, then the page reloads with the outcome.
  await page.getByText('Er zijn geen gegevens gedeeld').waitFor({ timeout: 20_000 });
  assert.equal(await page.textContent('#status'), 'geweigerd');
  await assertAccessible(page, 'notary declined');
  await shot(page, 'verifier-notary-denied');
  await assertFitsPhone(page, 'verifier-notary-denied');
});

test('a consent statement is signed, downloaded and re-verified; a changed one is refused', async () => {
  const page = await newPage();
  await page.goto(`${stack.verifierUrl}/gemeente/verklaring`);
  await assertAccessible(page, 'statement form');
  await assertFitsPhone(page, 'verifier-statement-form');
  // Bad input: an empty name is refused by the server too, with the form shown again.
  const refused = await page.request.post(`${stack.verifierUrl}/gemeente/verklaring/start`, {
    form: { kind: 'inschrijving', name: ' ', date: '2027-01-01' },
  });
  assert.equal(refused.status(), 400);
  assert.match(await refused.text(), /Vul een naam in/);

  await page.getByLabel('Uw adres', { exact: true }).fill('Boterdiep 31, 3077AW Rotterdam');
  await page.getByLabel('Naam van wie zich op uw adres inschrijft').fill('Jan Voorbeeld');
  await page.getByLabel('Vanaf welke datum').fill('2027-01-15');
  await page.getByRole('button', { name: 'Ondertekenen met Regie' }).first().click();
  await page.waitForURL(/\/gemeente\/verklaring\/.+/);
  const link = await page.getAttribute('#same-device', 'href');
  await stack.wallet(['respond', link, '--approve'], 2);
  await page.waitForSelector('#download', { timeout: 20_000 });
  // Regie's own sentence, built from the signed fields.
  assert.match(await page.textContent('main'), /Ik woon op Boterdiep 31, 3077AW Rotterdam en geef toestemming dat Jan Voorbeeld zich vanaf 15 januari 2027 op mijn adres inschrijft/);
  await shot(page, 'verifier-statement-signed');
  await assertFitsPhone(page, 'verifier-statement-signed');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const file = join(stack.dir, 'verklaring.json');
  await download.saveAs(file);
  const statement = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(statement.type, 'regie-toestemmingsverklaring');

  await page.goto(`${stack.verifierUrl}/valideer`);
  await page.setInputFiles('#document', file);
  await page.getByRole('button', { name: 'Controleren', exact: true }).click();
  await page.waitForSelector('#verdict');
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'echt');
  assert.match(await page.textContent('main'), /Ondertekend door.*Moulin/s);
  await assertAccessible(page, 'statement verdict');
  await shot(page, 'verifier-statement-verified');
  await assertFitsPhone(page, 'verifier-statement-verified');

  // The same file with the statement's text changed no longer verifies.
  statement.transaction_data[0].new_resident = 'Piet Voorbeeld';
  const changed = join(stack.dir, 'veranderd.json');
  writeFileSync(changed, JSON.stringify(statement));
  await page.goto(`${stack.verifierUrl}/valideer`);
  await page.setInputFiles('#document', changed);
  await page.getByRole('button', { name: 'Controleren', exact: true }).click();
  await page.waitForSelector('#verdict');
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'vervalst');
  assert.doesNotMatch(await page.textContent('main'), /Moulin/);

  // The API gives the same answers.
  const api = (body) => fetch(`${stack.verifierUrl}/api/statements/verify`, { method: 'POST', body });
  const good = await api(readFileSync(file));
  assert.equal(good.status, 200);
  assert.equal((await good.json()).valid, true);
  const bad = await api(JSON.stringify(statement));
  assert.equal(bad.status, 422);
  assert.equal((await bad.json()).valid, false);
});

test('a scanned PDF extract is shown as genuine with its data', async () => {
  const { pdf } = await stack.extractPdf('woonhistorie');
  const scan = stack.rasterise(pdf, 'woonhistorie-scan');
  const page = await newPage();
  await page.goto(`${stack.verifierUrl}/valideer`);
  await page.setInputFiles('#document', scan);
  await page.getByRole('button', { name: 'Controleren', exact: true }).click();
  await page.waitForSelector('#verdict');
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'echt');
  const main = await page.textContent('main');
  assert.match(main, /Uitgegeven doorGemeente Voorbeeldstad/);
  assert.match(main, /Uittreksel woonhistorie/);
  assert.match(main, /Boterdiep 31, 3077AW Rotterdam \(sinds 8 augustus 2015\)/);
  assert.match(main, /niet ingetrokken/);
  await assertAccessible(page, 'document verdict');
  await shot(page, 'verifier-validator-genuine');
  await assertFitsPhone(page, 'verifier-validator-genuine');

});

test('the validator explains what it cannot read', async () => {
  const page = await newPage(390);
  await page.goto(`${stack.verifierUrl}/valideer`);
  await assertAccessible(page, 'validator');
  await shot(page, 'verifier-validator-phone');
  await assertFitsPhone(page, 'verifier-validator');
  // Nothing chosen: asked again, with the form.
  await page.getByRole('button', { name: 'Controleren', exact: true }).click();
  await page.waitForSelector('#fout');
  // Pasted text that is not a Regie code.
  await page.getByLabel('Of: tekst van de QR-code').fill('RG1:NIET-ECHT');
  await page.getByRole('button', { name: 'Controleren', exact: true }).click();
  await page.waitForSelector('#verdict');
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'onleesbaar');
  // An image without a QR code: one of the screenshots taken above.
  await page.goto(`${stack.verifierUrl}/valideer`);
  await page.setInputFiles('#document', screenshotOf('verifier-start-en'));
  await page.getByRole('button', { name: 'Controleren', exact: true }).click();
  await page.waitForSelector('#verdict');
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'onleesbaar');
  await shot(page, 'verifier-validator-unreadable');
  await assertFitsPhone(page, 'verifier-validator-unreadable');
});

function screenshotOf(name) {
  return new URL(`../../target/screenshots/${name}.png`, import.meta.url).pathname;
}

test('the camera takes a photo of a printed extract and checks it', async () => {
  const { pdf } = await stack.extractPdf('naam-adres');
  const scan = stack.rasterise(pdf, 'naam-adres-scan', 150);
  // Chromium's fake camera plays a Motion-JPEG file: the scan, cut to the QR corner and
  // turned into JPEG frames by the browser itself.
  const helper = await newPage();
  await helper.goto(`${stack.verifierUrl}/`);
  const jpegBase64 = await helper.evaluate(async (png) => {
    const img = new Image();
    img.src = `data:image/png;base64,${png}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = 960;
    canvas.height = 720;
    const ctx = canvas.getContext('2d');
    // The lower left of the page, where the code is, as a phone held over it would see.
    const w = img.width * 0.4;
    ctx.drawImage(img, 0, img.height * 0.752, w, w * 0.75, 0, 0, 960, 720);
    return canvas.toDataURL('image/jpeg', 0.92).split(',')[1];
  }, readFileSync(scan).toString('base64'));
  const frame = Buffer.from(jpegBase64, 'base64');
  const video = join(stack.dir, 'camera.mjpeg');
  writeFileSync(video, Buffer.concat(Array(30).fill(frame)));

  const cameraBrowser = await launch([
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`,
  ]);
  try {
    const page = await cameraBrowser.newPage();
    await page.goto(`${stack.verifierUrl}/valideer`);
    await page.getByRole('button', { name: 'Camera gebruiken' }).click();
    const take = page.getByRole('button', { name: 'Foto nemen en controleren' });
    await take.waitFor();
    await page.waitForFunction(() => document.getElementById('camera-video').videoWidth > 0);
    await shot(page, 'verifier-validator-camera');
    await take.click();
    await page.waitForSelector('#verdict');
    assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'echt');
    assert.match(await page.textContent('main'), /Naam en adres/);
  } finally {
    await cameraBrowser.close();
  }
});
