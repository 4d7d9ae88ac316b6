"""The one reader of the environment: every setting of every process is declared, with its default, in
deploy/defaults.env, and read through here (the file first, then the environment, where a variable set and
not empty wins, as in scripts/env.sh, which exports the same file for Rasa and the shell scripts).

Why one reader: a default written in two places drifts (the hotline, the retention periods and the tracker
window once had theirs in code beside the file), and a name read here but missing from the file is refused
at once (`UndeclaredSettingError`) instead of silently falling back to whatever the code assumed.
The tests and the harness still set variables for the processes they start; only reading goes through here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULTS_FILE = REPO_ROOT / "deploy" / "defaults.env"
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class SettingsError(ValueError):
    """An environment variable holds a value the product cannot use."""


class UndeclaredSettingError(LookupError):
    """A name read that deploy/defaults.env does not declare. Not a KeyError, so that `env.get(name)` and
    `name in env` raise it too rather than answering "unset"."""


@cache
def _declared(path: Path) -> tuple[tuple[str, str], ...]:
    """The file's KEY=value lines, unexpanded, read once per process (settings are read on every start
    and some per request: hotline())."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, raw = line.partition("=")
        pairs.append((key, raw))
    return tuple(pairs)


def read_defaults(environ: Mapping[str, str], path: Path = DEFAULTS_FILE) -> dict[str, str]:
    """The defaults in `path`, a ${KEY} in a value filled from `environ` where set there (not empty) and
    from the earlier defaults otherwise: what scripts/env.sh exports."""
    values: dict[str, str] = {}
    for key, raw in _declared(path):
        values[key] = _REFERENCE.sub(lambda ref: environ.get(ref[1]) or values.get(ref[1], ""), raw)
    return values


class Environment(Mapping[str, str]):
    """The declared settings: each one's value in the given environment when set and not empty, else its
    default. Reading a name the file does not declare raises UndeclaredSettingError."""

    def __init__(self, environ: Mapping[str, str], path: Path = DEFAULTS_FILE) -> None:
        defaults = read_defaults(environ, path)
        self._values = {name: environ.get(name) or default for name, default in defaults.items()}

    def __getitem__(self, name: str) -> str:
        try:
            return self._values[name]
        except KeyError:
            raise UndeclaredSettingError(f"{name} is read but not declared in deploy/defaults.env") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def environment(environ: Mapping[str, str] | None = None) -> Environment:
    """The settings from `environ` (default: this process's environment) over the file's defaults."""
    return Environment(os.environ if environ is None else environ)


def child_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment with `extra` on top: for a tool started with a few variables of its own
    (pg_dump's PGPASSWORD, which must not go on its command line)."""
    return {**os.environ, **extra}


def default(name: str) -> str:
    """`name`'s default as the file writes it (references filled from the file alone): for the defaults of
    values built in code rather than read (dataclass fields, keyword defaults)."""
    return Environment({})[name]


def get(name: str, environ: Mapping[str, str] | None = None) -> str:
    """`name`'s value; "" for a declared setting without a default that is not set."""
    environ = os.environ if environ is None else environ
    # A value depends only on the variables it may read (itself, and the keys its default names): the
    # same values give the same answer, worked out once. Some settings are read per message (the hotline,
    # the knowledge base's URL): building every setting each time was 6% of the action server's CPU.
    names = _reads(name)
    return _value(name, tuple(environ.get(n) for n in names))


@cache
def _reads(name: str) -> tuple[str, ...]:
    """`name` and every declared key its default refers to, directly or through another."""
    raw = dict(_declared(DEFAULTS_FILE))
    names, todo = [name], [name]
    while todo:
        for ref in _REFERENCE.findall(raw.get(todo.pop(), "")):
            if ref not in names:
                names.append(ref)
                todo.append(ref)
    return tuple(names)


@lru_cache(maxsize=256)
def _value(name: str, values: tuple[str | None, ...]) -> str:
    given = {n: v for n, v in zip(_reads(name), values, strict=True) if v is not None}
    return Environment(given)[name]


def optional(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """`name`'s value, or None when neither set nor given a default (secrets, URLs of production)."""
    return get(name, environ) or None


def get_int(name: str, environ: Mapping[str, str] | None = None, *, minimum: int, maximum: int) -> int:
    """`name` as a whole number within [minimum, maximum], or SettingsError naming it."""
    return to_int(name, get(name, environ), minimum=minimum, maximum=maximum)


def to_int(name: str, raw: str, *, minimum: int, maximum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value
