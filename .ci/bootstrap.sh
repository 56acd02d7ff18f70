# shellcheck shell=bash
# Shared set-up for .ci/demo and .ci/test: a virtualenv in .venv with roomsweep installed.
# Sourced, not run. Needs Python >= 3.11 (Debian bookworm / Raspberry Pi OS bookworm have it).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="${ROOMSWEEP_VENV:-$ROOT/.venv}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

apt_install() {
    # Install Debian packages that are not there yet (no apt-get update when nothing is missing).
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "bootstrap: installing Debian packages: ${missing[*]}" >&2
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    fi
}

pick_python() {
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "bootstrap: Python >= 3.11 is required (found: $(python3 --version 2>&1))" >&2
    return 1
}

make_venv() {
    # $1: pip extras to install, e.g. "dev" (empty for the plain package)
    local py
    py=$(pick_python)
    if [ ! -x "$VENV/bin/python" ]; then
        if ! "$py" -m venv "$VENV" 2>/dev/null; then
            apt_install python3-venv
            "$py" -m venv "$VENV"
        fi
        "$VENV/bin/python" -m pip install -q --upgrade pip >&2
    fi
    local spec="$ROOT"
    if [ -n "${1:-}" ]; then spec="${ROOT}[$1]"; fi
    "$VENV/bin/python" -m pip install -q -e "$spec" >&2
}
