#!/usr/bin/env bash
# Create or update the project venv (.venv) from the pinned requirements.
#
# Idempotent: the sha256 of requirements.in + requirements.lock (and the interpreter version) is kept
# in .venv/.pins-hash; when it matches, nothing is installed and the script returns in about a second.
# Environment:
#   VENV    venv directory (default: <repo>/.venv)
#   PYTHON  Python 3.10 interpreter to build the venv with (default: found below)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV:-$repo/.venv}"
pins=("$repo/requirements.in" "$repo/requirements.lock")

log() { printf 'setup: %s\n' "$*" >&2; }

is_py310() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

# Rasa 3.6 runs on Python 3.8–3.10 only. On the image `python3.10` is a pyenv shim that can fail
# when 3.10 is not the selected pyenv version, so try the real binaries too.
find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.10 \
        "${PYENV_ROOT:-/root/.pyenv}"/versions/3.10.*/bin/python3.10 \
        /usr/local/bin/python3.10 /usr/bin/python3.10; do
        [ -n "$candidate" ] || continue
        if is_py310 "$candidate"; then
            command -v "$candidate" || echo "$candidate"
            return 0
        fi
    done
    return 1
}

# One setup at a time: `make run` and `make test` may start together.
exec 9>"${TMPDIR:-/tmp}/setup-$(printf '%s' "$venv" | sha1sum | cut -c1-12).lock"
flock 9

if [ -e "$venv" ] && ! is_py310 "$venv/bin/python"; then
    log "$venv does not run Python 3.10; recreating it"
    rm -rf "$venv"
fi

if [ ! -x "$venv/bin/python" ]; then
    python="$(find_python)" || {
        log "Python 3.10 not found (tried \$PYTHON, python3.10, ${PYENV_ROOT:-/root/.pyenv}/versions/3.10.*)"
        exit 1
    }
    log "creating $venv with $python"
    "$python" -m venv "$venv"
fi

wanted="$({ cat "${pins[@]}"; "$venv/bin/python" -VV; } | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$venv/.pins-hash" 2>/dev/null)" = "$wanted" ]; then
    log "$venv is up to date"
    exit 0
fi

log "installing pinned requirements into $venv"
rm -f "$venv/.pins-hash"
# Bring pip/setuptools/wheel to the locked versions first, then the rest; the lock as constraints
# means pip resolves without backtracking.
"$venv/bin/python" -m pip install --progress-bar off -c "$repo/requirements.lock" pip setuptools wheel
"$venv/bin/python" -m pip install --progress-bar off -r "$repo/requirements.in" -c "$repo/requirements.lock"
echo "$wanted" >"$venv/.pins-hash"
log "done"
