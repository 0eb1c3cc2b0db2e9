#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests: socket only (no TCP port), trust login, no fsync.
#
#   scripts/pg-cluster.sh start DIR   starts it in DIR and prints
#                                     `export REGIE_TEST_POSTGRES=postgres://…` (eval it)
#   scripts/pg-cluster.sh stop DIR    stops it (DIR may then be removed)
#
# PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` user.
set -euo pipefail

bin_dir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -x "$dir/initdb" ] || {
        echo "PostgreSQL is not installed (Debian: apt-get install postgresql)" >&2
        exit 1
    }
    echo "$dir"
}

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}
bin=$(bin_dir)
case "$cmd" in
start)
    mkdir -p "$dir"
    dir=$(realpath "$dir")
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    # -F: no fsync (throwaway); max_connections: every test database has its own pools.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-k $dir -h '' -F -c max_connections=400" start >/dev/null
    socket=$(printf '%s' "$dir" | sed 's|/|%2F|g')
    echo "export REGIE_TEST_POSTGRES=postgres://postgres@$socket/postgres"
    ;;
stop)
    dir=$(realpath "$dir")
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
