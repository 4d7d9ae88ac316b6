#!/usr/bin/env bash
# Rasa's own checks, on the trained model: data validation, NLU on the held-out file (intent accuracy
# and entity F1 printed), and the conversation tests with prediction errors failing the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

.venv/bin/rasa data validate --domain domain.yml --data data --quiet
.venv/bin/rasa test nlu --nlu tests/nlu/test_nlu.yml --model "$RASA_MODEL" --out results/nlu --quiet \
    > results-nlu.log 2>&1 || { tail -40 results-nlu.log; exit 1; }
.venv/bin/python - <<'PY'
import json
from pathlib import Path

intent = json.loads(Path("results/nlu/intent_report.json").read_text())
entity = json.loads(Path("results/nlu/KBEntityExtractor_report.json").read_text())
print(f"nlu held-out: intent_accuracy={intent['accuracy']:.3f} "
      f"intent_f1={intent['weighted avg']['f1-score']:.3f} entity_f1={entity['micro avg']['f1-score']:.3f}")
PY
.venv/bin/rasa test core --stories tests/test_stories.yml --model "$RASA_MODEL" --out results/core \
    --fail-on-prediction-errors --quiet > results-core.log 2>&1 || { tail -40 results-core.log; exit 1; }
.venv/bin/python -c "
import json
c = json.load(open('results/core/story_report.json'))['conversation_accuracy']
print(f\"conversation tests: {c['correct']}/{c['total']} stories correct\")"
rm -f results-nlu.log results-core.log
