// The window opens at the size the citizen left it (tauri-plugin-window-state): resized, closed,
// and started again, it comes back at that size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack } from '../browser/stack.mjs';
import { startWindow } from './window.mjs';

let stack;
let w;

before(async () => {
  stack = await startStack();
});

after(async () => {
  await w?.stop();
  await stack?.stop();
});

test('the window comes back at the size it was closed at', async () => {
  w = await startWindow(stack, 4484);
  await w.waitForH1(/Welkom bij Regie/);
  await w.app.setWindowSize(700, 900);
  // The app writes the state half a second after the window stops changing.
  const file = join(stack.dir, 'xdg-config', 'nl.regie.wallet.demo', '.window-state.json');
  for (let i = 0; i < 100 && !(existsSync(file) && readFileSync(file, 'utf8').includes('700')); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  // Closing the window as the citizen does ends the app, which keeps the size.
  await w.app.closeWindow().catch(() => {});
  await w.stop();

  w = await startWindow(stack, 4484);
  await w.waitForH1(/Welkom bij Regie/);
  const { width, height } = await w.app.getWindowSize();
  assert.deepEqual({ width, height }, { width: 700, height: 900 });
});
