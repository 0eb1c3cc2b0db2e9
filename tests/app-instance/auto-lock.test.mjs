// Auto-lock in the real window (under a D-Bus session, as on a desktop): left alone, the open
// wallet locks itself (here after 4 s,
// through REGIE_APP_AUTO_LOCK_SECONDS; the citizen chooses 1 to 15 minutes in the settings,
// 5 by default) and says why; a relying party's request that was on screen is asked again
// right after the PIN. The settings keep the chosen time. When the desktop's screen locks (the
// screensaver's signal on the session bus), the wallet locks too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startStack } from '../browser/stack.mjs';
import { startWindow, housingSession } from './window.mjs';

let stack;
let w;

before(async () => {
  stack = await startStack();
  w = await startWindow(stack, 4464, { REGIE_APP_AUTO_LOCK_SECONDS: '4' });
});

after(async () => {
  await w?.stop();
  await stack?.stop();
});

test('an idle wallet locks itself and a request on screen continues after the PIN', async () => {
  const { app } = w;
  await w.createWallet('739164');
  const session = await housingSession(stack);
  await (await app.$('#beantwoorden')).click();
  await (await app.$('#request-link')).setValue(session.link);
  await (await app.$('button=Bekijk het verzoek')).click();
  await w.waitForH1(/Woonstichting Voorbeeld/);

  // Nobody touches the window: it locks itself and says why.
  await w.waitForH1(/Open Regie/, 15_000);
  assert.match(await (await app.$('#auto-vergrendeld')).getText(), /op slot gegaan/);
  await w.assertAccessible('locked for inactivity');
  await w.shotBothSizes('auto-locked');
  const state = await app.execute(() => window.__TAURI_INTERNALS__.invoke('wallet_state'));
  assert.equal(state.unlocked, false, 'the wallet itself is locked, not only the screen');

  await (await app.$('#pin-open')).setValue('739164');
  await (await app.$('button=Openen')).click();
  await w.waitForH1(/Woonstichting Voorbeeld/);

  // The settings: the choice is kept.
  await (await app.$('button=Instellingen')).click();
  await w.waitForH1(/Instellingen/);
  const select = await app.$('#auto-vergrendelen');
  assert.equal(await select.getValue(), '5', 'five minutes by default');
  await select.selectByAttribute('value', '10');
  await (await app.$('button=Gegevens')).click();
  await w.waitForH1(/Mijn gegevens/);
  await (await app.$('button=Instellingen')).click();
  await w.waitForH1(/Instellingen/);
  assert.equal(await (await app.$('#auto-vergrendelen')).getValue(), '10');
  await w.assertAccessible('settings with auto-lock');
  await w.shotBothSizes('settings-auto-lock');
});

test('the wallet locks when the desktop screen locks, and the request continues after the PIN', async () => {
  const { app } = w;
  await (await app.$('button=Gegevens')).click();
  await w.waitForH1(/Mijn gegevens/);
  const session = await housingSession(stack);
  await (await app.$('#beantwoorden')).click();
  await (await app.$('#request-link')).setValue(session.link);
  await (await app.$('button=Bekijk het verzoek')).click();
  await w.waitForH1(/Woonstichting Voorbeeld/);

  // The desktop's screensaver says the screen locked (well within the 4 s of inactivity).
  execFileSync('gdbus', ['emit', '--session', '--object-path', '/org/freedesktop/ScreenSaver',
    '--signal', 'org.freedesktop.ScreenSaver.ActiveChanged', 'true']);
  await w.waitForH1(/Open Regie/, 5_000);
  assert.match(await (await app.$('#auto-vergrendeld')).getText(), /scherm op slot ging/);
  const state = await app.execute(() => window.__TAURI_INTERNALS__.invoke('wallet_state'));
  assert.equal(state.unlocked, false);
  await w.shot('screen-locked');

  await (await app.$('#pin-open')).setValue('739164');
  await (await app.$('button=Openen')).click();
  await w.waitForH1(/Woonstichting Voorbeeld/);
});
