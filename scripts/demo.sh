#!/usr/bin/env bash
# Starts Regie's demo with what exists so far, and says what does not exist yet.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_cargo_path
ensure_apt pkg-config

cat <<'TXT'
Regie demo
==========
Built so far: the shared protocol (SD-JWT VC, key binding, DCQL, status list, signed QR documents).
Not built yet: the issuer's portal (regie-issuer), the verifier's portal (regie-verifier),
the wallet CLI (regie-wallet) and the app. This demo runs the whole chain in one process.

TXT
cargo run --quiet --locked -p protocol --example demo
echo
echo "BRP test persons the issuer will serve (regie-issuer persons):"
cargo run --quiet --locked -p regie-issuer -- persons
