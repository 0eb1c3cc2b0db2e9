#!/usr/bin/env bash
# Runs every test of Regie: formatting, lints, unit and integration tests, browser tests of
# the portals, WebDriver tests of the app window, the dependency check (cargo deny), fuzz
# smoke runs.
# Installs what it needs (Debian packages, cargo tools) when missing.
#
#   ./scripts/test.sh            everything
#   FUZZ_SECONDS=0 ./scripts/test.sh   skip the fuzz smoke runs (quick local loop)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

FUZZ_SECONDS=${FUZZ_SECONDS:-15}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# 2 cores, limited disk: no debug info keeps target/ about half the size and links faster.
export CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_TEST_DEBUG=0
# Incremental caches (~2 GB here) only help a second build of the same checkout; CI builds
# once from a clean clone, and one try ran out of disk while compiling.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}

ensure_cargo_path
# Every service started by a test logs at debug level into this directory; the run ends
# with a scan of it for personal data and secrets (scripts/scan-logs.mjs).
export REGIE_TEST_LOG_DIR="$PWD/target/test-logs"
rm -rf "$REGIE_TEST_LOG_DIR"
mkdir -p "$REGIE_TEST_LOG_DIR"
# poppler-utils: PDF extracts are rendered to images in tests; chromium: browser tests;
# the Tauri packages: the app and its window tests under Xvfb; nginx: the example site's rate
# limits and TLS run in front of the services (openssl makes its test certificate);
# postgresql: the services' stores are tested on PostgreSQL as well as on sled; dbus-daemon
# (dbus-run-session) and libglib2.0-bin (gdbus, gio): the app's one window, the screen lock
# and the installed package's links are tested on a session bus as on a desktop.
ensure_apt pkg-config poppler-utils chromium postgresql nginx openssl dbus-daemon libglib2.0-bin \
    desktop-file-utils "${TAURI_APT[@]}"
ensure_cargo_tool cargo-nextest cargo-nextest
ensure_cargo_tool tauri-driver tauri-driver
# Without its default features (the advisory database fetch) cargo-deny builds in about a
# quarter of the time and still checks licences, bans and sources offline.
ensure_cargo_tool cargo-deny cargo-deny --no-default-features
[ "$FUZZ_SECONDS" -gt 0 ] && ensure_cargo_tool cargo-fuzz cargo-fuzz

echo "==> app front-end: type check and build (ui/dist)"
ensure_npm_and_ui

echo "==> cargo fmt --check"
cargo fmt --all --check

# Licences, banned and duplicate crates, sources (deny.toml). Offline: the advisory check
# needs the RustSec database and is documented in SECURITY.md ("Dependencies").
echo "==> cargo deny (licenses, bans, sources)"
# On a fresh machine the registry is still empty: fetch the locked crates first, or the
# offline check finds none of them.
cargo fetch --locked --quiet
cargo deny --locked --offline check --hide-inclusion-graph licenses bans sources
# The app's "Over Regie" screen lists what it bundles from src-tauri/licences.json: it must
# match the lock files (after a dependency change: node scripts/licences.mjs).
node scripts/licences.mjs --check

echo "==> cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

# A throwaway PostgreSQL cluster for the run (socket only, in /tmp so that the postgres
# user can reach it when we are root); every test makes its own database in it.
PG_DIR=$(mktemp -d /tmp/regie-pg.XXXXXX)
trap 'scripts/pg-cluster.sh stop "$PG_DIR" 2>/dev/null || true; rm -rf "$PG_DIR"' EXIT
eval "$(scripts/pg-cluster.sh start "$PG_DIR")"

echo "==> tests (nextest)"
cargo nextest run --workspace --locked --no-fail-fast

echo "==> doc tests"
cargo test --workspace --doc --locked --quiet

echo "==> benchmarks build (debug profile; measure with the commands in BENCHMARKS.md)"
cargo test --workspace --locked --benches --no-run --quiet

echo "==> browser tests (Playwright with Debian's Chromium, axe-core)"
cargo build --workspace --bins --locked --quiet
npm run --silent test:browser

echo "==> app window tests (tauri-driver, WebKitWebDriver, Xvfb)"
xvfb-run -a npm run --silent test:app
# With a session bus, as on a desktop: one window, a second start hands its link over.
dbus-run-session -- xvfb-run -a npm run --silent test:app-instance 2>"target/dbus-session.log"

# The installable package: .deb and .rpm built, the .deb installed with apt, its desktop
# entry checked, a link opened through the desktop (gio) reaches the installed app.
./scripts/test-package.sh

echo "==> logs: no personal data, PIN, key or token in any service's log"
node scripts/scan-logs.mjs --self-test
node scripts/scan-logs.mjs "$REGIE_TEST_LOG_DIR"

if [ "$FUZZ_SECONDS" -gt 0 ]; then
    # Two targets at a time: nothing else runs by then, and each target uses one core.
    FUZZ_JOBS=${FUZZ_JOBS:-2} ./scripts/fuzz.sh "$FUZZ_SECONDS"
fi

echo "==> disk: target/ $(du -sh target 2>/dev/null | cut -f1), free $(df -h --output=avail . | tail -1)"
echo "==> all tests passed"
