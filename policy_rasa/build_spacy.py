"""Build the spaCy pipeline from the knowledge base and save it where config.yml expects it.

    python -m policy_rasa.build_spacy [OUTPUT_DIR]

Run by `make` before training: a measure added to the KB reaches the NLU by rebuilding, never by
editing NLU files. Writes nothing when the terms are unchanged, so training is not re-triggered.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from policy_kb.query import load_kb
from policy_rasa.spacy_zh import build_pipeline

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "build" / "spacy_zh"
_STAMP = "kb_terms.sha256"


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else DEFAULT_OUTPUT
    kb = load_kb()
    terms = kb.term_lists()
    products = frozenset(p for m in kb.measures for p in m.products)
    # the builder's own code is part of the input: a change in how patterns are made rebuilds too
    builder = (Path(__file__).parent / "spacy_zh.py").read_bytes()
    inputs = json.dumps([terms, sorted(products)], ensure_ascii=False, sort_keys=True).encode()
    digest = hashlib.sha256(inputs + builder).hexdigest()
    stamp = output / _STAMP
    if stamp.exists() and stamp.read_text().strip() == digest:
        print(f"unchanged {output}")
        return 0
    nlp = build_pipeline(terms, products)
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    stamp.write_text(digest + "\n")
    count = sum(len(v) for ids in terms.values() for v in ids.values())
    print(f"built {output} with {count} terms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
