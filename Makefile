# Pilote CTG – the single entry point. `make demo` and `make test` work from a fresh clone.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
# The machine's pip.conf only adds noise (ignored local indexes); uv does not read it.
export PIP_CONFIG_FILE := /dev/null
# Production settings checked by `make quality`, with the variables production requires.
PROD_ENV := DJANGO_SETTINGS_MODULE=ctg.settings.base SECRET_KEY=quality-check-$$RANDOM-$$RANDOM-long-enough-secret-key-for-django-checks ALLOWED_HOSTS=ctg.example.fr

.PHONY: install demo serve test test-fast quality fix lock browser clean load bench

$(VENV)/.installed: requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(UV) pip sync --quiet --python $(PY) requirements.lock
	touch $@

install: $(VENV)/.installed

# The task worker (PDF of the bilans) runs beside the web server and stops with it.
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Pilote CTG : http://127.0.0.1:8000 (Ctrl+C pour arrêter)"
	$(PY) manage.py db_worker --no-reload -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

# Browser tests drive the system Chromium: install it from Debian's packages when it is missing.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! command -v java >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core default-jre-headless >/dev/null; \
		else \
			echo "Chromium et Java (vérificateur HTML) sont requis : sudo apt-get install chromium default-jre-headless"; exit 1; \
		fi; \
	fi

# The browser journeys run in a pytest process of their own: Playwright's event loop leaves Django
# connections behind it that keep PostgreSQL from dropping a test database shared with other tests.
test: install browser
	$(PY) -m pytest -m "not browser"
	$(PY) -m pytest -m browser

test-fast: install
	$(PY) -m pytest -m "not browser"

# The last step looks for known vulnerabilities in the production pins: pip-audit asks the package index
# about each pinned version and fails on any it reports. A package the index cannot answer for is listed as
# "could not be audited" without failing the run; our build machines reach the index but not that
# per-version data, so there every package is listed so. `make quality AUDIT_STRICT=1` fails on those too.
quality: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PROD_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	$(PROD_ENV) $(PY) manage.py collectstatic --noinput --dry-run >/dev/null
	$(VENV)/bin/pip-audit -r requirements-prod.lock --require-hashes --disable-pip --progress-spinner off \
		$(if $(AUDIT_STRICT),--strict)

# 50 simulated users for 60 s against gunicorn + PostgreSQL (127.0.0.1:5432): a fresh `load_ctg` database,
# dropped at the end. Figures and a consistency check of the database; not a test. See scripts/load.py.
load: install
	$(PY) scripts/load.py $(LOAD_ARGS)

# Queries and server time of the key pages with the demo ×1, ×10 and ×100, on SQLite and PostgreSQL
# (127.0.0.1:5432, skipped when none answers), the bilan PDF and two floors; writes bench-results.json.
# Fresh databases, dropped at the end; about 40 minutes on 2 cores. `make bench BENCH_ARGS=--quick` for a quick look.
bench: install
	$(PY) scripts/bench.py $(BENCH_ARGS)

fix: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Two lock files: the development one (what `make install` syncs) and the production one, with hashes and
# without the dev extra, pinned to the versions the development one tested.
lock: install
	$(UV) pip compile --quiet pyproject.toml --extra dev -o requirements.lock
	$(UV) pip compile --quiet pyproject.toml --generate-hashes -c requirements.lock -o requirements-prod.lock

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
