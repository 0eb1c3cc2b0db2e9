#!/usr/bin/env bash
# Starts Regie's demo with what exists so far, and says what does not exist yet.
#
# Runs the issuer service on http://127.0.0.1:8701 with the demo keys from fixtures/demo
# (DEMO ONLY) and the BRP test persons, and the verifier service with the demo relying
# parties' pages and the document validator on http://127.0.0.1:8702; data in data/demo/
# (delete it to start afresh). Back-office token: demo-admin-token. Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_cargo_path
ensure_apt pkg-config curl
ensure_apt "${TAURI_APT[@]}"
# The NL Design System style sheets of the pages and the app's front-end come from npm.
ensure_npm_and_ui

cat <<'TXT'
Regie demo
==========
Built so far: the shared protocol (SD-JWT VC, key binding, DCQL, status list, signed QR
documents), the issuer service with its citizen portal, OpenID4VCI endpoints, back-office API
and PDF extracts, the
verifier service with the relying parties' pages and the document validator, and the wallet
CLI (regie-wallet), and the app (regie-app).

First the whole chain in one process:
TXT
cargo build --quiet --locked -p protocol --example demo -p regie-issuer -p regie-verifier -p wallet-core -p regie-app
cargo run --quiet --locked -p protocol --example demo

export REGIE_ISSUER_ADMIN_TOKEN=${REGIE_ISSUER_ADMIN_TOKEN:-demo-admin-token}
mkdir -p data/demo
./target/debug/regie-issuer serve --listen 127.0.0.1:8701 --public-url http://127.0.0.1:8701 \
    --data-dir data/demo/issuer --key fixtures/demo/issuer.private.jwk \
    --verifier-url http://127.0.0.1:8702 \
    --verifier-party fixtures/relying-parties/gemeente/party.json &
issuer=$!
./target/debug/regie-verifier serve --listen 127.0.0.1:8702 --public-url http://127.0.0.1:8702 \
    --data-dir data/demo/verifier &
verifier=$!
trap 'kill $issuer $verifier 2>/dev/null || true' EXIT INT TERM
for url in http://127.0.0.1:8701/.well-known/openid-credential-issuer http://127.0.0.1:8702/; do
    for _ in $(seq 50); do
        curl -fsS -o /dev/null "$url" 2>/dev/null && break
        sleep 0.2
    done
done

cat <<TXT

The issuer runs at http://127.0.0.1:8701
  metadata:      http://127.0.0.1:8701/.well-known/openid-credential-issuer
  status list:   http://127.0.0.1:8701/status/1
