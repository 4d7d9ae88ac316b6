"""`python -m supervise conf MODE FILE`: write supervisord's configuration for MODE (development or
production) from the environment; `python -m supervise commands MODE`: print each process's environment
and command line (for systemd units or containers on several machines, docs/several-machines.md)."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from infra.settings import environment, get
from supervise.config import supervisord_conf
from supervise.processes import RASA_TOKEN_ARG, ProcessConfigError, processes

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m supervise")
    commands = parser.add_subparsers(dest="command", required=True)
    conf = commands.add_parser("conf", help="write supervisord.conf")
    conf.add_argument("mode", choices=["development", "production"])
    conf.add_argument("file", type=Path)
    show = commands.add_parser("commands", help="print every process's environment and command line")
    show.add_argument("mode", choices=["development", "production"])
    args = parser.parse_args(argv)
    try:
        found = processes(args.mode, environment())
    except ProcessConfigError as error:
        print(f"supervise: {error}", file=sys.stderr)
        return 2
    if args.command == "commands":
        for process in found:
            assignments = " ".join(f"{key}={shlex.quote(value)}" for key, value in process.environment.items())
            # supervisord's %(ENV_RASA_TOKEN)s means nothing to a shell or a systemd unit: both read ${RASA_TOKEN}.
            command = shlex.join(process.command).replace(shlex.quote(RASA_TOKEN_ARG), "${RASA_TOKEN}")
            print(f"{process.name}: {assignments + ' ' if assignments else ''}{command}")
        return 0
    run_dir = args.file.resolve().parent
    (run_dir / "log").mkdir(parents=True, exist_ok=True)
    host = get("HOST")
    args.file.write_text(supervisord_conf(found, repo=REPO, run_dir=run_dir, host=host), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
