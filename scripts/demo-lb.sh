#!/usr/bin/env bash
# The demo as a municipality runs it: Debian's nginx with TLS in front of two issuer and two
# verifier instances that share one PostgreSQL database.
#
#   issuer (citizen portal, OpenID4VCI):  https://localhost:8443
#   verifier (relying parties' pages):    https://localhost:8444
#
# The TLS certificate is made at start from a CA of its own (data/demo-lb/tls/ca.pem); the
# wallet trusts it only when told (--ca-cert). Citizens and clerks log in at a local OpenID
# Connect provider (tests/oidc/provider.mjs, standing in for the DigiD broker): user name a
# test person's BSN, or `balie` for the clerk; password `demo`. The database is a throwaway
# cluster in /tmp, gone when the script stops; everything else is in data/demo-lb/. DEMO
# ONLY: demo keys from fixtures/demo, back-office token demo-admin-token. Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_cargo_path
ensure_apt pkg-config curl nginx openssl postgresql
ensure_npm_and_ui
cargo build --quiet --locked -p regie-issuer -p regie-verifier -p wallet-core

DEMO=data/demo-lb
ISSUER=https://localhost:8443
VERIFIER=https://localhost:8444
export REGIE_ISSUER_ADMIN_TOKEN=${REGIE_ISSUER_ADMIN_TOKEN:-demo-admin-token}
mkdir -p "$DEMO/tls" "$DEMO/nginx"
DEMO=$(realpath "$DEMO")

pids=()
PG_DIR=$(mktemp -d /tmp/regie-demo-pg.XXXXXX)
stop_all() {
    kill "${pids[@]}" 2>/dev/null || true
    scripts/pg-cluster.sh stop "$PG_DIR" 2>/dev/null || true
    rm -rf "$PG_DIR"
}
trap stop_all EXIT INT TERM
eval "$(scripts/pg-cluster.sh start "$PG_DIR")"
DATABASE_URL=$REGIE_TEST_POSTGRES

# A CA of the demo's own and a certificate for localhost from it.
if [ ! -f "$DEMO/tls/server.pem" ]; then
    (
        cd "$DEMO/tls"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
            -out ca.pem -days 30 -subj "/CN=Regie demo CA" \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key \
            -out server.csr -subj "/CN=localhost" 2>/dev/null
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
            -out server.pem -days 30 -extfile server.ext 2>/dev/null
    )
fi

# The demo trust list, naming the issuer by its public HTTPS address.
sed "s|\"http://127.0.0.1:8701\"|\"$ISSUER\"|" fixtures/demo/trust-list.issuers.json \
    >"$DEMO/trust-list.issuers.json"
./target/debug/regie-issuer trust-list --anchor-key fixtures/demo/trust-anchor.private.jwk \
    --issuers "$DEMO/trust-list.issuers.json" >"$DEMO/trust-list.jwt"

# The login provider, with an account for every BRP test person and one clerk.
OIDC=http://127.0.0.1:8450
export REGIE_ISSUER_OIDC_CLIENT_SECRET=${REGIE_ISSUER_OIDC_CLIENT_SECRET:-demo-oidc-client-secret}
accounts=$(./target/debug/regie-issuer persons |
    awk '{ printf "{\"login\":\"%s\",\"password\":\"demo\",\"claims\":{\"bsn\":\"%s\"}},", $1, $1 }')
cat >"$DEMO/oidc-provider.json" <<JSON
{"port": 8450, "clients": [{"client_id": "regie-portaal",
  "client_secret": "$REGIE_ISSUER_OIDC_CLIENT_SECRET", "redirect_uris": ["$ISSUER/inloggen/terug"],
  "response_types": ["code"], "grant_types": ["authorization_code"]}],
 "accounts": [$accounts {"login": "balie", "password": "demo", "claims": {"roles": ["balie"]}}]}
JSON
node tests/oidc/provider.mjs "$DEMO/oidc-provider.json" >/dev/null 2>"$DEMO/oidc-provider.log" &
pids+=($!)

