// The app's commands (src-tauri/src/commands.rs), typed. Every call goes to wallet-core.
import { invoke } from '@tauri-apps/api/core';
import { lang } from './i18n';

export interface AppError { code: string; message: string; wait_secs?: number; failures?: number }
export interface WalletState { initialised: boolean; unlocked: boolean; failures: number; wait_secs: number; blocked: boolean }
export interface Row { label: string; value: string }
export interface CredentialCard {
  id: string; title: string; issuer: string; status: 'valid' | 'expired' | 'revoked';
  status_text: string; copies_left: number; copies_total: number; rows: Row[];
}
/** A signed consent statement in Regie's words; `text` is null when it cannot be shown. */
export interface SignedStatement { type: string | null; name: string; text: string | null; case_ref: string | null }
export interface EventLine { id: number; date: string; text: string; statements: SignedStatement[] }
export interface SharingLine {
  party: string; registration: string; since: string; last: string; times: number;
  attributes: string[]; purposes: string[]; statements: SignedStatement[];
}
export interface Assessment {
  verdict: 'ok' | 'over_asking' | 'unknown_party' | 'missing' | 'unsupported_statement';
  not_allowed?: { label: string; credential_type: string }[];
  reason?: string;
  types?: { vct: string; name: string; where_to_get: [string, string][] }[];
  party: { legal_name: string; registration_number: string; city: string; privacy_policy_url: string } | null;
  purpose: { name: string; description: string; retention: string; retention_days: number; shares_with_third_parties: boolean; deletion_possible: boolean } | null;
  attributes: { label: string; value: string; credential_type: string }[];
  statements: { type: string; name: string; text: string }[];
  shared_before: { first_shared: number; last_shared: number; times: number } | null;
  linkable: boolean;
}
export interface Scanned { kind: 'offer' | 'request'; uri: string }
/** How the window may scan with a camera (src-tauri camera.rs); `mock`: WebKit's stand-in camera (tests). */
export interface CameraSupport { kind: 'phone' | 'webview' | 'none'; mock: boolean }
export interface Answered { redirect_uri: string | null; notified: boolean }
export interface BackupMade { path: string; code: string; credentials: number }
/** Names of the credentials restored, and of those to request again (with the reason). */
export interface RestoreView { restored: string[]; not_restored: string[]; history_events: number }
export interface Exported { path: string; credentials: number; events: number }
export interface BundledPackage { kind: 'crate' | 'npm'; name: string; version: string; licence: string; repository: string | null; texts: number[] }
export interface About { version: string; licence: string; packages: BundledPackage[] }
export interface StatusReport { checked: number; revoked: string[]; expired: string[]; unreachable: number }

export function isAppError(e: unknown): e is AppError {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e;
}

/** Events per page of history (src-tauri's `PAGE`). */
export const HISTORY_PAGE = 50;

const call = <T>(cmd: string, args: Record<string, unknown> = {}) => invoke<T>(cmd, args);

export const api = {
  walletState: () => call<WalletState>('wallet_state'),
  /** A phone or a computer. */
  /** Whether the window scans with a camera, and how (camera.ts). */
  cameraSupport: () => call<CameraSupport>('camera_support'),
  /** The citizen allowed the camera: the next camera request may open it (Linux). */
  allowCameraOnce: () => call<void>('allow_camera_once'),
  /** A scan ended: the camera off, and the next scan must be allowed again (Linux). */
  cameraOff: () => call<void>('camera_off'),
  createWallet: (pinCode: string) => call<void>('create_wallet', { pinCode }),
  unlock: (pinCode: string) => call<void>('unlock', { pinCode }),
  lock: () => call<void>('lock'),
  reset: () => call<void>('reset_wallet'),
  credentials: () => call<CredentialCard[]>('credentials', { langCode: lang() }),
  acceptOffer: (uri: string, txCode: string | null) => call<CredentialCard[]>('accept_offer', { uri, txCode, langCode: lang() }),
  refreshStatus: () => call<StatusReport>('refresh_status'),
  assessRequest: (uri: string) => call<Assessment>('assess_request', { uri, langCode: lang() }),
  answerRequest: (approve: boolean, pinCode: string | null) => call<Answered>('answer_request', { approve, pinCode }),
  /** A page of history, newest first; `before` is the id of the last event already shown. */
  history: (before: number | null = null) => call<EventLine[]>('history', { before, langCode: lang() }),
  sharing: () => call<SharingLine[]>('sharing', { langCode: lang() }),
  // The picture goes as the raw body, not as JSON.
  scanImage: (bytes: Uint8Array) => invoke<Scanned>('scan_image', bytes),
  classifyLink: (text: string) => call<Scanned>('classify_link', { text }),
  openedWith: () => call<Scanned | null>('opened_with'),
  autoLockOverride: () => call<number | null>('auto_lock_override'),
  firstScreenDrawn: () => call<void>('first_screen_drawn'),
  renew: (id: string) => call<CredentialCard>('renew_credential', { id, langCode: lang() }),
  changePin: (oldPin: string, newPin: string) => call<void>('change_pin', { oldPin, newPin }),
  makeBackup: (pinCode: string) => call<BackupMade>('make_backup', { pinCode }),
  exportData: (pinCode: string) => call<Exported>('export_data', { pinCode }),
  about: () => call<About>('about'),
  licenceText: (index: number) => call<string>('licence_text', { index }),
  restoreBackup: (file: string, code: string, pinCode: string) =>
    call<RestoreView>('restore_backup', { file, code, pinCode, langCode: lang() }),
};
