"""`python -m policy_kb load` and `stats` on a real SQLite file: the counts of the document, idempotent
loading, and a reload when the data file changes."""

from __future__ import annotations

import json
from pathlib import Path

from policy_kb.query import KnowledgeBase
from policy_kb.store import engine_for, read_document
from tests.policy_kb.helpers import DATA_FILE, copy_data, replace_once, run_main, sqlite_url


def _stats(cli, url: str) -> dict[str, int]:
    result = cli("--url", url, "stats")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_load_then_stats(cli, tmp_path: Path):
    url = sqlite_url(tmp_path / "policy.db")
    result = cli("--url", url, "load", str(DATA_FILE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("loaded 威政办发〔2018〕32号")
    stats = _stats(cli, url)
    assert stats["documents"] == 1
    assert stats["clauses"] == 21
    assert stats["measures"] >= 25
    assert stats["targets"] >= 12
    assert stats["units"] == 22
    assert stats["districts"] == 9


def test_stats_of_an_empty_database(cli, tmp_path: Path):
    stats = _stats(cli, sqlite_url(tmp_path / "empty.db"))
    assert stats == {"documents": 0, "clauses": 0, "measures": 0, "targets": 0, "units": 0, "districts": 0}


def test_loading_twice_is_unchanged_and_a_changed_file_reloads(capsys, tmp_path: Path):
    url = sqlite_url(tmp_path / "policy.db")
    copy = copy_data(tmp_path / "data")

    def load() -> str:
        code, out, err = run_main(capsys, "--url", url, "load", str(copy))
        assert code == 0, err
        return out

    def stats() -> dict[str, int]:
        code, out, err = run_main(capsys, "--url", url, "stats")
        assert code == 0, err
        return json.loads(out)

    assert load().startswith("loaded")
    before = stats()
    assert load().startswith("unchanged")
    assert stats() == before

    # an editor adds an alias: the file still passes the check, and the new alias must reach the database
    replace_once(copy, "aliases: [科技保险, 保险,", "aliases: [科技保险, 保险, 科技险,")
    assert load().startswith("loaded")
    assert stats() == before  # replaced, not added beside the old one
    data, _ = read_document(engine_for(url))
    assert KnowledgeBase(data).find_measure("科技险有补贴吗").id == "tech_insurance"
    assert load().startswith("unchanged")

    # and a changed official text (same data file) is a change too: the content hash covers both
    source = copy.parent / "weihai-2018-32.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert load().startswith("loaded")


def test_a_failing_file_is_not_loaded(capsys, tmp_path: Path):
    url = sqlite_url(tmp_path / "policy.db")
    good = copy_data(tmp_path / "good")
    assert run_main(capsys, "--url", url, "load", str(good))[0] == 0
    bad = copy_data(tmp_path / "bad")
    replace_once(bad, "value_yuan: 10000000\n", "value_yuan: 20000000\n")
    code, _, err = run_main(capsys, "--url", url, "load", str(bad))
    assert code != 0
    assert "measures[rd_subsidy].amount.value_yuan" in err
    data, _ = read_document(engine_for(url))
    assert next(m for m in data.measures if m.id == "rd_subsidy").amount.value_yuan == 10_000_000


def test_the_database_gives_back_what_the_file_says(kb: KnowledgeBase):
    """Read back from SQLite, the document equals the validated file, field for field."""
    from policy_kb.loader import load_file

    assert kb.data == load_file(DATA_FILE)
    assert kb.version  # the content hash
