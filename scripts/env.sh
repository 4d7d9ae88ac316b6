# Defaults for every service, in one place; anything already set in the environment wins.
# Sourced by scripts/run.sh, scripts/train.sh and the end-to-end test harness.
export PORT="${PORT:-8080}"
export RASA_PORT="${RASA_PORT:-5005}"
export ACTION_PORT="${ACTION_PORT:-5055}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:${RASA_PORT}}"
export ACTION_URL="${ACTION_URL:-http://127.0.0.1:${ACTION_PORT}}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-${ACTION_URL}/webhook}"
export TRACKER_DIALECT="${TRACKER_DIALECT:-sqlite}"
export TRACKER_DB="${TRACKER_DB:-var/tracker.db}"
export RASA_MODEL="${RASA_MODEL:-models/current.tar.gz}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-3}"
export RASA_TELEMETRY_ENABLED=false
# Shared secrets of the internal hops, derived from APP_SECRET (app_store.settings.internal_token): Rasa
# sends ACTION_TOKEN to the action server (endpoints*.yml), the gateway sends RASA_TOKEN to Rasa's API.
if { [ -z "${ACTION_TOKEN:-}" ] || [ -z "${RASA_TOKEN:-}" ]; } && [ -x .venv/bin/python ]; then
    { read -r _action_token; read -r _rasa_token; } < <(.venv/bin/python -m app_store.settings tokens)
    export ACTION_TOKEN="${ACTION_TOKEN:-$_action_token}" RASA_TOKEN="${RASA_TOKEN:-$_rasa_token}"
    unset _action_token _rasa_token
fi
