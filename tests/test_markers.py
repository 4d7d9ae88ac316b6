"""tests/conftest.py marks every test by what it needs; a `unit` test (what `make test-fast` runs with
`-m unit`) starts no service. Checked on the tests of the running session, so under `make test-fast` it
covers exactly the tests that ran, and under `make test` every test's mark."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import NEEDS

# Every fixture that starts a service or builds something, by name, including the ones built on another
# (their closure names that one too, but a rename there should not hide them here).
SERVICE_FIXTURES = {
    "stack",
    "reliability_stack",
    "fresh_stack",
    "production",
    "pg_url",
    "pg_app_url",
    "pg_tracker_url",
    "pg_engine",
    "redis_url",
    "browser",
    "widget_dist",
}
# What starts a process of the product or a server, found in a module's syntax: a second opinion that does
# not rely on the marks tests/conftest.py reads.
STARTERS = {
    "running_stack",
    "production_stack",
    "postgres_server",
    "redis_server",
    "sync_playwright",
    "start_rasa",
    "start_gateway",
    "start_action_server",
}
REPO = Path(__file__).resolve().parent.parent


def _unit_items(session: pytest.Session) -> list[pytest.Item]:
    return [item for item in session.items if item.get_closest_marker("unit") is not None]


def test_every_test_is_unit_or_names_what_it_needs(request: pytest.FixtureRequest) -> None:
    for item in request.session.items:
        needs = {mark.name for mark in item.iter_markers() if mark.name in NEEDS}
        assert (item.get_closest_marker("unit") is None) == bool(needs), item.nodeid


def test_no_unit_test_uses_a_service_fixture(request: pytest.FixtureRequest) -> None:
    for item in _unit_items(request.session):
        assert not SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())), item.nodeid
        callspec = getattr(item, "callspec", None)
        # migrated_url and the tracker's db fixture ask for PostgreSQL by name in their "postgresql" case.
        assert callspec is None or "postgresql" not in callspec.params.values(), item.nodeid


def _starts_a_service(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and inner.id in STARTERS:
            return True
        if isinstance(inner, ast.Attribute) and inner.attr in STARTERS:
            return True
        # A command line handed to subprocess, a list in these tests (tuples there are data: supervise's
        # command tuples compared in tests/supervise/test_ports.py).
        if isinstance(inner, ast.List):
            words = [e.value for e in inner.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            # `python -m bot` (the gateway) or scripts/run.sh (make run's stack; `--check` only reads settings)
            gateway = ("-m", "bot") in zip(words, words[1:], strict=False)
            if gateway or ("scripts/run.sh" in words and "--check" not in words):
                return True
    return False


def _is_fixture(function: ast.FunctionDef) -> bool:
    return any("fixture" in ast.unparse(decorator) for decorator in function.decorator_list)


def test_no_unit_test_starts_a_service_itself(request: pytest.FixtureRequest) -> None:
    """A module's function that starts a service is either a fixture, which no unit test of the module may
    use, or a test or helper, and then no test of the module is unit."""
    by_module: dict[Path, list[pytest.Item]] = {}
    for item in _unit_items(request.session):
        by_module.setdefault(Path(str(item.fspath)), []).append(item)
    by_module.pop(Path(__file__), None)  # this module names the starters it looks for
    for path, items in by_module.items():
        functions = [
            node
            for node in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(node, ast.FunctionDef) and _starts_a_service(node)
        ]
        assert all(_is_fixture(function) for function in functions), (path, [f.name for f in functions])
        starting = {function.name for function in functions}
        for item in items:
            assert not starting & set(getattr(item, "fixturenames", ())), item.nodeid


@pytest.mark.parametrize(
    ("path", "need"),
    [
        ("tests/e2e/test_chat.py", "stack"),
        ("tests/bot/test_serve.py", "stack"),
        ("tests/reliability/test_supervised_run.py", "stack"),
        ("tests/test_pg_fixture.py", "postgres"),
        ("tests/test_redis_fixture.py", "redis"),
    ],
)
def test_known_service_modules_are_never_unit(request: pytest.FixtureRequest, path: str, need: str) -> None:
    # Only meaningful when the session collected them (make test); under -m unit they are deselected.
    for item in request.session.items:
        if Path(str(item.fspath)) == REPO / path:
            assert item.get_closest_marker(need) is not None and item.get_closest_marker("unit") is None
