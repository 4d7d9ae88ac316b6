#!/usr/bin/env bash
# Start every service in the foreground (called by `make run` after setup and the KB build).
# The gateway listens on http://127.0.0.1:${PORT:-8080}.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PORT="${PORT:-8080}"

if [ -f Procfile ]; then
    # honcho gives each process its own PORT: the first gets -p, the next -p+100, and so on. Keep the
    # gateway first in the Procfile, or pass ports to the others explicitly.
    exec .venv/bin/honcho start -f Procfile -p "$PORT"
fi

echo "run: knowledge base ready: $(.venv/bin/python -m policy_kb stats)"
echo "run: no Procfile yet, so no services were started"
