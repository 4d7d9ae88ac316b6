#!/usr/bin/env bash
# Production mode, by configuration only: RASA_PROCESSES Rasa processes and ACTION_PROCESSES action
# servers on consecutive ports, conversations on PostgreSQL, the lock store on Redis
# (endpoints.production.yml), the knowledge base and the app database on PostgreSQL, and the gateway
# spreading messages over the Rasa processes. Every setting is an environment variable, read from
# ${PRODUCTION_ENV:-deploy/production.env} when that file exists (variables already set win); see
# deploy/production.env.example. Needs the trained model (make model). Runs in the foreground under
# supervisord (scripts/supervise.sh), which restarts a process that dies and keeps the others running;
# logs in ${RUN_DIR:-var}/log/. Ctrl-C (or SIGTERM) stops everything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

env_file="${PRODUCTION_ENV:-deploy/production.env}"
if [ -f "$env_file" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in ''|'#'*) continue ;; esac
        key="${line%%=*}"
        if ! [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || [ "$key" = "$line" ]; then
            echo "run_production: $env_file: not KEY=value: $line" >&2
            exit 2
        fi
        # The environment wins over the file.
        [ -n "${!key+x}" ] || export "$key=${line#*=}"
    done < "$env_file"
elif [ -n "${PRODUCTION_ENV:-}" ]; then
    echo "run_production: PRODUCTION_ENV=$PRODUCTION_ENV does not exist" >&2
    exit 2
fi

# The process counts, RASA_BIND and TRACKER_WINDOW_TURNS come from deploy/defaults.env (scripts/env.sh);
# what follows is where production differs from those defaults.
# Production runs behind HTTPS: settings that depend on it (the staff cookie is Secure) follow this.
export APP_ENV="${APP_ENV:-production}"
export PURGE_EVERY_HOURS="${PURGE_EVERY_HOURS:-24}"  # the privacy purge (bot/privacy.py): daily
export BACKUP_EVERY_HOURS="${BACKUP_EVERY_HOURS:-24}"  # a backup into BACKUP_DIR (bot/backup.py): daily
# The gateway's deadline for a Rasa answer: past it the user gets the Chinese apology (504), so a
# conversation waiting on a dead process's lock never keeps its user longer (supervise/processes.py).
export RASA_TIMEOUT_S="${RASA_TIMEOUT_S:-2.5}"
export LOCK_REDIS_DB="${LOCK_REDIS_DB:-1}"
export LOCK_REDIS_PASSWORD="${LOCK_REDIS_PASSWORD:-}"
export TRACKER_DB_PASSWORD="${TRACKER_DB_PASSWORD:-}"
source scripts/env.sh

missing=()
for name in TRACKER_DB_HOST TRACKER_DB_PORT TRACKER_DB_NAME TRACKER_DB_USER LOCK_REDIS_HOST LOCK_REDIS_PORT \
            POLICY_KB_DB_URL APP_DB_URL; do
    [ -n "${!name:-}" ] || missing+=("$name")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "run_production: set ${missing[*]} (see deploy/production.env.example)" >&2
    exit 2
fi
for name in RASA_PROCESSES ACTION_PROCESSES GATEWAY_PROCESSES RASA_PORT ACTION_PORT PORT; do
    if ! [[ "${!name}" =~ ^[1-9][0-9]*$ ]]; then
        echo "run_production: $name must be a positive whole number, got '${!name}'" >&2
        exit 2
    fi
done
if [ "${APP_SECRET:-}" = "change-me" ]; then
    echo "run_production: APP_SECRET is still the example's placeholder: generate one (see the example file)" >&2
    exit 2
fi
if [ ! -f "$RASA_MODEL" ] && [ "${1:-}" != "--check" ]; then
    echo "run_production: $RASA_MODEL is missing: run make model first" >&2
    exit 2
fi

# Every process's settings (the gateway's rules, the process list) and the ports (bot/preflight.py): a
# refused setting or a busy port stops here with its name. `--check`: the settings only, then exit.
if [ "${1:-}" = "--check" ]; then
    exec .venv/bin/python -m bot.preflight production --settings-only
fi
.venv/bin/python -m bot.preflight production

# The schemas first, once: the app database migrated, the knowledge base loaded (no-op when unchanged).
.venv/bin/python -m bot.migrate
.venv/bin/python -m policy_kb load > /dev/null

echo "run_production: $RASA_PROCESSES Rasa process(es), $ACTION_PROCESSES action server(s), gateway on ${HOST:-127.0.0.1}:$PORT"
exec bash scripts/supervise.sh production
