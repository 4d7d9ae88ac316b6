"""The bureau's improvement loop from the command line.

    python -m bot.review export [--out data/nlu/reviewed.yml]
    python -m bot.review accept (--all | WORD ...) [--data policy_kb/data/weihai-2018-32.yml]

export  the analysts' reviews (staff console, 问题复核) as Rasa NLU training data: each reviewed
        question under the intent of its aspect, the measure annotated with its KB id where the KB knows
        the user's word for it or the reviewer wrote that word down, deduplicated and masked. Alias
        suggestions (the reviewers' words the KB does not know) are printed and written to
        build/review/aliases.txt. Questions already in data/nlu or in the held-out test set are left
        out. Idempotent: unchanged reviews leave the file untouched.
accept  a person's yes to alias suggestions: the words named (or --all) are added to their measures'
        aliases in the KB data file, which must still pass the check against the official text; then
        the KB database is reloaded and the export rewritten. Words the KB reads as something else (another
        measure, an applicant type, a district, a unit, a target) are refused.

Then `make model`: the spaCy pipeline, the generated examples and the model are rebuilt from both.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app_store import engine_for
from app_store.settings import app_db_url
from bot.review.aliases import add_aliases, refusals
from bot.review.export import DEFAULT_ALIASES, DEFAULT_OUTPUT, Export, build, known_texts, write
from policy_kb.loader import DEFAULT_DATA_FILE
from policy_kb.query import KnowledgeBase, load_kb
from policy_kb.store import engine_for as kb_engine_for
from policy_kb.store import load_into, read_document
from policy_kb.verify import KnowledgeBaseError


def _export(args: argparse.Namespace, kb: KnowledgeBase | None = None) -> Export:
    result = build(engine_for(args.url or app_db_url()), kb or load_kb(args.kb_url), known_texts(args.out))
    changed = write(result, args.out, args.aliases)
    count = sum(len(texts) for texts in result.examples.values())
    print(f"{'wrote' if changed else 'unchanged'} {args.out}: {count} reviewed examples")
    return result


def _accept(args: argparse.Namespace) -> int:
    kb_engine = kb_engine_for(args.kb_url)
    kb = KnowledgeBase(*read_document(kb_engine))  # read afresh: the data may have changed since the load
    suggested = build(engine_for(args.url or app_db_url()), kb, known_texts(args.out)).words()
    chosen = [(m, w) for m, w in suggested if args.all or w in args.words]
    unknown = sorted(set(args.words) - {w for _, w in suggested})
    for word in unknown:
        print(f"没有“{word}”这条别名建议（python -m bot.review export 列出全部建议）", file=sys.stderr)
    refused = refusals(kb, chosen)
    for item in refused:
        print(f"不采纳 {item.measure} ← “{item.word}”：{item.why}", file=sys.stderr)
    chosen = [(m, w) for m, w in chosen if (m, w) not in {(r.measure, r.word) for r in refused}]
    failed = 1 if unknown or refused else 0
    if not chosen:
        print("没有可采纳的别名建议", file=sys.stderr)
        return failed
    try:
        added = add_aliases(args.data, chosen)
    except KnowledgeBaseError as exc:
        for problem in exc.problems:
            print(f"FAIL {problem}（{args.data} 未改动）", file=sys.stderr)
        return 1
    for measure, word in added:
        print(f"accepted {measure} ← {word}")
    _, reloaded = load_into(kb_engine, args.data)
    print(f"{'reloaded' if reloaded else 'unchanged'} the knowledge base from {args.data}")
    _export(args, KnowledgeBase(*read_document(kb_engine)))  # the new aliases, not the cached KB
    print("接下来运行 make model，机器人按新的别名和标注重新训练")
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.review", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def common(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--out", type=Path, default=DEFAULT_OUTPUT, help=f"the reviewed NLU file (default {DEFAULT_OUTPUT})"
        )
        command.add_argument(
            "--aliases",
            type=Path,
            default=DEFAULT_ALIASES,
            help=f"where the alias suggestions go (default {DEFAULT_ALIASES})",
        )
        command.add_argument("--url", help="app database URL (default: APP_DB_URL or var/app.db)")
        command.add_argument("--kb-url", help="KB database URL (default: POLICY_KB_DB_URL or var/policy.db)")

    export = commands.add_parser("export", help="reviewed questions as Rasa NLU YAML, plus alias suggestions")
    common(export)
    accept = commands.add_parser("accept", help="add suggested words to the measures' aliases in the KB data")
    common(accept)
    accept.add_argument("words", nargs="*", help="the suggested words to accept")
    accept.add_argument("--all", action="store_true", help="accept every suggestion that names a word")
    accept.add_argument(
        "--data", type=Path, default=DEFAULT_DATA_FILE, help=f"the KB data file (default {DEFAULT_DATA_FILE})"
    )
    args = parser.parse_args(argv)
    if args.command == "accept":
        if not args.all and not args.words:
            parser.error("accept: name the words to accept, or --all")
        return _accept(args)
    print(_export(args).suggestions_text(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
