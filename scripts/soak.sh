#!/usr/bin/env bash
# The soak: the real issuer and verifier (release builds) on loopback for SECONDS (default
# 600) while wallets keep collecting credentials and answering the housing corporation's
# sessions. Prints sessions per second, p50/p99 latency, each service's memory (PSS) at the
# start, after a warm-up and at the end, the machine's load and the error count; exits
# non-zero on any error. The program is verifier/benches/soak.rs; figures in BENCHMARKS.md.
#
#   ./scripts/soak.sh          10 minutes
#   ./scripts/soak.sh 60       one minute
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

SECONDS_TO_RUN=${1:-600}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
ensure_cargo_path
echo "==> release build of regie-issuer and regie-verifier"
cargo build --release --locked --quiet -p regie-issuer -p regie-verifier --bins
echo "==> soak for ${SECONDS_TO_RUN} s"
REGIE_SOAK_SECONDS=$SECONDS_TO_RUN cargo bench --locked --quiet -p regie-verifier --bench soak
