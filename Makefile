# Entry points: `make run` and `make test` work on a fresh machine (they set everything up first).
# Every tool runs from .venv explicitly; scripts/setup.sh keeps it in step with the pins.

SHELL := /bin/bash
PY := .venv/bin/python

.DEFAULT_GOAL := help
.PHONY: help setup widget assets kb model lint format-check check-run check-run-production test test-fast test-rasa test-py screenshots run run-production bench lock

help:
	@echo "make run    set up, build the knowledge base, start the services"
	@echo "make run-production  start production mode (deploy/production.env; see README)"
	@echo "make bench  measure throughput, latency, memory, start and training (writes docs/benchmark.*)"
	@echo "make test   set up, build the knowledge base, run the whole suite"
	@echo "make test-fast  the unit tests only (pytest -m unit): no model, no service started"
	@echo "make setup  create/update .venv from requirements.in + requirements.lock"
	@echo "make widget build the chat widget (npm ci + Vite) into widget/dist if its sources changed"
	@echo "make assets install the staff pages' ECharts from bot/staff/package-lock.json (npm ci, idempotent)"
	@echo "make kb     check the data files and load them into var/policy.db"
	@echo "make model  build the spaCy pipeline and train the Rasa model if its inputs changed"
	@echo "make lint   ruff (with the complexity limit), mypy, the import contracts of the layers"
	@echo "make format-check  ruff format --check (part of make lint)"
	@echo "make screenshots  refresh docs/screenshots/ from the browser tests"
	@echo "make lock   rewrite requirements.lock from .venv"

setup:
	bash scripts/setup.sh

# The chat widget the gateway serves under /widget/ (Node.js + npm; idempotent).
widget:
	bash scripts/build_widget.sh

# Apache ECharts for the analytics page, served by the gateway at /staff/vendor/ (npm ci; idempotent).
assets:
	bash bot/staff/install-assets.sh

kb: setup
	$(PY) -m policy_kb load

# The spaCy pipeline from the KB, then the Rasa model when its inputs changed.
model: kb
	bash scripts/train.sh

# The design as checks (pyproject.toml): ruff with a complexity limit (C901, 12), ruff's formatting, mypy
# --strict on the lower layers and the actions, and import-linter's contracts for the layers and against cycles.
lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports --no-cache

format-check: setup
	.venv/bin/ruff format --check .

# The whole suite: Rasa's data validation, NLU and conversation tests, then pytest (unit, end-to-end
# against the real services, browser tests).
test: lint test-rasa test-py

test-rasa: model
	bash scripts/test_rasa.sh

test-py: model widget assets
	$(PY) -m pytest -q tests

# The tests that need no service and nothing but the knowledge base (tests/conftest.py marks each test by
# the fixtures it uses): no model, Rasa, action server, gateway, PostgreSQL, Redis or Chromium. `kb`, not
# `model`: some unit tests read var/policy.db, and loading it is a few seconds of Python. -n auto: one
# pytest-xdist worker per core (the unit tests share no service, so they run side by side).
test-fast: kb
	$(PY) -m pytest -q -m unit -n auto tests

# The README's screenshots, from the browser tests against the real stack (make test writes to build/).
screenshots: model widget assets
	SCREENSHOT_DIR=docs/screenshots $(PY) -m pytest -q tests/widget/test_widget_browser.py tests/staff/test_browser.py \
		tests/staff/test_review_browser.py tests/calculator/test_calculator_browser.py tests/widget/test_widget_a11y_browser.py

# The settings are checked first (a refused one stops here, before any training), the ports right
# before the start (scripts/run.sh).
run: check-run model widget assets
	bash scripts/run.sh

check-run: setup
	bash scripts/run.sh --check

# Production mode: several Rasa processes and action servers, PostgreSQL and Redis (deploy/production.env).
run-production: check-run-production model widget assets
	bash scripts/run_production.sh

check-run-production: setup
	bash scripts/run_production.sh --check

# Not part of `make test`: a few minutes of load on this machine, one training run included.
bench: model
	$(PY) scripts/bench.py

lock: setup
	.venv/bin/pip check
	{ sed -n '1,2p' requirements.lock; .venv/bin/pip freeze --all; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
