// The app shell: header, main area and bottom navigation; decides the first screen from the
// wallet's state (new, locked, open).
import '@utrecht/design-tokens/dist/index.css';
import './app.css';
import { api } from './api';
import { h } from './dom';
import { lang, setLang, t } from './i18n';
import { listen } from '@tauri-apps/api/event';
import { lockedWithScreen, startAutoLock } from './autolock';
import { stopCamera } from './camera';
import { openHandedLink, setupScreen, unlockScreen } from './screens/onboarding';
import { homeScreen } from './screens/credentials';
import { historyScreen, sharingScreen } from './screens/activity';
import { settingsScreen } from './screens/settings';

export type Tab = 'data' | 'history' | 'shared' | 'settings';

/** Draws the frame; `tab` marks the current section in the navigation, none when locked. */
export function frame(tab: Tab | null): void {
  const app = document.getElementById('app');
  if (!app) return;
  const tx = t();
  const skip = document.querySelector('.regie-skip');
  if (skip) skip.textContent = tx.skip;
  const item = (id: Tab, label: string, open: () => void) =>
    h('li', {}, h('button', {
      type: 'button',
      class: 'regie-nav-button',
      'aria-current': tab === id ? 'page' : undefined,
      onclick: () => { frame(id); open(); },
    }, label));
  const nav = tab === null ? null : h('nav', { class: 'regie-app-nav', 'aria-label': tx.mainNav },
    h('ul', {},
      item('data', tx.navData, homeScreen),
      item('history', tx.navHistory, historyScreen),
      item('shared', tx.navShared, sharingScreen),
      item('settings', tx.navSettings, settingsScreen)));
  app.replaceChildren(
    h('header', { class: 'regie-app-header' }, h('p', { class: 'regie-app-name' }, tx.appName), h('p', { class: 'regie-app-tagline' }, tx.tagline)),
    // Only this area scrolls; a screen of text alone (a long history) has nothing else to
    // focus, so the area itself takes focus and keyboard users can scroll it.
    h('main', { id: 'inhoud', class: 'regie-app-main', tabindex: '0' }),
    ...(nav ? [nav] : []),
  );
}

export async function start(): Promise<void> {
  setLang(lang());
  frame(null);
  const state = await api.walletState();
  if (!state.initialised) setupScreen();
  else if (!state.unlocked) unlockScreen(state);
  else { frame('data'); homeScreen(); }
}

// The first screen is up once the browser has painted it.
void start().then(() => requestAnimationFrame(() => void api.firstScreenDrawn().catch(() => {})));

// A link clicked while the app runs reaches this window (the second start hands it over). An
// open wallet goes to it now; a locked one keeps it for the screen after the PIN.
void listen('regie://link', async () => {
  stopCamera();
  const state = await api.walletState().catch(() => null);
  if (state?.unlocked) {
    frame('data');
    await openHandedLink();
  }
});

// A wallet that locks stops a camera scan before the unlock screen comes.
startAutoLock(() => { stopCamera(); void start(); });
// The desktop's screen locked: the app already dropped the wallet's keys.
void listen('regie://screen-locked', () => lockedWithScreen(() => { stopCamera(); void start(); }));
