#!/usr/bin/env bash
# Build the chat widget (widget/ → widget/dist, served by the gateway under /widget/).
#
# Idempotent: node_modules is (re)installed with `npm ci` only when package-lock.json changed (its hash is
# kept in widget/node_modules/.lock-hash), and Vite runs only when the sources changed (the hash of every
# source file, the lock and the Node version is kept in widget/dist/.build-hash). Up to date, it returns
# in well under a second. The build goes to a temporary directory that replaces dist/ only when complete,
# so a gateway serving the old build never sees a half-written one.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
widget="$repo/widget"
dist="$widget/dist"

log() { printf 'build_widget: %s\n' "$*" >&2; }

command -v node >/dev/null && command -v npm >/dev/null || {
    log "Node.js and npm are needed to build the widget (Node >= 20.19)"
    exit 1
}

# One build at a time: `make run` and `make test` may start together.
exec 9>"${TMPDIR:-/tmp}/build-widget-$(printf '%s' "$widget" | sha1sum | cut -c1-12).lock"
flock 9

cd "$widget"

sources_hash() {
    {
        node --version
        find . \( -path ./node_modules -o -path ./dist -o -path ./dist.tmp -o -path ./dist.old \) -prune -o -type f -print \
            | LC_ALL=C sort | xargs -d '\n' sha256sum
    } | sha256sum | cut -d' ' -f1
}

lock_hash="$({ node --version; cat package-lock.json; } | sha256sum | cut -d' ' -f1)"
if [ "$(cat node_modules/.lock-hash 2>/dev/null)" != "$lock_hash" ]; then
    log "installing the locked packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$lock_hash" >node_modules/.lock-hash
fi

wanted="$(sources_hash)"
if [ -f "$dist/index.html" ] && [ "$(cat "$dist/.build-hash" 2>/dev/null)" = "$wanted" ]; then
    log "widget/dist is up to date"
    exit 0
fi

log "building widget/dist with Vite"
rm -rf dist.tmp
node node_modules/vite/bin/vite.js build --outDir dist.tmp --emptyOutDir --logLevel warn
echo "$wanted" >dist.tmp/.build-hash
rm -rf dist.old
[ -d dist ] && mv dist dist.old
mv dist.tmp dist
rm -rf dist.old
log "done"
