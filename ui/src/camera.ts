// Scanning a QR code with the camera. A phone uses the scanner plugin (src-tauri registers it
// on Android and iOS alone; its package is loaded when a scan starts, so a desktop never
// loads it). A Linux desktop uses the window's own camera: the citizen agrees in Regie's own
// words first, then the app lets WebKit open the camera for that one request
// (src-tauri/src/camera.rs), and every quarter second a frame goes to the same reader as a
// photo. Other desktops read codes from a picture only.
import { api, AppError, CameraSupport, isAppError, Scanned } from './api';
import { h } from './dom';
import { t } from './i18n';

let support: Promise<CameraSupport> | null = null;
/** Set while a scan runs: stops it, for the stop button and for the wallet locking itself. */
let stopScan: (() => void) | null = null;
/** How often a frame of the camera is read: often enough to feel at once, and the reader
 * (tens of milliseconds a frame) leaves the computer free in between. */
const FRAME_MS = 250;

/** Whether and how this device scans with a camera (asked once). */
export function cameraSupport(): Promise<CameraSupport> {
  support ??= api.cameraSupport().catch((): CameraSupport => ({ kind: 'none', mock: false }));
  return support;
}

/** Stops a scan that is running, if any; it then ends as cancelled. */
export function stopCamera(): void {
  stopScan?.();
}

const failed = (code: string, message: string): AppError => ({ code, message });

/** The offer or request in the QR code the camera reads; null when the scan was stopped.
 * Throws `camera_declined` when the citizen did not allow the camera (a choice, not an
 * error: the picture stays the way to read a code). */
export async function scanWithCamera(): Promise<Scanned | null> {
  const how = await cameraSupport();
  if (how.kind === 'phone') return scanWithPlugin();
  if (how.kind === 'webview') return scanInWindow(how.mock);
  throw failed('camera_failed', 'no camera on this platform');
}

/** The phone: the camera's picture shows under the window, which turns transparent but for a
 * bar with what to do and a stop button. */
async function scanWithPlugin(): Promise<Scanned | null> {
  const scanner = await import('@tauri-apps/plugin-barcode-scanner');
  if ((await scanner.checkPermissions()) !== 'granted'
    && (await scanner.requestPermissions()) !== 'granted') {
    throw failed('camera_denied', 'the camera may not be used');
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
    throw isAppError(e) ? e : failed('camera_failed', String(e));
  } finally {
    stopScan = null;
    bar.remove();
    document.documentElement.classList.remove('regie-camera');
  }
  // The same check as a pasted link or a photo: only an offer or a request goes on.
  return api.classifyLink(content);
}

/** A modal dialog over the window (the page behind it is inert); Escape cancels it. */
function dialog(id: string, ...children: HTMLElement[]): HTMLDialogElement {
  const d = h('dialog', { class: 'regie-dialog', id, 'aria-labelledby': `${id}-titel` }, ...children) as HTMLDialogElement;
  document.body.append(d);
  return d;
}

/** Regie's own question before the camera opens; true when the citizen allowed it. */
function askConsent(): Promise<boolean> {
  const tx = t();
  return new Promise((resolve) => {
    const answer = (yes: boolean) => {
      d.close();
      d.remove();
      resolve(yes);
    };
    const allow = h('button', { type: 'button', class: 'regie-button regie-button--primary', id: 'camera-toestaan', onclick: () => answer(true) }, tx.cameraAllow);
    const d = dialog('camera-vraag',
      h('h2', { id: 'camera-vraag-titel' }, tx.cameraConsentTitle),
      h('p', {}, tx.cameraConsent),
      h('div', { class: 'regie-actions' },
        allow,
        h('button', { type: 'button', class: 'regie-button regie-button--secondary', id: 'camera-weigeren', onclick: () => answer(false) }, tx.cameraDeny)));
    d.addEventListener('cancel', (e) => { e.preventDefault(); answer(false); });
    d.showModal();
    allow.focus();
  });
}

