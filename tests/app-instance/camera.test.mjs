// The desktop camera in the real window, with WebKit's stand-in camera (REGIE_APP_MOCK_CAMERA=1:
// a moving 640×480 test picture, no hardware). Regie asks in its own words first; "Niet
// toestaan" opens nothing and leaves the photo; "Toestaan" opens the camera for that one
// request, the preview plays and the test picture opens nothing; a real QR code of a housing
// corporation's request, put through the same reading loop, opens that request and closes the
// camera. The camera stops when the screen locks. Without WebDriver (which lets WebKit grant
// cameras itself), the app's own permission handler gives the camera only after "Toestaan",
// for video alone and for one request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startStack } from '../browser/stack.mjs';
import { APP, startWindow, housingSession } from './window.mjs';

let stack;
let w;

before(async () => {
  assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run under dbus-run-session');
  stack = await startStack();
  w = await startWindow(stack, 4494, { REGIE_APP_MOCK_CAMERA: '1' });
  await w.createWallet('739164');
  // The test watches the streams the window gets, to see that each one is stopped. On the
  // prototype: WebKit may drop navigator.mediaDevices' wrapper, and what was set on it, in a
  // garbage collection.
  await w.app.execute(() => {
    const get = MediaDevices.prototype.getUserMedia;
    window.__streams = [];
    MediaDevices.prototype.getUserMedia = async function (c) {
      const s = await get.call(this, c);
      window.__streams.push(s);
      return s;
    };
  });
});

after(async () => {
  await w?.stop();
  await stack?.stop();
});

/** Whether every stream the window got has all its tracks ended, and how many there were. */
const streams = (app) => app.execute(() => ({
  count: window.__streams.length,
  ended: window.__streams.every((s) => s.getTracks().every((t) => t.readyState === 'ended')),
}));

/** Waits until the camera's preview plays; the milliseconds from "Toestaan" to it. */
async function allowAndWaitForPicture(app) {
  await (await app.$('#camera')).click();
  const dialog = await app.$('#camera-vraag');
  await dialog.waitForDisplayed({ timeout: 5_000 });
  const started = Date.now();
  await (await app.$('#camera-toestaan')).click();
  await app.waitUntil(() => app.execute(() => {
    const v = document.querySelector('#camera-beeld');
    return v !== null && !v.paused && v.readyState >= 2 && v.videoWidth > 0;
  }), { timeout: 10_000, interval: 25, timeoutMsg: 'the camera picture did not play' });
  return Date.now() - started;
}

test('Regie asks first; "Niet toestaan" opens no camera and points to the photo', async () => {
  const { app } = w;
  await (await app.$('#camera')).click();
  const dialog = await app.$('#camera-vraag');
  await dialog.waitForDisplayed({ timeout: 5_000 });
  assert.match(await dialog.getText(), /Regie wil uw camera gebruiken om een QR-code te lezen\. De beelden blijven op dit apparaat\./);
  assert.equal(await app.execute(() => document.activeElement?.id), 'camera-toestaan', 'focus in the dialog');
  await w.assertAccessible('camera consent');
  await w.shotBothSizes('camera-consent');

  await (await app.$('#camera-weigeren')).click();
  assert.match(await (await app.$('#camera-niet')).getText(), /geen toestemming.*foto of schermafbeelding/);
  assert.equal(await app.execute(() => document.activeElement?.id), 'scannen', 'focus on the photo');
  assert.equal((await streams(app)).count, 0, 'no camera was asked for');
  assert.equal(await app.$('#camera-vraag').isExisting(), false);
  await w.assertAccessible('camera declined');
  await w.shot('camera-declined');

  // By keyboard: Escape is "Niet toestaan" too.
  await (await app.$('#camera')).click();
  await dialog.waitForDisplayed({ timeout: 5_000 });
  await app.keys('Escape');
  await (await app.$('#camera-niet')).waitForDisplayed({ timeout: 5_000 });
  assert.equal(await app.$('#camera-vraag').isExisting(), false);
  assert.equal((await streams(app)).count, 0);
});

