#!/usr/bin/env bash
# The app as a citizen installs it: builds the .deb (debug build, so the test command needs no
# release build), installs it with apt, checks its desktop entry, starts the installed binary
# under Xvfb, and opens a request link through the desktop's own link handling (`gio open`, as
# a click in a browser or mail does), which must start the installed app with that link.
# Then the installed app, open with a wallet under a session bus, gets a verifier's request link
# through `gio open` and answers it (tests/package/). Needs root (apt-get install) or sudo, and
# the debug builds of the services and the CLI (the test command builds them first). Removes the
# package again at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

# desktop-file-utils: the desktop entry's check and the system's link cache (the package
# depends on it too); libglib2.0-bin: gio, the desktop's own way of opening a link;
# dbus-daemon: dbus-run-session, a session bus as a desktop has one.
ensure_apt desktop-file-utils libglib2.0-bin dbus-daemon xvfb xauth

echo "==> app package: build the .deb and .rpm (debug)"
./scripts/package.sh --debug >"target/package-build.log" 2>&1 || {
    cat target/package-build.log >&2
    exit 1
}
deb=$(ls target/debug/bundle/deb/*.deb)
rpm=$(ls target/debug/bundle/rpm/*.rpm)
echo "    $(basename "$deb") $(du -h "$deb" | cut -f1), $(basename "$rpm") $(du -h "$rpm" | cut -f1)"

echo "==> app package: install with apt"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$deb" >/dev/null
trap 'as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq regie >/dev/null 2>&1 || true' EXIT
desktop=/usr/share/applications/Regie.desktop
[ -x /usr/bin/regie-app ] || { echo "FAIL: /usr/bin/regie-app is not installed" >&2; exit 1; }
desktop-file-validate "$desktop"
grep -qx 'Exec=regie-app %u' "$desktop" || { echo "FAIL: $desktop does not pass the link (%u)" >&2; exit 1; }
for scheme in openid4vp openid-credential-offer; do
    # desktop-file-utils' trigger writes the system's cache of who opens what.
    grep -q "^x-scheme-handler/$scheme=.*Regie.desktop" /usr/share/applications/mimeinfo.cache || {
        echo "FAIL: $scheme:// links are not registered to Regie" >&2
        exit 1
    }
done

work=$(mktemp -d)
trap 'kill $(installed_apps) 2>/dev/null || true; rm -rf "$work"; as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq regie >/dev/null 2>&1 || true' EXIT
export REGIE_APP_DATA_DIR="$work/wallet" XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache"
link='openid4vp://?client_id=x509_san_dns%3Averifier.example&request_uri=https%3A%2F%2Fverifier.example%2Frequest%2Fabc'

# The installed app's processes (gio starts it by name, through PATH).
installed_apps() {
    local pid
    for pid in $(pgrep -x regie-app); do
        [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = /usr/bin/regie-app ] && echo "$pid"
    done
    return 0
}

# Waits up to 10 s for the installed regie-app with the argument $1.
wait_for_app() {
    local pid
    for _ in $(seq 100); do
        for pid in $(installed_apps); do
            tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qxF -- "$1" && return 0
        done
        sleep 0.1
    done
    return 1
}

echo "==> app package: the installed app starts, and a clicked link opens it"
xvfb-run -a sh -c '
    /usr/bin/regie-app >"$1/app.log" 2>&1 &
    app=$!
    sleep 3
    kill -0 "$app" || { echo "FAIL: the installed app did not stay up:"; cat "$1/app.log"; exit 1; }
    kill "$app"
' sh "$work" || exit 1
xvfb-run -a sh -c 'gio open "$1" && sleep 5' sh "$link" >"$work/gio.log" 2>&1 &
if ! wait_for_app "$link"; then
    echo "FAIL: gio open did not start the installed app with the link" >&2
    cat "$work/gio.log" >&2
    exit 1
fi
kill $(installed_apps) 2>/dev/null || true
wait

echo "==> app package: a link opened while the app runs goes to the running app (session bus)"
# The second start hands its link to the first over D-Bus and ends: one app remains, the
# first one.
dbus-run-session -- xvfb-run -a sh -c '
    /usr/bin/regie-app >"$1/first.log" 2>&1 &
    first=$!
    sleep 3
    kill -0 "$first" || { echo "FAIL: the first app did not start:"; cat "$1/first.log"; exit 1; }
    start=$(date +%s%N)
    gio open "$2" >"$1/gio2.log" 2>&1
    for _ in $(seq 50); do
        [ "$(pgrep -xc regie-app)" -eq 1 ] && break
        sleep 0.1
    done
    took=$(( ($(date +%s%N) - start) / 1000000 ))
    if [ "$(pgrep -xc regie-app)" -ne 1 ] || ! kill -0 "$first"; then
        echo "FAIL: a second app kept running ($(pgrep -xc regie-app) running after ${took} ms)"
        pgrep -axf regie-app
        exit 1
    fi
    echo "    the second start handed over its link and ended within ${took} ms"
    kill "$first"
' sh "$work" "$link" 2>"$work/dbus.log"
echo "==> app package: the installed app, open with a wallet, answers a verifier through a link gio opens"
dbus-run-session -- xvfb-run -a node --test tests/package/ >"$work/answer.log" 2>&1 || {
    cat "$work/answer.log" >&2
    echo "FAIL: the installed app did not answer the verifier" >&2
    exit 1
}
echo "    installed, desktop entry valid, both link schemes registered, gio open starts regie-app with the link, and the installed app answers a verifier"
