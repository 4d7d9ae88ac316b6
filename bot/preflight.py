"""`python -m bot.preflight MODE [--settings-only]`: what `make run` (MODE development) and
`make run-production` (production) check before they start anything.

A setting a process would refuse is reported by its name with what is wrong, and the start stops there
(exit 2): otherwise supervisord would restart the refusing process until it gives up, health never turns
green and the reason sits in var/log/<name>.log. Then the ports (supervise.ports): what a killed supervisord
left running is stopped, another program on a port is named (exit 3). The environment is the one
scripts/run.sh or scripts/run_production.sh has set up (deploy/defaults.env included).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.settings import REPO_ROOT, load_settings
from infra.settings import environment, get
from supervise.ports import PortsBusyError, free_ports
from supervise.processes import ProcessConfigError, processes

SETTINGS_REFUSED = 2
PORTS_BUSY = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.preflight")
    parser.add_argument("mode", choices=["development", "production"])
    parser.add_argument("--settings-only", action="store_true", help="check the settings, not the ports")
    args = parser.parse_args(argv)
    prefix = "make run" if args.mode == "development" else "make run-production"
    # Every process's settings: the gateway's (bot.settings, which include the app and tracker databases)
    # and the process list's (ports, process counts, the Rasa token in production).
    try:
        load_settings()
        found = processes(args.mode, environment())
    except (ValueError, ProcessConfigError) as error:  # SettingsError is a ValueError
        print(f"{prefix}: setting refused, nothing started: {error}", file=sys.stderr)
        return SETTINGS_REFUSED
    if args.settings_only:
        return 0
    run_dir = Path(get("RUN_DIR")).resolve()
    try:
        free_ports(found, repo=REPO_ROOT, run_dir=run_dir, report=lambda line: print(f"{prefix}: {line}"))
    except PortsBusyError as error:
        print(f"{prefix}: port in use, nothing started:\n{error}", file=sys.stderr)
        return PORTS_BUSY
    return 0


if __name__ == "__main__":
    sys.exit(main())
