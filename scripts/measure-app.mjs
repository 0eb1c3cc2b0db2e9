// Measures the release app (BENCHMARKS.md, "The app's package"): cold start to the first
// screen (the unlock screen) and memory when idle with 100 credentials on screen.
//
//   ./scripts/package.sh && xvfb-run -a node scripts/measure-app.mjs
//
// Start: from just before exec to the moment the app reports its first screen painted
// (REGIE_APP_REPORT_START), 7 starts, the first after dropping nothing from the page cache.
// Memory: PSS (/proc/PID/smaps_rollup) of the app and its WebKit processes together, after
// unlocking through WebDriver and 10 s idle on the home screen of a wallet with 100
// credentials.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, root } from '../tests/browser/stack.mjs';
import { startWindow } from '../tests/app-instance/window.mjs';

const APP = join(root, 'target', 'release', 'regie-app');
if (!existsSync(APP)) throw new Error('build it first: ./scripts/package.sh');

const stack = await startStack();
try {
  await stack.wallet(['init'], 2);
  for (let i = 0; i < 100; i++) await stack.wallet(['accept-offer', await stack.offer(i % 2 ? 'woonhistorie' : 'uittreksel-brp')]);
  const env = {
    ...process.env,
    REGIE_APP_DATA_DIR: join(stack.dir, 'wallet'),
    REGIE_WALLET_TRUST_LIST: join(stack.dir, 'trust-list.jwt'),
    XDG_DATA_HOME: join(stack.dir, 'xdg-data'),
    XDG_CONFIG_HOME: join(stack.dir, 'xdg-config'),
    XDG_CACHE_HOME: join(stack.dir, 'xdg-cache'),
    REGIE_APP_REPORT_START: '1',
  };

  const starts = [];
  for (let i = 0; i < 7; i++) {
    const t0 = Date.now();
    const app = spawn(APP, [], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const at = await new Promise((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`no first screen: ${err}`)), 30_000);
      app.stderr.on('data', (d) => {
        err += d;
        const m = err.match(/first screen at (\d+)/);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
    });
    starts.push(at - t0);
    app.kill();
    await new Promise((r) => app.once('exit', r));
    await new Promise((r) => setTimeout(r, 500));
  }
  const sorted = [...starts].sort((a, b) => a - b);
  console.log(`cold start to the unlock screen: first ${starts[0]} ms, median ${sorted[3]} ms, all ${starts.join(', ')} ms`);

  // Memory, through WebDriver with the release binary.
  const w = await startWindow(stack, 4494, { REGIE_APP_DATA_DIR: join(stack.dir, 'wallet') }, APP);
  await w.waitForH1(/Open Regie/);
  await (await w.app.$('#pin-open')).setValue('482915');
  await (await w.app.$('button=Openen')).click();
  await w.waitForH1(/Mijn gegevens/);
  await w.app.waitUntil(async () => (await w.app.$$('#gegevens li')).length > 0, { timeout: 30_000 });
  const shown = (await w.app.$$('#gegevens li')).length;
  await new Promise((r) => setTimeout(r, 10_000));
  const pids = execFileSync('pgrep', ['-f', APP]).toString().trim().split('\n').map(Number);
  const children = (pid) => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((p) => {
    try { return Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === pid; } catch { return false; }
  });
  const tree = new Set();
  const visit = (pid) => { if (tree.has(pid)) return; tree.add(pid); children(pid).forEach(visit); };
  pids.forEach(visit);
  let total = 0;
  const parts = [];
  for (const pid of tree) {
    try {
      const pss = Number(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m)[1]);
      const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      total += pss;
      parts.push(`${name} ${(pss / 1024).toFixed(0)}`);
    } catch {
      // gone
    }
  }
  console.log(`idle with 100 credentials in the wallet (${shown} cards on screen): ${(total / 1024).toFixed(0)} MiB PSS (${parts.join(', ')} MiB)`);
  await w.stop();
} finally {
  await stack.stop();
}
