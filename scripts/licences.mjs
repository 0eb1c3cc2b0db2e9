#!/usr/bin/env node
// The licences of everything the app bundles, for its "Over Regie" screen: every crate
// compiled into regie-app for Linux (normal dependencies from Cargo.lock, no build or test
// tools) and the npm packages the window loads, each with its licence expression and the
// licence files it ships (copyright lines included, as MIT and BSD ask). Written to
// src-tauri/licences.json, which the app embeds.
//
//   node scripts/licences.mjs           write the file
//   node scripts/licences.mjs --check   fail when the file is not what the lock files give
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'src-tauri', 'licences.json');
const LICENCE_FILE = /^(licen[cs]e|copying|notice)([-._].*)?$/i;

/** The licence files in a package's folder, as text (line endings made uniform). */
function licenceTexts(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && LICENCE_FILE.test(e.name))
    .map((e) => e.name)
    .sort()
    .map((name) => readFileSync(join(dir, name), 'utf8').replace(/\r\n?/g, '\n').trim());
}

function crates() {
  const meta = JSON.parse(execFileSync('cargo', [
    'metadata', '--format-version', '1', '--locked', '--filter-platform', 'x86_64-unknown-linux-gnu',
  ], { cwd: root, maxBuffer: 256 * 1024 * 1024 }));
  const byId = new Map(meta.packages.map((p) => [p.id, p]));
  const nodes = new Map(meta.resolve.nodes.map((n) => [n.id, n]));
  const workspace = new Set(meta.workspace_members);
  const app = meta.packages.find((p) => p.name === 'regie-app').id;
  const seen = new Set();
  const todo = [app];
  while (todo.length) {
    const id = todo.pop();
    if (seen.has(id)) continue;
    seen.add(id);
    for (const dep of nodes.get(id).deps) {
      if (dep.dep_kinds.some((k) => k.kind === null)) todo.push(dep.pkg);
    }
  }
  return [...seen]
    .filter((id) => !workspace.has(id))
    .map((id) => byId.get(id))
    .map((p) => ({
      kind: 'crate',
      name: p.name,
      version: p.version,
      licence: p.license ?? (p.license_file ? 'see licence file' : 'not stated'),
      repository: p.repository ?? null,
      files: licenceTexts(dirname(p.manifest_path)),
    }));
}

function npmPackages() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return Object.keys(pkg.dependencies ?? {}).map((name) => {
    const dir = join(root, 'node_modules', name);
    const own = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const repository = typeof own.repository === 'string' ? own.repository : own.repository?.url ?? null;
    return {
      kind: 'npm', name, version: own.version, licence: own.license ?? 'not stated', repository, files: licenceTexts(dir),
    };
  });
}

function build() {
  const all = [...crates(), ...npmPackages()]
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version, 'en', { numeric: true }));
  // Identical texts (most Apache-2.0 files) are kept once and referred to by number.
  const texts = [];
  const index = new Map();
  const packages = all.map(({ files, ...p }) => ({
    ...p,
    texts: files.map((text) => {
      if (!index.has(text)) {
        index.set(text, texts.length);
        texts.push(text);
      }
      return index.get(text);
    }),
  }));
  return `${JSON.stringify({ regie: { licence: 'EUPL-1.2' }, packages, texts }, null, 1)}\n`;
}

const text = build();
if (process.argv.includes('--check')) {
  const current = existsSync(out) ? readFileSync(out, 'utf8') : '';
  if (current !== text) {
    console.error('src-tauri/licences.json is not what Cargo.lock and package.json give: run node scripts/licences.mjs');
    process.exit(1);
  }
  console.log(`    licences of ${JSON.parse(text).packages.length} bundled packages are up to date`);
} else {
  writeFileSync(out, text);
  const parsed = JSON.parse(text);
  console.log(`${parsed.packages.length} packages, ${parsed.texts.length} distinct licence texts, ${text.length} bytes`);
}
