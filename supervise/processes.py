"""Every process of the product, with its command line and its own environment.

Development (`make run`) is one Rasa process, one action server and the gateway; production adds more of
the first two and the shared stores. Both come from `processes()`, so a flag added to a command line here
(an auth token, a secret) reaches both modes, the tests and `python -m supervise commands` at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import infra.settings

Kind = Literal["actions", "rasa", "gateway"]
Mode = Literal["development", "production"]

ENDPOINTS = {"development": "endpoints.yml", "production": "endpoints.production.yml"}
CREDENTIALS = "credentials.yml"
# Rasa's lock store keeps a dead process's ticket for this long before the conversation's next message
# may go ahead (Rasa's default is 60 s). A little longer than the gateway's deadline in production
# (RASA_TIMEOUT_S, 2.5 s): a turn the gateway has given up on holds its conversation no longer than that.
PRODUCTION_TICKET_LOCK_LIFETIME_S = 3


# supervisord's reference to its environment's RASA_TOKEN (the only %-expansion left in a command line).
RASA_TOKEN_ARG = "%(ENV_RASA_TOKEN)s"


class ProcessConfigError(ValueError):
    """A setting the process list needs is missing or not usable."""


@dataclass(frozen=True)
class Process:
    name: str  # unique: actions1, rasa2, gateway
    kind: Kind
    port: int
    command: tuple[str, ...]  # run from the repository's root
    environment: Mapping[str, str] = field(default_factory=dict)  # on top of the shared environment
    # Identical copies sharing one listening socket (the gateway in production): killing one leaves the
    # others accepting, so no connection is refused while it restarts.
    copies: int = 1


def action_server_command(port: int) -> tuple[str, ...]:
    # rasa_sdk behind the shared secret Rasa sends (actions/server.py; ACTION_TOKEN, ACTION_HOST)
    return (".venv/bin/python", "-m", "actions.server", "--actions", "actions", "--port", str(port))


def rasa_command(
    port: int, *, bind: str, model: str, endpoints: str, credentials: str = CREDENTIALS, auth_token: str | None = None
) -> tuple[str, ...]:
    # with a token, Rasa's HTTP API refuses calls without it (the gateway sends RASA_TOKEN)
    token = ("--auth-token", auth_token) if auth_token else ()
    return (
        ".venv/bin/rasa",
        "run",
        "--enable-api",
        *token,
        "-i",
        bind,
        "--port",
        str(port),
        "--model",
        model,
        "--endpoints",
        endpoints,
        "--credentials",
        credentials,
    )


def gateway_command() -> tuple[str, ...]:
    return (".venv/bin/python", "-m", "bot")


def processes(mode: Mode, env: Mapping[str, str]) -> list[Process]:
    """The processes of `mode`, configured from `env` (what scripts/env.sh and run_production.sh export).

    Rasa process i uses action server i modulo ACTION_PROCESSES; the gateway gets both lists in that
    order (RASA_URL, ACTION_URL), which is how it knows which Rasa process an action server serves.
    """
    # Over deploy/defaults.env's values (ACTION_PROCESSES defaults to RASA_PROCESSES there).
    env = infra.settings.environment(env)
    single = mode == "development"
    rasa_count = 1 if single else _number(env, "RASA_PROCESSES")
    action_count = 1 if single else _number(env, "ACTION_PROCESSES")
    rasa_port = _number(env, "RASA_PORT")
    action_port = _number(env, "ACTION_PORT")
    bind = env["RASA_BIND"]
    # Loopback URLs for the gateway even when the services listen on every address.
    url_host = "127.0.0.1" if bind == "0.0.0.0" else bind
    model = env["RASA_MODEL"]
    # Production: Rasa's API behind a token (scripts/env.sh derives one from APP_SECRET when unset).
    # The command names the variable, which supervisord fills in: the secret is in no file.
    if not single and not env.get("RASA_TOKEN"):
        raise ProcessConfigError("RASA_TOKEN must be set in production mode (scripts/env.sh derives it)")
    token = None if single else RASA_TOKEN_ARG

    found: list[Process] = []
    action_urls = []
    for i in range(action_count):
        port = action_port + i
        action_urls.append(f"http://{url_host}:{port}")
        found.append(Process(f"actions{i + 1}", "actions", port, action_server_command(port)))
    rasa_urls = []
    for i in range(rasa_count):
        port = rasa_port + i
        rasa_urls.append(f"http://{url_host}:{port}")
        environment = {"ACTION_ENDPOINT_URL": f"{action_urls[i % action_count]}/webhook"}
        if not single:
            environment["TICKET_LOCK_LIFETIME"] = str(PRODUCTION_TICKET_LOCK_LIFETIME_S)
        found.append(
            Process(
                f"rasa{i + 1}",
                "rasa",
                port,
                rasa_command(port, bind=bind, model=model, endpoints=ENDPOINTS[mode], auth_token=token),
                environment,
            )
        )
    found.append(
        Process(
            "gateway",
            "gateway",
            _number(env, "PORT"),
            gateway_command(),
            {"RASA_URL": ",".join(rasa_urls), "ACTION_URL": ",".join(action_urls)},
            copies=1 if single else _number(env, "GATEWAY_PROCESSES"),
        )
    )
    return found


def _number(env: Mapping[str, str], name: str) -> int:
    raw = env[name]
    if not raw.isdigit() or int(raw) < 1:
        raise ProcessConfigError(f"{name} must be a positive whole number, got {raw!r}")
    return int(raw)
