"""Gateway settings, read once from the environment through infra.settings and checked here.

Every value has a default that works on a developer machine, so `python -m bot` runs with no
configuration; production overrides what it needs through environment variables. The defaults are
written once, in deploy/defaults.env, which scripts/env.sh exports for the other services too.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from app_store.retention import Retention
from app_store.sealing import DataKeys, keys_from
from app_store.settings import VAR_DIR, SettingsError, app_db_url, app_secret, data_keys, tracker_db_url
from infra.settings import REPO_ROOT as REPO_ROOT  # the gateway's modules find the checkout through here
from infra.settings import environment, read_defaults, to_int

DEVELOPMENT = "development"
PRODUCTION = "production"  # scripts/run_production.sh: behind HTTPS, so the staff cookie is Secure


# The file's own values, for Settings built directly (tests) rather than by load_settings.
DEFAULTS = read_defaults({})


@dataclass(frozen=True, kw_only=True)
class Settings:
    app_db_url: str
    # Keyed hash for pseudonymous conversation ids; kept out of repr so it never lands in a log.
    app_secret: str = field(repr=False)
    port: int = int(DEFAULTS["PORT"])
    host: str = DEFAULTS["HOST"]
    # "development" or "production" (run_production.sh sets it): what some defaults depend on.
    app_env: str = DEFAULTS["APP_ENV"]
    # One URL, or several separated by commas (production: one per Rasa process / action server; the
    # gateway spreads messages over the Rasa processes and its health check asks every one of them).
    rasa_url: str = DEFAULTS["RASA_URL"]
    action_url: str = DEFAULTS["ACTION_URL"]
    hotline: str = DEFAULTS["HOTLINE"]
    max_message_chars: int = int(DEFAULTS["MAX_MESSAGE_CHARS"])
    rasa_timeout_s: float = float(DEFAULTS["RASA_TIMEOUT_S"])
    # Requests a minute to /api/* (0: no limit). Generous: a person types far fewer, and a whole office
    # behind one NAT address shares the per-address budget. See bot/limits.py.
    rate_per_sender: int = int(DEFAULTS["RATE_PER_SENDER"])
    rate_per_ip: int = int(DEFAULTS["RATE_PER_IP"])
    rate_exempt_loopback: bool = False
    # Reverse proxies (addresses or networks) whose X-Forwarded-For names the client: for the chat limits
    # and the staff login throttle, which otherwise count everyone behind the proxy as one client.
    trusted_proxies: tuple[str, ...] = ()
    # Origins of the sites allowed to call /api/chat and /api/feedback from their own pages (CORS).
    cors_origins: tuple[str, ...] = ()
    # The WeChat Official Account channel (bot/wechat/): off while the token is unset. Token and key are
    # shared secrets with WeChat's servers, so they stay out of repr.
    wechat_token: str | None = field(default=None, repr=False)
    wechat_appid: str | None = None
    wechat_aes_key: str | None = field(default=None, repr=False)
    # The staff session cookie goes over HTTPS only. On by default in production, which runs behind HTTPS;
    # off in development, where the pages are served over plain http://127.0.0.1.
    staff_cookie_secure: bool = False
    # Personal data (app_store.retention): how long each kind is kept, and how often the gateway purges
    # (0: never by itself; production mode sets 24, `python -m bot.privacy purge` runs it by hand).
    retention: Retention = field(default_factory=Retention)
    purge_every_hours: int = int(DEFAULTS["PURGE_EVERY_HOURS"])
    # Backups (bot.backup): every so many hours (0: never by itself; production mode sets 24), into
    # directories under backup_dir, the newest backup_keep of them kept.
    backup_every_hours: int = int(DEFAULTS["BACKUP_EVERY_HOURS"])
    backup_dir: str = DEFAULTS["BACKUP_DIR"]
    backup_keep: int = int(DEFAULTS["BACKUP_KEEP"])
    # Rasa's tracker store, which the purge and the erasure reach into (the URL Rasa itself is given).
    tracker_db_url: str = ""
    # The keys that seal and open the callback numbers (DATA_KEY, DATA_KEYS_RETIRED); None: derived
    # from app_secret, as app_store.settings.data_keys does while DATA_KEY is unset.
    sealing_keys: DataKeys | None = field(default=None, repr=False)
    # Token of Rasa's HTTP API (`rasa run --auth-token`; production mode); None: sent nowhere.
    rasa_token: str | None = field(default=None, repr=False)
    # A listening socket handed over by a supervisor (supervisord's fcgi-program: 0; a systemd socket
    # unit: 3) instead of binding HOST:PORT: connections wait in its queue while the gateway restarts.
    listen_fd: int | None = None

    @property
    def data_keys(self) -> DataKeys:
        return self.sealing_keys or keys_from(self.app_secret)

    @property
    def rasa_urls(self) -> tuple[str, ...]:
        return split_urls(self.rasa_url)

    @property
    def action_urls(self) -> tuple[str, ...]:
        return split_urls(self.action_url)


def load_settings(environ: Mapping[str, str] | None = None, var_dir: Path | None = None) -> Settings:
    """Settings from `environ` (default: the process environment); `var_dir` holds the default DB and key."""
    var = var_dir or VAR_DIR
    # Declared names only, an empty variable counting as unset, as in scripts/env.sh.
    env = environment(environ)
    app_env = _choice(env, "APP_ENV", (DEVELOPMENT, PRODUCTION))
    return Settings(
        port=_int(env, "PORT", minimum=1, maximum=65535),
        host=env["HOST"],
        app_env=app_env,
        rasa_url=_urls(env, "RASA_URL"),
        action_url=_urls(env, "ACTION_URL"),
        app_db_url=app_db_url(env, var),
        app_secret=app_secret(env, var),
        hotline=env["HOTLINE"],
        max_message_chars=_int(env, "MAX_MESSAGE_CHARS", minimum=1, maximum=100_000),
        rasa_timeout_s=_positive_float(env, "RASA_TIMEOUT_S"),
        rate_per_sender=_int(env, "RATE_PER_SENDER", minimum=0, maximum=1_000_000),
        rate_per_ip=_int(env, "RATE_PER_IP", minimum=0, maximum=1_000_000),
        rate_exempt_loopback=_flag(env, "RATE_EXEMPT_LOOPBACK"),
        trusted_proxies=_addresses(env, "TRUSTED_PROXIES"),
        cors_origins=_origins(env, "CORS_ORIGINS"),
        **_wechat(env),
        staff_cookie_secure=_flag(env, "STAFF_COOKIE_SECURE", default=app_env == PRODUCTION),
        retention=Retention(
            conversation_days=_int(env, "RETAIN_CONVERSATION_DAYS", minimum=1, maximum=36_500),
            ticket_phone_days=_int(env, "RETAIN_TICKET_PHONE_DAYS", minimum=1, maximum=36_500),
            callback_hold_minutes=_int(env, "CALLBACK_HOLD_MINUTES", minimum=1, maximum=7 * 24 * 60),
        ),
        purge_every_hours=_int(env, "PURGE_EVERY_HOURS", minimum=0, maximum=24 * 365),
        backup_every_hours=_int(env, "BACKUP_EVERY_HOURS", minimum=0, maximum=24 * 365),
        backup_dir=env["BACKUP_DIR"],
        backup_keep=_int(env, "BACKUP_KEEP", minimum=1, maximum=10_000),
        tracker_db_url=tracker_db_url(env),
        rasa_token=env.get("RASA_TOKEN") or None,
        # Unset: derived from app_secret on use (Settings.data_keys), as a Settings built in code does.
        sealing_keys=data_keys(env, var) if env["DATA_KEY"] or env["DATA_KEYS_RETIRED"] else None,
        listen_fd=_int(env, "LISTEN_FD", minimum=0, maximum=1023) if env["LISTEN_FD"] else None,
    )


def _int(env: Mapping[str, str], name: str, *, minimum: int, maximum: int) -> int:
    """`name` from `env` (which holds deploy/defaults.env's defaults) as a whole number in its range."""
    return to_int(name, env[name], minimum=minimum, maximum=maximum)


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = env[name].strip().lower()
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {env[name]!r}")
    return value


def _positive_float(env: Mapping[str, str], name: str) -> float:
    raw = env[name]
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not value > 0 or value == float("inf"):
        raise SettingsError(f"{name} must be a positive number of seconds, got {raw!r}")
    return value


def _url(name: str, raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must be an http(s) URL, got {raw!r}")
    # Paths are appended to it, so a trailing slash would give "//webhooks".
    return raw.rstrip("/")


def _urls(env: Mapping[str, str], name: str) -> str:
    """One URL or a comma-separated list of them, each checked and normalised, joined by commas."""
    raw = env[name]
    parts = [part.strip() for part in raw.split(",")]
    if not all(parts):
        raise SettingsError(f"{name} has an empty entry in its comma-separated list: {raw!r}")
    return ",".join(_url(name, part) for part in parts)


def split_urls(value: str) -> tuple[str, ...]:
    return tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())


def _flag(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name} must be 1/true/yes or 0/false/no, got {raw!r}")


def _addresses(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """IP addresses or networks ("10.0.0.2", "10.0.0.0/24", "::1"), separated by commas."""
    addresses = []
    for part in (env.get(name) or "").split(","):
        if not part.strip():
            continue
        try:
            network = ipaddress.ip_network(part.strip(), strict=False)
        except ValueError:
            raise SettingsError(
                f"{name} lists IP addresses or networks separated by commas, got {part.strip()!r}"
            ) from None
        # A single address stays as written ("10.0.0.2", not "10.0.0.2/32").
        addresses.append(str(network.network_address) if network.num_addresses == 1 else str(network))
    return tuple(addresses)


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


# The rules of the Official Account console (基本配置 → 服务器配置): a token of 3–32 letters or digits,
# an EncodingAESKey of 43 letters and digits (base64 of a 32-byte AES key without its "="), and an AppID
# "wx" + 16 characters.
_WECHAT_TOKEN = re.compile(r"[A-Za-z0-9]{3,32}")
_WECHAT_AES_KEY = re.compile(r"[A-Za-z0-9+/]{43}")
_WECHAT_APPID = re.compile(r"wx[A-Za-z0-9]{16}")


def _wechat(env: Mapping[str, str]) -> dict[str, str | None]:
    """WECHAT_TOKEN, WECHAT_APPID, WECHAT_AES_KEY, checked together (safe mode needs all three)."""
    token = (env.get("WECHAT_TOKEN") or "").strip() or None
    appid = (env.get("WECHAT_APPID") or "").strip() or None
    aes_key = (env.get("WECHAT_AES_KEY") or "").strip() or None
    if token is not None and not _WECHAT_TOKEN.fullmatch(token):
        raise SettingsError("WECHAT_TOKEN must be 3 to 32 letters or digits, as entered in the 公众号 console")
    if appid is not None and not _WECHAT_APPID.fullmatch(appid):
        raise SettingsError(f"WECHAT_APPID must be the account's AppID (wx and 16 letters or digits), got {appid!r}")
    if aes_key is not None:
        if not _WECHAT_AES_KEY.fullmatch(aes_key) or len(_aes_key_bytes(aes_key)) != 32:
            raise SettingsError("WECHAT_AES_KEY must be the 43-character EncodingAESKey from the 公众号 console")
        if token is None or appid is None:
            # The key alone is useless: messages are signed with the token and carry the AppID.
            raise SettingsError("WECHAT_AES_KEY needs WECHAT_TOKEN and WECHAT_APPID as well")
    return {"wechat_token": token, "wechat_appid": appid, "wechat_aes_key": aes_key}


def _aes_key_bytes(aes_key: str) -> bytes:
    try:
        return base64.b64decode(aes_key + "=", validate=True)
    except binascii.Error:
        return b""
