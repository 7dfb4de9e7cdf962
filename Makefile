# The README's two commands: `make run` and `make test`; `make serve` tries the production stack.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test serve venv clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

venv: $(BIN)/.installed

# `make run SAME_SITE=1`: the two sides call each other in-process, not over loopback
# (the same-site topology, README "Topologies"); plain `make run` wires them over HTTP.
run: $(BIN)/.installed
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true $(BIN)/python manage.py seed_demo --with-admin --site-url http://$(HOST):$(PORT)
	DEBUG=true $(BIN)/python manage.py collectstatic --no-input -v 0
	DEBUG=true $(if $(SAME_SITE),SITE_URLS=http://$(HOST):$(PORT)) sh -c '$(BIN)/python manage.py db_worker & worker=$$!; \
	  $(BIN)/python manage.py sync_scheduler & scheduler=$$!; \
	  trap "kill $$worker $$scheduler 2>/dev/null" EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT) || true'

# gunicorn, task worker(s) and scheduler with DEBUG off, on whatever DATABASE_URL,
# CACHE_URL and TASKS_BACKEND say (environment or .env): see "Running in production".
serve: $(BIN)/.installed
	HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) sh deploy/serve-local.sh

test: $(BIN)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles
