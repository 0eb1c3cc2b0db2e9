#!/usr/bin/env node
// Scans the services' logs of a test run for what must never be logged: a BSN, a test
// person's name, street, postcode or date of birth, a PIN, a key, a token or an API key.
// Exits non-zero naming the file, line and kind of each finding (never the value itself).
//
//   node scripts/scan-logs.mjs DIR      scan every *.log under DIR
//   node scripts/scan-logs.mjs --self-test
//                                        show that each kind of leak is found
//
// The words come from the official BRP test persons the services serve (fixtures/brp), so a
// new test person is covered without changing this file.
import { readFileSync, readdirSync, statSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('../', import.meta.url).pathname;

/** Every value of `key` anywhere in `value`. */
function collect(value, key, out = []) {
  if (Array.isArray(value)) value.forEach((v) => collect(v, key, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key && (typeof v === 'string' || typeof v === 'number')) out.push(String(v));
      else collect(v, key, out);
    }
  }
  return out;
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const words = (list) => [...new Set(list)].filter(Boolean).map(escape);
/** One pattern matching any of `list` as a whole word. */
const anyWord = (list, flags = 'u') =>
  list.length ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${list.join('|')})(?![\\p{L}\\p{N}])`, flags) : null;

function personalPatterns() {
  const persons = ['personen.json', 'verblijfplaatshistorie.json'].flatMap((f) => {
    const data = JSON.parse(readFileSync(join(root, 'fixtures/brp', f), 'utf8'));
    return Array.isArray(data) ? data : [data];
  });
  const bsns = collect(persons, 'burgerservicenummer');
  const names = [
    ...collect(persons, 'geslachtsnaam'),
    ...collect(persons, 'voornamen').flatMap((v) => v.split(/\s+/)),
  ].filter((n) => n.length >= 4);
  const streets = [...collect(persons, 'straat'), ...collect(persons, 'naamOpenbareRuimte')]
    .filter((s) => s.length >= 5);
  const postcodes = collect(persons, 'postcode').map((p) => p.replace(/\s+/g, ''));
  const births = persons
    .flatMap((p) => collect(p.geboorte ?? {}, 'datum'))
    .filter((d) => /^\d{8}$/.test(d) && d.slice(4) !== '0000')
    .flatMap((d) => [d, `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}`]);
  return [
    ['BSN', anyWord(words(bsns))],
    ['name of a test person', anyWord(words(names))],
    ['street of a test person', anyWord(words(streets))],
    ['postcode of a test person', anyWord(words(postcodes.flatMap((p) => [p, `${p.slice(0, 4)} ${p.slice(4)}`])))],
    ['date of birth of a test person', anyWord(words(births))],
  ];
}

function secretPatterns() {
  const apiKeys = readdirSync(join(root, 'fixtures/relying-parties'))
    .map((d) => join(root, 'fixtures/relying-parties', d, 'party.json'))
    .filter((f) => { try { return statSync(f).isFile(); } catch { return false; } })
    .map((f) => JSON.parse(readFileSync(f, 'utf8')).api_key)
    .filter(Boolean);
  return [
    ['PIN', anyWord(['482915', '918273'])],
    ['back-office token or API key', anyWord(words(['test-admin-token', 'browser-test-admin-token', ...apiKeys]))],
    ['JWT or JWS', /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/],
    ['private key member', /"d"\s*:\s*"/],
    // Session ids, codes, nonces, refresh tokens, salts and case tokens are 128 bits or more
    // of base64url: 22 characters and up.
    ['token-like random string', /(?<![A-Za-z0-9_+/-])(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])[A-Za-z0-9_-]{22,}(?![A-Za-z0-9_+/-])/],
  ];
}

function logFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...logFiles(path));
    else if (entry.name.endsWith('.log')) out.push(path);
  }
  return out;
}

function scan(dir) {
  const patterns = [...personalPatterns(), ...secretPatterns()].filter(([, re]) => re);
  const files = logFiles(dir);
  const findings = [];
  let lines = 0;
  let requests = 0;
  for (const file of files) {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (!line) return;
      lines += 1;
      if (line.includes(' request: ') || line.includes('"target":"request"')) requests += 1;
      for (const [kind, re] of patterns) {
        if (re.test(line)) findings.push(`${file}:${i + 1}: ${kind}`);
      }
    });
  }
  return { files: files.length, lines, requests, findings };
}

function report(dir) {
  const { files, lines, requests, findings } = scan(dir);
  // An empty scan proves nothing: the services must have logged their requests.
  if (files === 0 || requests === 0) {
    console.error(`scan-logs: ${files} log files, ${requests} request lines in ${dir}: the services wrote no logs`);
    return 1;
  }
  if (findings.length) {
    console.error(`scan-logs: ${findings.length} finding(s) in ${files} logs:`);
    for (const f of findings.slice(0, 50)) console.error(`  ${f}`);
    return 1;
  }
  console.log(`scan-logs: ${files} logs, ${lines} lines (${requests} requests): no personal data, PIN, key or token`);
  return 0;
}

function selfTest() {
  const clean = '2026-12-03T09:00:00Z DEBUG request: request method=GET route="/response/{id}" status=200 micros=812';
  const leaks = {
    BSN: 'login for 999993653',
    'name of a test person': 'offer for Suzanne',
    'street of a test person': 'moved to Boterdiep',
    'postcode of a test person': 'postcode 3077AW',
    PIN: 'pin 482915 wrong',
    'back-office token or API key': 'Authorization: Bearer demo-woonstichting-key',
    'JWT or JWS': 'token eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.sig',
    'private key member': '{"kty":"EC","d":"abc"}',
    'token-like random string': 'session Xq3kP9v_Lm2Rt7Yw8Zn4Ab6Cd1Ef5Gh0Ij',
  };
  const dir = mkdtempSync(join(tmpdir(), 'scan-logs-'));
  let failed = 0;
  try {
    writeFileSync(join(dir, 'clean.log'), `${clean}\n`);
    if (scan(dir).findings.length) { console.error('self-test: a clean log was flagged'); failed += 1; }
    for (const [kind, line] of Object.entries(leaks)) {
      writeFileSync(join(dir, 'leak.log'), `${clean}\n${line}\n`);
      const found = scan(dir).findings;
      if (!found.some((f) => f.endsWith(`: ${kind}`))) { console.error(`self-test: missed ${kind}`); failed += 1; }
    }
    rmSync(join(dir, 'leak.log'));
    rmSync(join(dir, 'clean.log'));
    if (report(dir) === 0) { console.error('self-test: an empty log directory passed'); failed += 1; }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(failed ? `scan-logs self-test: ${failed} failure(s)` : 'scan-logs self-test: every kind of leak is found');
  return failed ? 1 : 0;
}

const arg = process.argv[2];
if (!arg) {
  console.error('usage: scan-logs.mjs DIR | --self-test');
  process.exit(2);
}
process.exit(arg === '--self-test' ? selfTest() : report(arg));
