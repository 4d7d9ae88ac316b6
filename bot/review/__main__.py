"""The bureau's improvement loop from the command line.

    python -m bot.review export [--out data/nlu/reviewed.yml]

export  the analysts' reviews (staff console, 问题复核) as Rasa NLU training data: each reviewed
        question under the intent of its aspect, the measure annotated with its KB id where the KB knows
        the user's word for it, deduplicated and masked. Alias suggestions (words the KB does not know)
        are printed and written to build/review/aliases.txt for a person to add to policy_kb/data.
        Questions already in data/nlu or in the held-out test set are left out. Idempotent:
        unchanged reviews leave the file untouched. Then `make model`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app_store import engine_for
from app_store.settings import app_db_url
from bot.review.export import DEFAULT_ALIASES, DEFAULT_OUTPUT, build, known_texts, write
from policy_kb.query import load_kb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.review", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="reviewed questions as Rasa NLU YAML, plus alias suggestions")
    export.add_argument("--out", type=Path, default=DEFAULT_OUTPUT, help=f"output file (default {DEFAULT_OUTPUT})")
    export.add_argument("--aliases", type=Path, default=DEFAULT_ALIASES,
                        help=f"where the alias suggestions go (default {DEFAULT_ALIASES})")
    export.add_argument("--url", help="app database URL (default: APP_DB_URL or var/app.db)")
    args = parser.parse_args(argv)
    result = build(engine_for(args.url or app_db_url()), load_kb(), known_texts(args.out))
    changed = write(result, args.out, args.aliases)
    count = sum(len(texts) for texts in result.examples.values())
    print(f"{'wrote' if changed else 'unchanged'} {args.out}: {count} reviewed examples")
    print(result.suggestions_text(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