A credential offer for test person Suzanne Moulin (BSN 999993653), made with the back-office API:
TXT
offer=$(curl -fsS -X POST http://127.0.0.1:8701/api/offers \
    -H "Authorization: Bearer $REGIE_ISSUER_ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d '{"bsn":"999993653","credential_type":"woonhistorie"}')
echo "$offer"
offer_uri=$(printf '%s' "$offer" | sed -n 's/.*"offer_uri":"\([^"]*\)".*/\1/p')

# The demo wallet's PIN is 482915 (demo only).
wallet=(./target/debug/regie-wallet --data-dir data/demo/wallet --pin-stdin)
echo
echo "The wallet CLI takes it (demo wallet in data/demo/wallet, PIN 482915):"
state=$(echo 482915 | "${wallet[@]}" --json lock-status 2>&1; echo 482915 | "${wallet[@]}" --json list 2>&1 || true)
if [[ $state == *not_initialised* ]]; then
    echo 482915 | "${wallet[@]}" init
fi
echo 482915 | "${wallet[@]}" accept-offer "$offer_uri"
brp_offer=$(curl -fsS -X POST http://127.0.0.1:8701/api/offers \
    -H "Authorization: Bearer $REGIE_ISSUER_ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d '{"bsn":"999993653","credential_type":"uittreksel-brp"}' | sed -n 's/.*"offer_uri":"\([^"]*\)".*/\1/p')
echo 482915 | "${wallet[@]}" accept-offer "$brp_offer"
echo 482915 | "${wallet[@]}" list

# Wallets of the den Braber household for the consent cases (PIN 482915, demo only).
for who in gerrit:999994542 wilma:999993112; do
    name=${who%%:*} bsn=${who##*:}
    household=(./target/debug/regie-wallet --data-dir "data/demo/wallet-$name" --pin-stdin)
    if [[ $(echo 482915 | "${household[@]}" --json list 2>&1 || true) == *not_initialised* ]]; then
        echo 482915 | "${household[@]}" init >/dev/null
        household_offer=$(curl -fsS -X POST http://127.0.0.1:8701/api/offers \
            -H "Authorization: Bearer $REGIE_ISSUER_ADMIN_TOKEN" -H 'Content-Type: application/json' \
            -d "{\"bsn\":\"$bsn\",\"credential_type\":\"uittreksel-brp\"}" |
            sed -n 's/.*"offer_uri":"\([^"]*\)".*/\1/p')
        echo 482915 | "${household[@]}" accept-offer "$household_offer" >/dev/null
    fi
done

curl -fsS -o data/demo/uittreksel-woonhistorie.pdf -X POST http://127.0.0.1:8701/api/documents \
    -H "Authorization: Bearer $REGIE_ISSUER_ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d '{"bsn":"999993653","kind":"woonhistorie"}'

cat <<TXT

The municipality's citizen portal runs at http://127.0.0.1:8701/ (test login: pick a test
person; collect a credential into the demo wallet with
  ./target/debug/regie-wallet --data-dir data/demo/wallet accept-offer 'openid-credential-offer://...'
using the link of "Open de Regie-app").
The relying parties' demo pages run at http://127.0.0.1:8702/
  housing corporation:  http://127.0.0.1:8702/woonstichting   (aanvraag medehuur)
  notary:               http://127.0.0.1:8702/notaris
  municipality:         http://127.0.0.1:8702/gemeente/verklaring (consent statements)
  document validator:   http://127.0.0.1:8702/valideer
  session API:          http://127.0.0.1:8702/api/openapi.json (keys in fixtures/relying-parties)
Answer a page's request with the demo wallet: copy the link of "Open de Regie-app" and run
  ./target/debug/regie-wallet --data-dir data/demo/wallet respond 'openid4vp://...' --approve
A printable extract with its QR code: data/demo/uittreksel-woonhistorie.pdf (upload a photo
or scan of it at /valideer).
Consent cases (the municipality's, through the verifier as the party "gemeente"):
  A move: log in at http://127.0.0.1:8701/ as Suzanne Moulin, "Verhuizing doorgeven",
    postcode 1014 AW, number 14. Copy the link of "Open de Regie-app" on that page (or on
    the shared /toestemming/... link) and let main occupant Gerrit den Braber consent:
      ./target/debug/regie-wallet --data-dir data/demo/wallet-gerrit respond 'openid4vp://...' --approve
    The page turns to "verwerkt"; renew Suzanne's credentials with
      ./target/debug/regie-wallet --data-dir data/demo/wallet renew ID
  A child's passport: the desk at http://127.0.0.1:8701/balie (key: $REGIE_ISSUER_ADMIN_TOKEN),
    child BSN 999995807 (Zoey den Braber), "Is aan de balie" for Gerrit; then log in as Wilma
    van Zon, "Toestemming geven voor het reisdocument van uw kind", and answer with
      ./target/debug/regie-wallet --data-dir data/demo/wallet-wilma respond 'openid4vp://...' --approve
Try also: ./target/debug/regie-wallet --data-dir data/demo/wallet history
Test persons: ./target/debug/regie-issuer persons.
TXT

# The app: its own wallet in data/demo/app (choose a PIN at first start). It needs a display;
# without one it says how to start it.
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "Starting the app (regie-app, wallet in data/demo/app). Press Ctrl-C to stop everything."
    REGIE_APP_DATA_DIR=data/demo/app ./target/debug/regie-app &
    app=$!
    trap 'kill $issuer $verifier $app 2>/dev/null || true' EXIT INT TERM
else
    echo "No display here: start the app elsewhere with"
    echo "  REGIE_APP_DATA_DIR=data/demo/app ./target/debug/regie-app"
    echo "(or under a virtual display: xvfb-run -a ...). Press Ctrl-C to stop."
fi
wait $issuer $verifier
