#!/usr/bin/env bash
# Runs each fuzz target of the protocol crate for N seconds (default 15), seeded from
# protocol/fuzz/seeds/. Any crash fails the run and leaves the input in protocol/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_cargo_path
ensure_cargo_tool cargo-fuzz cargo-fuzz

SECONDS_PER_TARGET=${1:-15}
# cargo-fuzz needs nightly-only flags (sanitizers); the stable toolchain accepts them
# when told it is bootstrapping. Only the fuzz build sees this variable.
export RUSTC_BOOTSTRAP=1
cd protocol
for target in $(cargo fuzz list); do
    echo "==> fuzz $target (${SECONDS_PER_TARGET}s)"
    mkdir -p "fuzz/corpus/$target"
    seeds=()
    [ -d "fuzz/seeds/$target" ] && seeds=("fuzz/seeds/$target")
    log="fuzz/$target.log"
    if ! cargo fuzz run "$target" "fuzz/corpus/$target" "${seeds[@]}" -- \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz target $target failed: the crashing input is in protocol/fuzz/artifacts/$target/" >&2
        exit 1
    fi
    grep -E "^Done [0-9]+ runs" "$log" || tail -n 3 "$log"
done
