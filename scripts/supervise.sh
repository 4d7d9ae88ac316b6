#!/usr/bin/env bash
# supervisord in the foreground for MODE (development | production), with the configuration written
# from the environment by `python -m supervise` into ${RUN_DIR:-var}/supervisord.conf. Called by
# scripts/run.sh and scripts/run_production.sh once they have set and checked the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode="$1"
run_dir="${RUN_DIR:-var}"
mkdir -p "$run_dir/log"
conf="$run_dir/supervisord.conf"
.venv/bin/python -m supervise conf "$mode" "$conf"
echo "supervise: $mode; logs in $run_dir/log/; status: .venv/bin/supervisorctl -c $conf status"
exec .venv/bin/supervisord -c "$conf"
