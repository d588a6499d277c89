# unionhub — `make run` (demo on http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test install messages demo lint format makemessages lock ci clean

$(VENV)/.installed: requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit("unionhub needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	@touch $@

install: $(VENV)/.installed

# Compiled message catalogues (pure Python, no gettext needed).
messages: install
	$(PY) manage.py compiletranslations

demo: messages
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: messages
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Refresh the zh_Hans catalogue after changing user-facing strings (needs gettext).
makemessages: install
	$(PY) manage.py makemessages -l zh_Hans --no-location --no-obsolete \
		-i ".venv/*" -i "staticfiles/*" -i "artifacts/*" -i "tests/*" -i "bench/*"

# Re-pin requirements/*.txt from requirements/*.in (needs pip-tools and PyPI).
lock:
	$(PY) -m pip install --quiet pip-tools
	$(PY) -m piptools compile -q --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-find-links --no-emit-index-url -o requirements/base.txt requirements/base.in
	$(PY) -m piptools compile -q --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-find-links --no-emit-index-url -o requirements/dev.txt requirements/dev.in

ci:
	.ci/run

clean:
	rm -rf $(VENV) staticfiles artifacts .pytest_cache .ruff_cache