for port in 8711 8712; do
    ./target/debug/regie-issuer serve --listen "127.0.0.1:$port" --public-url "$ISSUER" \
        --database-url "$DATABASE_URL" --data-dir "$DEMO/issuer" \
        --key fixtures/demo/issuer.private.jwk \
        --verifier-url "$VERIFIER" --ca-cert "$DEMO/tls/ca.pem" \
        --verifier-party fixtures/relying-parties/gemeente/party.json \
        --oidc-issuer "$OIDC" --oidc-client-id regie-portaal --oidc-scope bsn --oidc-scope roles &
    pids+=($!)
done
for port in 8721 8722; do
    ./target/debug/regie-verifier serve --listen "127.0.0.1:$port" --public-url "$VERIFIER" \
        --database-url "$DATABASE_URL" --data-dir "$DEMO/verifier" \
        --trust-list "$DEMO/trust-list.jwt" --ca-cert "$DEMO/tls/ca.pem" &
    pids+=($!)
done

site() { # name, public port, instance ports...
    local name=$1 port=$2
    shift 2
    printf '  upstream %s {' "$name"
    printf ' server 127.0.0.1:%s;' "$@"
    printf ' }\n  server {\n    listen 127.0.0.1:%s ssl;\n' "$port"
    printf '    ssl_certificate %s/tls/server.pem;\n    ssl_certificate_key %s/tls/server.key;\n' "$DEMO" "$DEMO"
    printf '    client_max_body_size 12m;\n'
    printf '    location / {\n      proxy_pass http://%s;\n      proxy_set_header Host $host;\n    }\n  }\n' "$name"
}
# One nginx process in the foreground, reading its files as whoever starts the demo.
cat >"$DEMO/nginx/nginx.conf" <<CONF
master_process off;
daemon off;
pid $DEMO/nginx/nginx.pid;
error_log $DEMO/nginx/error.log;
events {}
http {
  access_log off;
  client_body_temp_path $DEMO/nginx/body;
  proxy_temp_path $DEMO/nginx/proxy;
$(site issuers 8443 8711 8712)
$(site verifiers 8444 8721 8722)
}
CONF
nginx -p "$DEMO/nginx" -c "$DEMO/nginx/nginx.conf" &
pids+=($!)

for url in "$ISSUER/health/ready" "$VERIFIER/health/ready"; do
    for _ in $(seq 100); do
        curl -fsS --cacert "$DEMO/tls/ca.pem" -o /dev/null "$url" 2>/dev/null && break
        sleep 0.2
    done
    curl -fsS --cacert "$DEMO/tls/ca.pem" -o /dev/null "$url" || {
        echo "not ready: $url (see $DEMO/nginx/error.log)" >&2
        exit 1
    }
done

# A wallet that trusts the demo CA and the demo trust list (PIN 482915, demo only), with an
# address history of test person Suzanne Moulin, collected through the load balancer.
wallet=(./target/debug/regie-wallet --data-dir "$DEMO/wallet" --pin-stdin
    --ca-cert "$DEMO/tls/ca.pem" --trust-list "$DEMO/trust-list.jwt")
rm -rf "$DEMO/wallet"
echo 482915 | "${wallet[@]}" init >/dev/null
offer=$(curl -fsS --cacert "$DEMO/tls/ca.pem" -X POST "$ISSUER/api/offers" \
    -H "Authorization: Bearer $REGIE_ISSUER_ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d '{"bsn":"999993653","credential_type":"woonhistorie"}' |
    sed -n 's/.*"offer_uri":"\([^"]*\)".*/\1/p')
echo 482915 | "${wallet[@]}" accept-offer "$offer"

cat <<TXT

Regie behind a load balancer (nginx with TLS, 2 issuer and 2 verifier instances, PostgreSQL):
  citizen portal:        $ISSUER/   (log in: a test person's BSN, e.g. 999993653; password demo)
  clerk's desk:          $ISSUER/balie   (log in: balie; password demo)
  relying parties:       $VERIFIER/   (housing corporation: $VERIFIER/woonstichting)
  the demo CA:           $DEMO/tls/ca.pem (import it in a browser, or: curl --cacert ...)
Answer a page's request with the demo wallet (PIN 482915):
  ${wallet[*]} respond 'openid4vp://...' --approve
Press Ctrl-C to stop everything (the database goes with it).
TXT
wait "${pids[@]}"