test('"Toestaan" shows the camera; the test picture opens nothing; Stoppen ends the stream', async () => {
  const { app } = w;
  const ms = await allowAndWaitForPicture(app);
  const size = await app.execute(() => {
    const v = document.querySelector('#camera-beeld');
    return [v.videoWidth, v.videoHeight];
  });
  assert.deepEqual(size, [640, 480], "WebKit's stand-in camera");
  console.log(`# the camera picture played ${ms} ms after "Toestaan"`);
  assert.equal(await app.execute(() => document.activeElement?.id), 'camera-stoppen');

  // A few frames of the test picture go through the reader: nothing opens.
  const readStart = Date.now();
  await app.waitUntil(() => app.execute(() => Number(document.querySelector('#camera-venster')?.dataset.frames ?? 0) >= 8),
    { timeout: 15_000, timeoutMsg: 'the frames were not read' });
  console.log(`# 8 frames read in ${Date.now() - readStart} ms (one each 250 ms plus reading)`);
  assert.match(await (await app.$('h1')).getText(), /Mijn gegevens/);
  assert.match(await (await app.$('#camera-status')).getText(), /zoekt een QR-code/);
  await w.assertAccessible('camera preview');
  await w.shotBothSizes('camera-preview');

  await (await app.$('#camera-stoppen')).click();
  assert.equal(await app.$('#camera').isExisting(), true, 'the scan button stays');
  assert.equal(await app.$('#camera-venster').isExisting(), false);
  assert.deepEqual(await streams(app), { count: 1, ended: true });
  assert.equal(await app.execute(() => document.activeElement?.id), 'camera');
});

test('a QR code of a request, read through the same loop, opens the request', async () => {
  const { app } = w;
  const session = await housingSession(stack);
  // The verifier's own QR code of the request, as its page shows it.
  const qr = await fetch(session.qr);
  assert.equal(qr.headers.get('content-type'), 'image/png');
  const png = await qr.arrayBuffer();
  await allowAndWaitForPicture(app);
  // The test's picture takes the camera frame's place (only with the stand-in camera).
  const fed = Date.now();
  await app.executeAsync((dataUrl, done) => {
    const img = new Image();
    img.onload = () => { window.__regieTestFrame = img; done(); };
    img.onerror = () => done();
    img.src = dataUrl;
  }, `data:image/png;base64,${Buffer.from(png).toString('base64')}`);
  await w.waitForH1(/Woonstichting Voorbeeld/);
  console.log(`# the request opened ${Date.now() - fed} ms after its QR code was in the frame`);
  await app.execute(() => { delete window.__regieTestFrame; });
  assert.equal(await app.$('#camera-venster').isExisting(), false);
  assert.deepEqual(await streams(app), { count: 2, ended: true });
});

test('the camera stops when the screen locks', async () => {
  const { app } = w;
  await (await app.$('button=Gegevens')).click();
  await w.waitForH1(/Mijn gegevens/);
  await allowAndWaitForPicture(app);
  execFileSync('gdbus', ['emit', '--session', '--object-path', '/org/freedesktop/ScreenSaver',
    '--signal', 'org.freedesktop.ScreenSaver.ActiveChanged', 'true']);
  await w.waitForH1(/Open Regie/, 5_000);
  assert.equal(await app.$('#camera-venster').isExisting(), false);
  assert.deepEqual(await streams(app), { count: 3, ended: true });
  await (await app.$('#pin-open')).setValue('739164');
  await (await app.$('button=Openen')).click();
  await w.waitForH1(/Mijn gegevens/);
});

/** The window started without WebDriver and driven through WebKit's remote inspector
 * (WEBKIT_INSPECTOR_HTTP_SERVER; the debug build's window is inspectable). Under WebDriver WebKit
 * answers camera requests itself and never asks the app, so only this way reaches the app's
 * permission handler as a citizen's window does. */
