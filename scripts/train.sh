#!/usr/bin/env bash
# Build the spaCy pipeline from the knowledge base, then train the Rasa model only when its inputs
# changed (config, domain, data, the spaCy pipeline). Writes models/current.tar.gz.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

.venv/bin/python -m policy_rasa.build_spacy
.venv/bin/python -m policy_rasa.generate_nlu  # build/nlu/generated.yml, from the KB and the phrasings
stamp=models/current.inputs.sha256
# the cleaner shapes what the model is trained on, so its code is an input too
digest=$(cat config.yml domain.yml policy_answers/clean.py $(find data build/spacy_zh build/nlu -type f | sort) \
    | sha256sum | cut -d' ' -f1)
if [ -f "$RASA_MODEL" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    echo "train: model up to date ($RASA_MODEL)"
    exit 0
fi
mkdir -p models
start=$(date +%s)
# --force: Rasa caches components by config and data, not by their code (the cleaner is code)
.venv/bin/rasa train --force --config config.yml --domain domain.yml --data data build/nlu --out models \
    --fixed-model-name current --quiet
echo "$digest" > "$stamp"
echo "train: trained $RASA_MODEL in $(( $(date +%s) - start )) s"
