#!/usr/bin/env bash
# Start every service in the foreground (called by `make run` after setup, the KB build and training).
# The gateway listens on http://127.0.0.1:${PORT:-8080}. supervisord (supervise/) runs the action
# server, Rasa and the gateway, restarts whichever one dies and leaves the others running; each writes
# its log to ${RUN_DIR:-var}/log/<name>.log. Ctrl-C (or SIGTERM) stops all of them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

# The app database must exist before the action server can record a hand-off ticket.
.venv/bin/python -m bot.migrate
exec bash scripts/supervise.sh development
