#!/usr/bin/env bash
# Runs each fuzz target for N seconds (default 15), seeded from <crate>/fuzz/seeds/<target>/:
# the protocol crate's parsers (protocol/fuzz) and the QR image reader (qr-image/fuzz).
# Any crash fails the run and leaves the input in <crate>/fuzz/artifacts/<target>/.
#
#   ./scripts/fuzz.sh            15 s per target (the test command's smoke run)
#   ./scripts/fuzz.sh 600        the long run SECURITY.md records (10 minutes per target)
#   FUZZ_JOBS=2 ./scripts/fuzz.sh 600   two targets at a time (one per core)
#   FUZZ_TARGETS="kb_jwt_verify jose_parse" ./scripts/fuzz.sh 60   only those targets
#   FUZZ_CRATES=qr-image ./scripts/fuzz.sh 60   only that crate's targets
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_cargo_path
ensure_cargo_tool cargo-fuzz cargo-fuzz

SECONDS_PER_TARGET=${1:-15}
FUZZ_JOBS=${FUZZ_JOBS:-1}
read -ra FUZZ_CRATES <<<"${FUZZ_CRATES:-protocol qr-image}"
# cargo-fuzz needs nightly-only flags (sanitizers); the stable toolchain accepts them
# when told it is bootstrapping. Only the fuzz build sees this variable.
export RUSTC_BOOTSTRAP=1

# Runs one target in crate directory $1; prints its summary line, or its log and the place
# of the crashing input on failure.
run_target() {
    local crate=$1 target=$2
    local log="fuzz/$target.log"
    (
        cd "$crate"
        mkdir -p "fuzz/corpus/$target"
        local seeds=()
        [ -d "fuzz/seeds/$target" ] && seeds=("fuzz/seeds/$target")
        # -timeout: one input taking over 30 s is a hang worth reporting (the services cap
        # their own work far below that).
        if ! cargo fuzz run "$target" "fuzz/corpus/$target" "${seeds[@]}" -- \
            -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -timeout=30 \
            -print_final_stats=1 >"$log" 2>&1; then
            tail -n 60 "$log" >&2
            echo "fuzz target $target failed: the crashing input is in $crate/fuzz/artifacts/$target/" >&2
            exit 1
        fi
        local runs
        runs=$(grep -E "^stat::number_of_executed_units" "$log" | grep -oE "[0-9]+$" || echo "?")
        echo "==> fuzz $target: ${SECONDS_PER_TARGET}s, $runs runs, no crash"
    )
}

for crate in "${FUZZ_CRATES[@]}"; do
    # Built once up front, so that parallel runs do not race to build the same targets.
    (cd "$crate" && cargo fuzz build)
done

pids=()
failed=0
for crate in "${FUZZ_CRATES[@]}"; do
    for target in $(cd "$crate" && cargo fuzz list); do
        if [ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" $target "* ]]; then
            continue
        fi
        run_target "$crate" "$target" &
        pids+=($!)
        # At most FUZZ_JOBS targets at once: wait for the oldest before starting another.
        if [ "${#pids[@]}" -ge "$FUZZ_JOBS" ]; then
            wait "${pids[0]}" || failed=1
            pids=("${pids[@]:1}")
        fi
    done
done
for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
done
exit "$failed"
