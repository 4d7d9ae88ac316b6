# Defaults for every service: deploy/defaults.env, the one place they are written (the Python side reads
# the same file through infra/settings.py). Anything already set (not empty) in the environment wins.
# Sourced by scripts/run.sh, scripts/train.sh and the end-to-end test harness.
while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key="${line%%=*}" value="${line#*=}"
    # ${KEY} names an earlier key (or a variable already set); nothing else is expanded, as in Python.
    while [[ "$value" =~ \$\{([A-Za-z_][A-Za-z0-9_]*)\} ]]; do
        ref="${BASH_REMATCH[1]}"
        value="${value//"\${$ref}"/${!ref:-}}"
    done
    # An empty default declares a setting without one (infra/settings.py): nothing to export.
    [ -n "${!key:-}" ] || [ -z "$value" ] || export "$key=$value"
done < "$(dirname "${BASH_SOURCE[0]}")/../deploy/defaults.env"
export RASA_TELEMETRY_ENABLED=false
# Shared secrets of the internal hops, derived from APP_SECRET (app_store.settings.internal_token): Rasa
# sends ACTION_TOKEN to the action server (endpoints*.yml), the gateway sends RASA_TOKEN to Rasa's API.
if { [ -z "${ACTION_TOKEN:-}" ] || [ -z "${RASA_TOKEN:-}" ]; } && [ -x .venv/bin/python ]; then
    { read -r _action_token; read -r _rasa_token; } < <(.venv/bin/python -m app_store.settings tokens)
    export ACTION_TOKEN="${ACTION_TOKEN:-$_action_token}" RASA_TOKEN="${RASA_TOKEN:-$_rasa_token}"
    unset _action_token _rasa_token
fi
