"""Gateway settings, read once from the environment.

Every value has a default that works on a developer machine, so `python -m bot` runs with no
configuration; production overrides what it needs through environment variables.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from app_store.settings import VAR_DIR, SettingsError, app_db_url, app_secret
from policy_answers.settings import DEFAULT_HOTLINE

REPO_ROOT = Path(__file__).resolve().parent.parent




@dataclass(frozen=True, kw_only=True)
class Settings:
    app_db_url: str
    # Keyed hash for pseudonymous conversation ids; kept out of repr so it never lands in a log.
    app_secret: str = field(repr=False)
    port: int = 8080
    host: str = "127.0.0.1"
    # One URL, or several separated by commas (production: one per Rasa process / action server; the
    # gateway spreads messages over the Rasa processes and its health check asks every one of them).
    rasa_url: str = "http://127.0.0.1:5005"
    action_url: str = "http://127.0.0.1:5055"
    hotline: str = DEFAULT_HOTLINE
    max_message_chars: int = 500
    rasa_timeout_s: float = 10.0
    # Requests a minute to /api/* (0: no limit). Generous: a person types far fewer, and a whole office
    # behind one NAT address shares the per-address budget. See bot/limits.py.
    rate_per_sender: int = 120
    rate_per_ip: int = 3000
    rate_exempt_loopback: bool = False
    # Reverse proxies whose X-Forwarded-For names the client (for the per-address limit).
    trusted_proxies: tuple[str, ...] = ()
    # Origins of the sites allowed to call /api/chat and /api/feedback from their own pages (CORS).
    cors_origins: tuple[str, ...] = ()
    # A listening socket handed over by a supervisor (supervisord's fcgi-program: 0; a systemd socket
    # unit: 3) instead of binding HOST:PORT: connections wait in its queue while the gateway restarts.
    listen_fd: int | None = None

    @property
    def rasa_urls(self) -> tuple[str, ...]:
        return split_urls(self.rasa_url)

    @property
    def action_urls(self) -> tuple[str, ...]:
        return split_urls(self.action_url)


def load_settings(environ: Mapping[str, str] | None = None, var_dir: Path | None = None) -> Settings:
    """Settings from `environ` (default: the process environment); `var_dir` holds the default DB and key."""
    env = os.environ if environ is None else environ
    var = var_dir or VAR_DIR
    return Settings(
        port=_int(env, "PORT", 8080, minimum=1, maximum=65535),
        host=env.get("HOST") or "127.0.0.1",
        rasa_url=_urls(env, "RASA_URL", "http://127.0.0.1:5005"),
        action_url=_urls(env, "ACTION_URL", "http://127.0.0.1:5055"),
        app_db_url=app_db_url(env, var),
        app_secret=app_secret(env, var),
        hotline=env.get("HOTLINE") or DEFAULT_HOTLINE,
        max_message_chars=_int(env, "MAX_MESSAGE_CHARS", 500, minimum=1, maximum=100_000),
        rasa_timeout_s=_positive_float(env, "RASA_TIMEOUT_S", 10.0),
        rate_per_sender=_int(env, "RATE_PER_SENDER", 120, minimum=0, maximum=1_000_000),
        rate_per_ip=_int(env, "RATE_PER_IP", 3000, minimum=0, maximum=1_000_000),
        rate_exempt_loopback=_flag(env, "RATE_EXEMPT_LOOPBACK"),
        trusted_proxies=_addresses(env, "TRUSTED_PROXIES"),
        cors_origins=_origins(env, "CORS_ORIGINS"),
        listen_fd=_int(env, "LISTEN_FD", -1, minimum=0, maximum=1023) if env.get("LISTEN_FD") else None,
    )


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def _positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not value > 0 or value == float("inf"):
        raise SettingsError(f"{name} must be a positive number of seconds, got {raw!r}")
    return value


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name) or default
    if not raw.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must be an http(s) URL, got {raw!r}")
    # Paths are appended to it, so a trailing slash would give "//webhooks".
    return raw.rstrip("/")


def _urls(env: Mapping[str, str], name: str, default: str) -> str:
    """One URL or a comma-separated list of them, each checked and normalised, joined by commas."""
    raw = env.get(name) or default
    parts = [part.strip() for part in raw.split(",")]
    if not all(parts):
        raise SettingsError(f"{name} has an empty entry in its comma-separated list: {raw!r}")
    return ",".join(_url({name: part}, name, default) for part in parts)


def split_urls(value: str) -> tuple[str, ...]:
    return tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name} must be 1/true/yes or 0/false/no, got {raw!r}")


def _addresses(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    addresses = tuple(part.strip() for part in (env.get(name) or "").split(",") if part.strip())
    for address in addresses:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise SettingsError(f"{name} lists IP addresses separated by commas, got {address!r}") from None
    return addresses


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Exact origins ("https://kjj.weihai.gov.cn", "http://localhost:3000"), as browsers send them."""
    origins = []
    for raw in (env.get(name) or "").split(","):
        origin = raw.strip().rstrip("/")
        if not origin:
            continue
        # No wildcard: the list is the point, and "*" would let any site read the answers.
        parts = urlsplit(origin)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or "*" in origin
            or parts.path
            or parts.query
            or parts.fragment
            or parts.username is not None
        ):
            raise SettingsError(f"{name} lists origins like https://example.gov.cn separated by commas, got {raw!r}")
        origins.append(origin.lower())
    return tuple(origins)
