// The real services for the browser tests: regie-issuer and regie-verifier started from
// target/debug on free loopback ports, with a trust list signed for this run by the
// project's own tool, and a regie-wallet CLI with its own data directory.
import { spawn, execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = new URL('../../', import.meta.url).pathname;
export const screenshots = join(root, 'target', 'screenshots');
mkdirSync(screenshots, { recursive: true });

const bin = (name) => join(root, 'target', 'debug', name);
export const ADMIN_TOKEN = 'browser-test-admin-token';
export const PIN = '482915';
/** Suzanne Moulin, an official BRP test person. */
export const BSN = '999993653';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor(url, child) {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: the service exited (${child.exitCode})`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

// The test command sets REGIE_TEST_LOG_DIR: every service then logs at debug level to a
// file of its own there, and the run fails if any log holds personal data or a secret.
let logCount = 0;
export function logEnv(name) {
  const dir = process.env.REGIE_TEST_LOG_DIR;
  if (!dir) return {};
  mkdirSync(dir, { recursive: true });
  logCount += 1;
  return { REGIE_LOG: 'debug', REGIE_LOG_FILE: join(dir, `${name}-node-${process.pid}-${logCount}.log`) };
}

export function start(name, args, env = {}) {
  const child = spawn(bin(name), args, {
    cwd: root,
    env: { ...process.env, ...logEnv(name), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.stderrText = () => stderr;
  return child;
}

/** Runs the wallet CLI with `--json`; `pins` lines go to standard input. `name` is the
 * wallet's folder, one per citizen. */
export function runWallet(dir, trustList, args, pins = 1, name = 'wallet') {
  return new Promise((resolve, reject) => {
    const child = execFile(
      bin('regie-wallet'),
      ['--data-dir', join(dir, name), '--trust-list', trustList, '--pin-stdin', '--json', ...args],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`regie-wallet ${args[0]}: ${error.message}\n${stdout}\n${stderr}`));
        else resolve(stdout.trim() ? JSON.parse(stdout.trim().split('\n').pop()) : null);
      },
    );
    child.stdin.end(`${PIN}\n`.repeat(pins));
  });
}

/** The stack; `options.fixtures` is a folder of BRP persons for the issuer (`--fixtures`,
 * instead of the official test set), `options.relyingParties` a folder of relying parties
 * for the verifier (`--relying-parties`, instead of `fixtures/relying-parties`). */
export async function startStack(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'regie-browser-'));
  const [issuerPort, verifierPort] = [await freePort(), await freePort()];
  const issuerUrl = `http://127.0.0.1:${issuerPort}`;
  const verifierUrl = `http://127.0.0.1:${verifierPort}`;

  const issuers = JSON.parse(readFileSync(join(root, 'fixtures/demo/trust-list.issuers.json'), 'utf8'));
  issuers[0].id = issuerUrl;
  writeFileSync(join(dir, 'issuers.json'), JSON.stringify(issuers));
  const trustList = join(dir, 'trust-list.jwt');
  writeFileSync(
    trustList,
    execFileSync(bin('regie-issuer'), [
      'trust-list', '--anchor-key', join(root, 'fixtures/demo/trust-anchor.private.jwk'),
      '--issuers', join(dir, 'issuers.json'),
    ], { cwd: root }),
  );

  const issuer = start('regie-issuer', [
    'serve', '--listen', `127.0.0.1:${issuerPort}`, '--public-url', issuerUrl,
    '--data-dir', join(dir, 'issuer'), '--key', join(root, 'fixtures/demo/issuer.private.jwk'),
    // Consent cases ask through this verifier as the registered party `gemeente`.
    '--verifier-url', verifierUrl,
    '--verifier-party', join(root, 'fixtures/relying-parties/gemeente/party.json'),
    ...(options.fixtures ? ['--fixtures', options.fixtures] : []),
  ], { REGIE_ISSUER_ADMIN_TOKEN: ADMIN_TOKEN });
  const verifier = start('regie-verifier', [
    'serve', '--listen', `127.0.0.1:${verifierPort}`, '--public-url', verifierUrl,
    '--data-dir', join(dir, 'verifier'), '--trust-list', trustList,
    ...(options.relyingParties ? ['--relying-parties', options.relyingParties] : []),
  ]);
  await waitFor(`${issuerUrl}/.well-known/openid-credential-issuer`, issuer);
  await waitFor(`${verifierUrl}/`, verifier);

  const stack = {
    dir,
    trustList,
    issuerUrl,
    verifierUrl,
    wallet: (args, pins) => runWallet(dir, trustList, args, pins),
    async offer(credentialType, bsn = BSN) {
      const r = await fetch(`${issuerUrl}/api/offers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ bsn, credential_type: credentialType }),
      });
      if (!r.ok) throw new Error(`offer: ${r.status} ${await r.text()}`);
      return (await r.json()).offer_uri;
    },
    /** A printable extract from the back office, as PDF bytes. */
    async extractPdf(kind, bsn = BSN) {
      const r = await fetch(`${issuerUrl}/api/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ bsn, kind }),
      });
      if (!r.ok) throw new Error(`document: ${r.status} ${await r.text()}`);
      return { id: r.headers.get('x-document-id'), pdf: Buffer.from(await r.arrayBuffer()) };
    },
    /** Page one of a PDF as PNG, rendered by poppler like a scan. */
    rasterise(pdf, name, dpi = 200) {
      const pdfPath = join(dir, `${name}.pdf`);
      writeFileSync(pdfPath, pdf);
      execFileSync('pdftoppm', ['-r', String(dpi), '-png', '-f', '1', '-l', '1', '-singlefile', pdfPath, join(dir, name)]);
      return join(dir, `${name}.png`);
    },
    async revoke(id) {
      const r = await fetch(`${issuerUrl}/api/credentials/${id}/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      if (!r.ok) throw new Error(`revoke: ${r.status}`);
    },
    /** Another citizen's wallet CLI (its own folder), initialised with the BRP extract
     * of the person with `bsn`. */
    async citizenWallet(name, bsn) {
      const run = (args, pins) => runWallet(dir, trustList, args, pins, name);
      await run(['init'], 2);
      await run(['accept-offer', await stack.offer('uittreksel-brp', bsn)]);
      return run;
    },
    /** A wallet with the given credential types of the test person. */
    async walletWith(types) {
      await stack.wallet(['init'], 2);
      for (const t of types) await stack.wallet(['accept-offer', await stack.offer(t)]);
    },
    async stop() {
      for (const child of [issuer, verifier]) child.kill('SIGTERM');
      // An app or browser just stopped may still be writing its caches here: retry.
      rmSync(dir, { recursive: true, force: true, maxRetries: 30, retryDelay: 100 });
    },
    logs: () => ({ issuer: issuer.stderrText(), verifier: verifier.stderrText() }),
  };
  return stack;
}
