#!/usr/bin/env bash
# Builds the app's installable packages (release): a .deb and an .rpm of regie-app, with a
# desktop entry that opens openid4vp:// and openid-credential-offer:// links in the app.
#
#   ./scripts/package.sh            release packages in target/release/bundle/{deb,rpm}/
#   ./scripts/package.sh --debug    the same from a debug build (what the test command installs)
#
# A citizen installs the .deb with `sudo apt install ./Regie_<version>_amd64.deb` (Debian,
# Ubuntu) or the .rpm with `sudo dnf install ./Regie-<version>-1.x86_64.rpm` (Fedora).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_cargo_path
ensure_apt pkg-config "${TAURI_APT[@]}"
ensure_npm_and_ui
# The Tauri CLI comes prebuilt from npm (@tauri-apps/cli, pinned in package-lock.json); the
# .rpm is written by the bundler itself, no rpmbuild needed.
npx --no-install tauri build --bundles deb rpm "$@"
