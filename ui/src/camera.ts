// Scanning a QR code with the camera, on a phone only: the scanner plugin exists on Android
// and iOS alone (src-tauri registers it there), so a desktop keeps reading codes from a
// picture. The plugin's package is loaded when a scan starts, so a desktop never loads it.
import { api, AppError, isAppError, Scanned } from './api';
import { h } from './dom';
import { t } from './i18n';

let mobile: Promise<boolean> | null = null;
/** Set while a scan runs: stops it, for the stop button and for the wallet locking itself. */
let stopScan: (() => void) | null = null;

/** Whether the app runs on a phone (asked once). */
export function onPhone(): Promise<boolean> {
  mobile ??= api.platform().then((p) => p === 'mobile').catch(() => false);
  return mobile;
}

/** Stops a scan that is running, if any; it then ends as cancelled. */
export function stopCamera(): void {
  stopScan?.();
}

/** The offer or request in the QR code the camera reads; null when the scan was stopped. The
 * camera's picture shows under the window, which turns transparent but for a bar with what to
 * do and a stop button. */
export async function scanWithCamera(): Promise<Scanned | null> {
  const scanner = await import('@tauri-apps/plugin-barcode-scanner');
  if ((await scanner.checkPermissions()) !== 'granted'
    && (await scanner.requestPermissions()) !== 'granted') {
    throw { code: 'camera_denied', message: 'the camera may not be used' } satisfies AppError;
  }
  const tx = t();
  let stopped = false;
  stopScan = () => {
    stopped = true;
    void scanner.cancel().catch(() => {});
  };
  const stop = h('button', { type: 'button', class: 'regie-button regie-button--primary', id: 'camera-stoppen', onclick: () => stopScan?.() }, tx.cameraStop);
  const bar = h('div', { class: 'regie-camera-bar', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'camera-titel' },
    h('h1', { id: 'camera-titel' }, tx.cameraTitle),
    h('p', {}, tx.cameraText),
    stop);
  document.documentElement.classList.add('regie-camera');
  document.body.append(bar);
  stop.focus();
  let content: string;
  try {
    content = (await scanner.scan({ windowed: true, formats: [scanner.Format.QRCode] })).content;
  } catch (e) {
    if (stopped) return null;
    throw isAppError(e) ? e : { code: 'camera_failed', message: String(e) } satisfies AppError;
  } finally {
    stopScan = null;
    bar.remove();
    document.documentElement.classList.remove('regie-camera');
  }
  // The same check as a pasted link or a photo: only an offer or a request goes on.
  return api.classifyLink(content);
}
