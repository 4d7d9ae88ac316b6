#!/usr/bin/env bash
# Install the staff pages' browser libraries (Apache ECharts) from the committed package-lock.json, and
# axe-core (a devDependency), which the browser tests inject into every page to check WCAG 2.1 AA offline.
#
# Idempotent: the sha256 of package.json + package-lock.json is kept in node_modules/.lock-hash; when
# it matches and the files are there, nothing runs. The gateway serves
# node_modules/echarts/dist/echarts.min.js at /staff/vendor/echarts.min.js (no CDN).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

want="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [ -f node_modules/echarts/dist/echarts.min.js ] && [ -f node_modules/axe-core/axe.min.js ] && [ "$(cat node_modules/.lock-hash 2>/dev/null)" = "$want" ]; then
    echo "assets: up to date" >&2
    exit 0
fi
command -v npm >/dev/null || { echo "assets: npm not found (Node.js 18+ needed for the analytics charts)" >&2; exit 1; }
# --ignore-scripts: nothing from the registry runs on this machine; ECharts needs no build step.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
echo "$want" >node_modules/.lock-hash
echo "assets: installed" >&2
