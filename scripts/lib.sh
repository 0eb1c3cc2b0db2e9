# Shared helpers for Regie's scripts: install what is missing, quietly, on Debian.
# shellcheck shell=bash

# Runs a command as root: directly when we are root (CI), else through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
# Installs the Debian packages given that are not installed yet.
ensure_apt() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "==> installing Debian packages: ${missing[*]}"
    if [ "$APT_UPDATED" -eq 0 ]; then
        as_root apt-get update -qq
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Installs a cargo subcommand from crates.io when it is missing: ensure_cargo_tool BIN CRATE.
ensure_cargo_tool() {
    local bin=$1 crate=$2
    shift 2
    command -v "$bin" >/dev/null 2>&1 && return 0
    [ -x "$HOME/.cargo/bin/$bin" ] && return 0
    echo "==> installing $crate (cargo install)"
    cargo install --locked --quiet "$crate" "$@"
}

# Makes sure cargo's bin directory is on PATH (non-login shells in CI may lack it).
ensure_cargo_path() {
    case ":$PATH:" in
        *":$HOME/.cargo/bin:"*) ;;
        *) export PATH="$HOME/.cargo/bin:$PATH" ;;
    esac
    command -v cargo >/dev/null 2>&1 || {
        echo "cargo not found: install Rust (rustup) first" >&2
        exit 1
    }
}

# The Debian packages the Tauri app builds and runs its window tests with.
TAURI_APT=(libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev
    libayatana-appindicator3-dev xvfb xauth webkit2gtk-driver)

# Installs the npm packages when node_modules is missing or older than the lock file, and
# builds the app's front-end (ui/dist, which the Tauri shell embeds when it compiles).
ensure_npm_and_ui() {
    command -v npm >/dev/null 2>&1 || ensure_apt nodejs npm
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        echo "==> npm ci"
        npm ci --no-audit --no-fund --loglevel=error
    fi
    npx --no-install tsc -p ui/tsconfig.json
    npx --no-install vite build ui --logLevel warn
}
