#!/usr/bin/env bash
# Rasa's own checks, on the trained model: data validation, NLU on the held-out file (intent accuracy
# and entity F1 printed), and the conversation tests with prediction errors failing the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

.venv/bin/rasa data validate --domain domain.yml --data data build/nlu --quiet
.venv/bin/rasa test nlu --nlu tests/nlu/test_nlu.yml --model "$RASA_MODEL" --out results/nlu --quiet \
    > results-nlu.log 2>&1 || { tail -40 results-nlu.log; exit 1; }
.venv/bin/python - <<'PY'
import json
from pathlib import Path

import sys

# Floors a little under the scores measured when they were set (0.916 and 0.956): a change that makes
# the NLU worse on the held-out file fails the run.
INTENT_ACCURACY_FLOOR, ENTITY_F1_FLOOR = 0.90, 0.94
intent = json.loads(Path("results/nlu/intent_report.json").read_text())
entity = json.loads(Path("results/nlu/KBEntityExtractor_report.json").read_text())
accuracy, entity_f1 = intent["accuracy"], entity["micro avg"]["f1-score"]
print(f"nlu held-out: intent_accuracy={accuracy:.3f} "
      f"intent_f1={intent['weighted avg']['f1-score']:.3f} entity_f1={entity_f1:.3f}")
if accuracy < INTENT_ACCURACY_FLOOR or entity_f1 < ENTITY_F1_FLOOR:
    sys.exit(f"nlu held-out below its floor (intent accuracy {INTENT_ACCURACY_FLOOR}, entity F1 {ENTITY_F1_FLOOR})")
PY
.venv/bin/rasa test core --stories tests/test_stories.yml --model "$RASA_MODEL" --out results/core \
    --fail-on-prediction-errors --quiet > results-core.log 2>&1 || { tail -40 results-core.log; exit 1; }
.venv/bin/python -c "
import json, sys
c = json.load(open('results/core/story_report.json'))['conversation_accuracy']
print(f\"conversation tests: {c['correct']}/{c['total']} stories correct\")
sys.exit(0 if c['correct'] == c['total'] else 'conversation tests: every story must pass')"
rm -f results-nlu.log results-core.log
