# The two commands: `make run` serves the demo, `make test` runs the whole suite.
# Both build .venv/ first. DATABASE_URL / REDIS_URL switch from the embedded default
# (SQLite, in-process channel layer, eager Celery) to PostgreSQL, Redis and a real broker.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
UVICORN_FLAGS := --ws-per-message-deflate false --ws-max-size 1048576 --lifespan on

.PHONY: install messages translations run serve test test-fast lint format worker beat bench migrate seed clean

# Installed, with the customer chat's translations compiled (locale/*/LC_MESSAGES/django.mo).
install: $(VENV)/.installed messages

$(VENV)/.installed: pyproject.toml
	@echo "==> Installing the packages into $(VENV) (first time only)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

# The .mo Django reads, compiled from the .po in git (GNU gettext's msgfmt, through
# compilemessages), each again only when its .po changed. Every target that serves or tests
# goes through install, so none runs without them.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
messages: $(MO_FILES)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po | $(VENV)/.installed
	@echo "==> Compiling the chat's words in $*"
	$(BIN)/python manage.py compilemessages --locale $* --ignore "$(VENV)" --ignore .git --verbosity 0

# After changing a chat string: the .po gain (or lose) its msgid; translate what is new, then
# `make messages`. Only the customer's side is translated: the staff pages stay in English.
CHAT_ONLY := $(addprefix --ignore ,$(VENV) agents api assistant routing benchmarks tests scripts \
	static staticfiles var templates/agents templates/admin templates/supervisor \
	templates/drf_spectacular templates/home.html)
translations: install
	$(BIN)/python manage.py makemessages -l es -l fr -l de --add-location=file --no-obsolete $(CHAT_ONLY)

migrate: install
	@echo "==> Preparing the database"
	$(BIN)/python manage.py migrate --noinput --verbosity 0

seed: migrate
	@echo "==> Getting the assistant ready (trained on the first run, then cached in var/models)"
	$(BIN)/python manage.py prepare_assistant
	@echo "==> Adding the demo data"
	$(BIN)/python manage.py seed_demo

run: seed serve

serve: install
	@echo "==> Serving http://$(HOST):$(PORT)/ (agents /agent/, supervisors /supervisor/, password helpdesk-demo)"
	$(BIN)/uvicorn helpdesk.asgi:application --host $(HOST) --port $(PORT) $(UVICORN_FLAGS)

test: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest --ignore=tests/e2e
	# A test database of their own: a session the first run left closing cannot block its creation.
	TEST_DATABASE_NAME=test_helpdesk_e2e DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest tests/e2e

# The edit-run loop: everything but the slow system tests (soak, scale-out, faults, the embedded
# stack, the storm) and the browser; `make test` and CI run them all.
test-fast: install
	$(BIN)/pytest --ignore=tests/e2e -m "not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/module_sizes.py

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A helpdesk worker --loglevel=info

beat: install
	$(BIN)/celery -A helpdesk beat --loglevel=info --schedule=$(VENV)/celerybeat-schedule

# The accuracy benchmarks read public data sets from EVAL_DATA_DIR (never shipped or trained on).
EVAL_DATA_DIR ?= $(abspath $(wildcard ../shared/datasets))
bench: install
	EVAL_DATA_DIR="$(EVAL_DATA_DIR)" $(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .mypy_cache .ruff_cache
