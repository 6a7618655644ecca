# `make run` and `make test` bootstrap everything on a fresh clone (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# The shared catalogue and the apps' own (analysis/locale: the analyses of delayed discharge).
PO := $(wildcard locale/*/LC_MESSAGES/django.po */locale/*/LC_MESSAGES/django.po)
MO := $(PO:.po=.mo)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install system-deps messages lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) $(MO)

# Debian packages the suite needs: Chromium for the browser tests, poppler for reading PDFs back,
# redis-server for the fault tests' own Redis, pg_dump/pg_restore for the backup test,
# gettext for the Swedish catalogue, DejaVu Sans for the analysis PDFs (WeasyPrint takes fonts
# from the system; nothing is fetched at run time). Installed only when missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium chromium-driver"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

%.mo: %.po
	@command -v msgfmt >/dev/null || $(MAKE) system-deps
	msgfmt --check -o $@ $<

messages: $(MO)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "SVU: http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# pytest on PYTEST_WORKERS processes (pytest-xdist; auto: one per core, 0: in this process).
# --dist load keeps pytest-django's order on each worker: the tests on a rolled-back transaction
# first, the transactional ones (browser, integration: they flush the database at the end)
# last. --dist loadfile would not: a file mixing both kinds runs as one unit, early, and its
# transactional test empties that worker's database (the reference data of migration 0002) for
# the files after it (seen in CI: 182 errors "Region matching query does not exist").
# (xdist_group markers do nothing with pytest 9.2 and pytest-xdist 3.8: xdist sets
# Item._nodeid, which pytest 9.2 no longer reads.)
# Each worker has a test database (test_svu_gw0, ...), cache key prefix and media folder of its own.
# SVU_FUZZ_EXAMPLES: the schemathesis examples per API operation (tests/api/test_schema_fuzz.py).
PYTEST_WORKERS ?= auto
test: system-deps install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist load

# Benchmarks on the local PostgreSQL (their own databases): the scoped list and timeline at
# BENCH_EPISODES episodes (statistics, liability and follow-up figures beside their references),
# then the import of 100,000 CSV rows; then the PDF of a 50-patient
# analysis of delayed discharge (SQLite in a temporary directory); then the follow-up overview
# with 290 kommuner x 60 months of stored statistics.
# BENCH_EPISODES=2000000 for the national figures (issue 15; docs/performance.md).
BENCH_EPISODES ?= 200000
bench: install
	$(PY) bench/run.py --episodes $(BENCH_EPISODES)
	$(PY) bench/imports.py --rows 100000
	$(PY) bench/analysis_pdf.py
	$(PY) bench/dashboards.py
	$(PY) bench/webhooks.py

clean:
	rm -rf $(VENV) var/*.sqlite3* var/staticfiles
