#!/usr/bin/env bash
# Build the spaCy pipeline from the knowledge base, then train the Rasa model only when its inputs
# changed (config, domain, data, the spaCy pipeline). Writes models/current.tar.gz.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

.venv/bin/python -m policy_rasa.build_spacy
stamp=models/current.inputs.sha256
digest=$(cat config.yml domain.yml $(find data build/spacy_zh -type f | sort) | sha256sum | cut -d' ' -f1)
if [ -f "$RASA_MODEL" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    echo "train: model up to date ($RASA_MODEL)"
    exit 0
fi
mkdir -p models
start=$(date +%s)
.venv/bin/rasa train --config config.yml --domain domain.yml --data data --out models \
    --fixed-model-name current --quiet
echo "$digest" > "$stamp"
echo "train: trained $RASA_MODEL in $(( $(date +%s) - start )) s"
