#!/usr/bin/env bash
# Start every service in the foreground (called by `make run` after setup, the KB build and training).
# The gateway listens on http://127.0.0.1:${PORT:-8080}. supervisord (supervise/) runs the action
# server, Rasa and the gateway, restarts whichever one dies and leaves the others running; each writes
# its log to ${RUN_DIR:-var}/log/<name>.log. Ctrl-C (or SIGTERM) stops all of them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

# Every setting checked before anything starts, and the ports freed of what a killed supervisord left
# (bot/preflight.py): a refused setting or a busy port stops here with its name, not in a restart loop.
# `--check` (make run does it before training): the settings only, then exit.
if [ "${1:-}" = "--check" ]; then
    exec .venv/bin/python -m bot.preflight development --settings-only
fi
.venv/bin/python -m bot.preflight development

# The app database must exist before the action server can record a hand-off ticket.
.venv/bin/python -m bot.migrate
exec bash scripts/supervise.sh development
