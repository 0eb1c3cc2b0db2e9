// Locks the wallet after a while without use (default 5 minutes; the settings offer 1 to 15),
// as a phone locks itself. A request on screen survives the lock: after the PIN the app asks
// it again (the relying party's request stays open for a while), nothing of it is kept in the
// locked wallet.
import { api } from './api';

const KEY = 'regie.autolock.minutes';
export const MINUTE_CHOICES = [1, 2, 5, 10, 15];
const DEFAULT_MINUTES = 5;

let lastUse = Date.now();
/** A test or kiosk override in seconds (REGIE_APP_AUTO_LOCK_SECONDS), asked once. */
let overrideSeconds: number | null = null;
/** The request link on screen, if any. */
let shownRequest: string | null = null;
/** The request to ask again after the PIN, and why the wallet locked itself last. */
let resume: string | null = null;
let lockReason: 'idle' | 'screen' | null = null;

export function autoLockMinutes(): number {
  const stored = Number(localStorage.getItem(KEY));
  return MINUTE_CHOICES.includes(stored) ? stored : DEFAULT_MINUTES;
}

export function setAutoLockMinutes(minutes: number): void {
  if (MINUTE_CHOICES.includes(minutes)) localStorage.setItem(KEY, String(minutes));
}

export function showingRequest(link: string | null): void {
  shownRequest = link;
}

/** The request that was on screen when the wallet locked itself (once). */
export function takeResumedRequest(): string | null {
  const link = resume;
  resume = null;
  return link;
}

/** Why the wallet just locked itself (once, for the unlock screen). */
export function takeLockReason(): 'idle' | 'screen' | null {
  const reason = lockReason;
  lockReason = null;
  return reason;
}

/** The wallet was locked because the desktop's screen locked (the app dropped the keys). */
export function lockedWithScreen(locked: () => void): void {
  resume = shownRequest;
  shownRequest = null;
  lockReason = 'screen';
  locked();
}

/** Starts watching for use; `locked` draws the unlock screen once the wallet locked itself. */
export function startAutoLock(locked: () => void): void {
  for (const event of ['pointerdown', 'keydown', 'wheel', 'touchstart']) {
    addEventListener(event, () => { lastUse = Date.now(); }, { capture: true, passive: true });
  }
  void api.autoLockOverride().then((s) => { overrideSeconds = s; }).catch(() => {});
  setInterval(async () => {
    const limit = (overrideSeconds ?? autoLockMinutes() * 60) * 1000;
    if (Date.now() - lastUse < limit) return;
    lastUse = Date.now();
    const state = await api.walletState().catch(() => null);
    if (!state?.unlocked) return;
    resume = shownRequest;
    shownRequest = null;
    await api.lock();
    lockReason = 'idle';
    locked();
  }, 1000);
}