async function inspectedWindow(port) {
  const dir = mkdtempSync(join(tmpdir(), 'regie-camera-'));
  // No session bus: the WebDriver window of the tests above would take this one for a second
  // start, and it would hand over and end.
  const { DBUS_SESSION_BUS_ADDRESS: _bus, ...env } = process.env;
  const app = spawn(APP, [], {
    stdio: ['ignore', 'ignore', 'ignore'],
    env: {
      ...env, REGIE_APP_DATA_DIR: join(dir, 'wallet'), XDG_CONFIG_HOME: join(dir, 'config'),
      XDG_DATA_HOME: join(dir, 'data'), XDG_CACHE_HOME: join(dir, 'cache'),
      REGIE_APP_MOCK_CAMERA: '1', WEBKIT_INSPECTOR_HTTP_SERVER: `127.0.0.1:${port}`,
    },
  });
  let path = null;
  for (let i = 0; i < 100 && !path; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const list = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()).catch(() => '');
    path = list.match(/\/socket\/\d+\/\d+\/WebPage/)?.[0] ?? null;
  }
  assert.ok(path, 'the window is inspectable');
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  const replies = new Map();
  let target = null;
  ws.on('message', (raw) => {
    const m = JSON.parse(String(raw));
    if (m.method === 'Target.targetCreated') target = m.params.targetInfo.targetId;
    if (m.method !== 'Target.dispatchMessageFromTarget') return;
    const reply = JSON.parse(m.params.message);
    replies.get(reply.id)?.(reply);
  });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  let id = 0;
  const send = (method, params) => new Promise((resolve) => {
    id += 1;
    replies.set(id, resolve);
    ws.send(JSON.stringify({ id, method: 'Target.sendMessageToTarget', params: { targetId: target, message: JSON.stringify({ id, method, params }) } }));
  });
  for (let i = 0; i < 50 && !target; i++) await new Promise((r) => setTimeout(r, 100));
  return {
    /** The value of an async function body run in the page. */
    async run(body) {
      const promise = await send('Runtime.evaluate', { expression: `(async () => { ${body} })()` });
      const done = await send('Runtime.awaitPromise', { promiseObjectId: promise.result.result.objectId, returnByValue: true });
      assert.ok(!done.result.wasThrown, JSON.stringify(done.result.result));
      return done.result.result.value;
    },
    /** Loads the page again (WebKit forgets its camera answers on a new load). */
    async reload() {
      const before = await this.run('return performance.timeOrigin;');
      void send('Runtime.evaluate', { expression: 'location.reload()' });
      for (let i = 0; i < 100; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const now = await Promise.race([this.run('return performance.timeOrigin;').catch(() => before),
          new Promise((r) => setTimeout(() => r(before), 1000))]);
        if (now !== before) return;
      }
      throw new Error('the page did not load again');
    },
    async stop() {
      ws.close();
      const exited = new Promise((resolve) => app.once('exit', resolve));
      app.kill();
      await exited;
    },
  };
}

/** In the page: waits until `test` (an expression) holds. */
const until = (test) => `for (let i = 0; i < 200 && !(${test}); i++) await new Promise((r) => setTimeout(r, 50));
  if (!(${test})) throw new Error('waited for: ' + ${JSON.stringify(test)} + '; the screen says: ' + document.body.innerText);`;
/** In the page: what a camera request gets, straight from the page (no Regie dialog). */
const ask = (constraints, consent) => `${consent ? "await window.__TAURI_INTERNALS__.invoke('allow_camera_once');" : ''}
  return navigator.mediaDevices.getUserMedia(${JSON.stringify(constraints)})
    .then((s) => { s.getTracks().forEach((t) => t.stop()); return 'opened'; }, (e) => e.name);`;

test('without WebDriver: the camera opens only after "Toestaan", for video alone and for one request', async () => {
  const page = await inspectedWindow(4497);
  // WebKit remembers a refusal for the page's life: each case below on a freshly loaded page.
  const fresh = async () => {
    await page.reload();
    await page.run(until("document.querySelector('h1')"));
  };
  try {
    await page.run(until("document.querySelector('h1')?.textContent.includes('Welkom')"));
    assert.equal(await page.run(ask({ video: true }, false)), 'NotAllowedError', 'no consent, no camera');

    // The citizen's way: the wallet, the camera button, "Toestaan", the picture plays.
    await fresh();
    await page.run(`document.querySelector('#pin-nieuw').value = '739164';
      document.querySelector('#pin-herhaal').value = '739164';
      [...document.querySelectorAll('button')].find((b) => b.textContent === 'Maak mijn wallet').click();
      ${until("document.querySelector('#camera')")}
      document.querySelector('#camera').click();
      ${until("document.querySelector('#camera-toestaan')")}
      document.querySelector('#camera-toestaan').click();
      ${until("document.querySelector('#camera-beeld')?.videoWidth === 640")}`);
    // Stopped, WebKit forgot the grant and the consent is used up: the next request is refused.
    await page.run(`document.querySelector('#camera-stoppen').click(); ${until("!document.querySelector('#camera-venster')")}`);
    assert.equal(await page.run(ask({ video: true }, false)), 'NotAllowedError', 'the consent was for one scan');

    // A consent is for the camera alone.
    await fresh();
    assert.equal(await page.run(ask({ audio: true }, true)), 'NotAllowedError', 'no microphone');
    await fresh();
    assert.equal(await page.run(ask({ video: true, audio: true }, true)), 'NotAllowedError', 'no camera with a microphone');
    await fresh();
    assert.equal(await page.run(ask({ video: true }, true)), 'opened', 'the camera alone, with a consent');
  } finally {
    await page.stop();
  }
});