/** What getUserMedia's refusal means for the citizen. */
function cameraError(e: unknown): AppError {
  const name = e instanceof DOMException ? e.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return failed('camera_blocked', name);
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return failed('camera_missing', name);
  return failed('camera_failed', name || String(e));
}

/** The desktop: the citizen's consent, the camera in a dialog with a stop button, and frames
 * read until one holds an offer or a request. */
async function scanInWindow(mock: boolean): Promise<Scanned | null> {
  if (!(await askConsent())) throw failed('camera_declined', 'the citizen did not allow the camera');
  await api.allowCameraOnce();
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
  } catch (e) {
    // A consent no request used is gone.
    void api.cameraOff().catch(() => {});
    throw cameraError(e);
  }
  const tx = t();
  const video = h('video', { class: 'regie-camera-video', id: 'camera-beeld', muted: true, playsinline: true, 'aria-label': tx.cameraPicture }) as HTMLVideoElement;
  video.muted = true;
  video.srcObject = stream;
  const status = h('p', { role: 'status', id: 'camera-status' }, tx.cameraLooking);
  const stop = h('button', { type: 'button', class: 'regie-button regie-button--primary', id: 'camera-stoppen' }, tx.cameraStop);
  const d = dialog('camera-venster',
    h('h2', { id: 'camera-venster-titel' }, tx.cameraTitle),
    h('p', {}, tx.cameraTextDesktop),
    video, status, stop);
  const canvas = document.createElement('canvas');
  let frames = 0;
  let timer = 0;
  let done = false;
  return new Promise<Scanned | null>((resolve) => {
    const end = async (result: Scanned | null) => {
      if (done) return;
      done = true;
      window.clearTimeout(timer);
      // The app turns the camera off first, while it still runs: only then does WebKit also
      // forget that it was allowed, and the next scan needs a "Toestaan" of its own (camera.rs).
      await api.cameraOff().catch(() => {});
      for (const track of stream.getTracks()) track.stop();
      video.srcObject = null;
      stopScan = null;
      d.close();
      d.remove();
      resolve(result);
    };
    stopScan = () => void end(null);
    stop.addEventListener('click', () => void end(null));
    d.addEventListener('cancel', (e) => { e.preventDefault(); void end(null); });
    const read = async () => {
      const source = testFrame(mock) ?? video;
      const ready = source instanceof HTMLImageElement || video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA;
      const blob = ready ? await frame(source, canvas) : null;
      if (done) return;
      if (blob) {
        try {
          const found = await api.scanImage(new Uint8Array(await blob.arrayBuffer()));
          void end(found);
          return;
        } catch (e) {
          // No code in this frame, or a code that is not for Regie: say so and keep looking.
          if (isAppError(e) && e.code === 'not_a_wallet_code') status.textContent = tx.cameraOtherCode;
        }
        d.dataset.frames = String(++frames);
      }
      if (!done) timer = window.setTimeout(() => void read(), FRAME_MS);
    };
    d.showModal();
    stop.focus();
    void video.play().catch(() => {});
    timer = window.setTimeout(() => void read(), FRAME_MS);
  });
}

/** One frame as a PNG, as a photo would come. */
function frame(source: HTMLVideoElement | HTMLImageElement, canvas: HTMLCanvasElement): Promise<Blob | null> {
  const video = source instanceof HTMLVideoElement;
  canvas.width = video ? source.videoWidth : source.naturalWidth;
  canvas.height = video ? source.videoHeight : source.naturalHeight;
  if (canvas.width === 0 || canvas.height === 0) return Promise.resolve(null);
  canvas.getContext('2d')?.drawImage(source, 0, 0);
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
}

/** Tests only, with WebKit's stand-in camera (REGIE_APP_MOCK_CAMERA=1): a loaded picture in
 * `window.__regieTestFrame` takes the camera frame's place, so that a real QR code goes
 * through this same loop. Without the stand-in camera this is never looked at. */
function testFrame(mock: boolean): HTMLImageElement | null {
  if (!mock) return null;
  const picture = (window as { __regieTestFrame?: unknown }).__regieTestFrame;
  return picture instanceof HTMLImageElement && picture.complete ? picture : null;
}
