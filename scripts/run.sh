#!/usr/bin/env bash
# Start every service in the foreground (called by `make run` after setup, the KB build and training).
# The gateway listens on http://127.0.0.1:${PORT:-8080}; Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

# The app database must exist before the action server can record a hand-off ticket.
.venv/bin/python -m bot.migrate
# honcho gives each process its own PORT (-p, +100, …): the gateway is first in the Procfile and the
# others are started on their explicit ports.
exec .venv/bin/honcho start -f Procfile -p "$PORT"
