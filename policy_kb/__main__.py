"""python -m policy_kb check [FILE] | stats | load [FILE ...] | search QUERY"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policy_kb.loader import DEFAULT_DATA_FILE, data_files, load_file
from policy_kb.verify import KnowledgeBaseError


def _check(args: argparse.Namespace) -> int:
    try:
        data = load_file(Path(args.file))
    except KnowledgeBaseError as exc:
        for problem in exc.problems:
            print(f"FAIL {problem}", file=sys.stderr)
        return 1
    print(f"OK {args.file}: {data.document.number}, {len(data.clauses)} clauses, {len(data.measures)} measures")
    return 0


def _load(args: argparse.Namespace) -> int:
    from policy_kb.store import engine_for, load_into

    engine = engine_for(args.url)
    for path in [Path(f) for f in args.files] or data_files():
        try:
            data, changed = load_into(engine, path)
        except KnowledgeBaseError as exc:
            for problem in exc.problems:
                print(f"FAIL {path}: {problem}", file=sys.stderr)
            return 1
        print(f"{'loaded' if changed else 'unchanged'} {data.document.number} into {engine.url!r}")
    return 0


def _stats(args: argparse.Namespace) -> int:
    from policy_kb.store import document_codes, engine_for, read_document

    engine = engine_for(args.url)
    codes = document_codes(engine)
    counts = {"documents": len(codes), "clauses": 0, "measures": 0, "targets": 0, "units": 0, "districts": 0}
    for code in codes:
        data, _ = read_document(engine, code)
        for key in ("clauses", "measures", "targets", "units", "districts"):
            counts[key] += len(getattr(data, key))
    print(json.dumps(counts, ensure_ascii=False))
    return 0


def _search(args: argparse.Namespace) -> int:
    from policy_kb.query import load_kb

    kb = load_kb(args.url)
    for hit in kb.search(" ".join(args.query), args.limit):
        print(f"{hit.score:7.2f}  {hit.kind:7}  {hit.clause:8}  {hit.title}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policy_kb", description="威海县域创新政策知识库")
    parser.add_argument("--url", help="SQLAlchemy URL (default: POLICY_KB_DB_URL or var/policy.db)")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check a data file against its official text")
    check.add_argument("file", nargs="?", default=str(DEFAULT_DATA_FILE))
    check.set_defaults(run=_check)
    load = commands.add_parser("load", help="check and write data files into the database")
    load.add_argument("files", nargs="*")
    load.set_defaults(run=_load)
    commands.add_parser("stats", help="counts as JSON").set_defaults(run=_stats)
    search = commands.add_parser("search", help="keyword search")
    search.add_argument("query", nargs="+")
    search.add_argument("--limit", type=int, default=5)
    search.set_defaults(run=_search)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
