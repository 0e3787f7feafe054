# Jangkau: `make run` starts the app on demo data; `make test` runs the whole suite.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

# Use ../shared/boundaries (the team's copy of the source SQL files) when it exists; otherwise the
# app downloads them from the pinned upstream commit (or JANGKAU_BOUNDARIES, if you set it).
SHARED_BOUNDARIES := $(abspath ../shared/boundaries)
ifneq ($(wildcard $(SHARED_BOUNDARIES)/wilayah_boundaries_kel_64.02.sql),)
JANGKAU_BOUNDARIES ?= $(SHARED_BOUNDARIES)
endif
ifdef JANGKAU_BOUNDARIES
export JANGKAU_BOUNDARIES
endif

.PHONY: run test venv dev vendor npm boundaries demo chromium lint format bench clean

run: venv vendor boundaries demo
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: dev vendor chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

venv: $(VENV)/.runtime-installed
dev: $(VENV)/.dev-installed

$(VENV)/bin/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

# Leaflet from the npm registry, sha256-checked, so maps draw with no CDN reachable.
vendor: npm
	bash scripts/vendor_leaflet.sh static/vendor

npm:
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq npm; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq npm; fi; }

# Reads the parsed cache when present, else prepares it from the source.
boundaries: venv
	@$(BIN)/python -m geo boundaries info || { \
	  echo ""; \
	  echo "Batas wilayah belum tersedia. Set JANGKAU_BOUNDARIES ke folder berisi tiga berkas"; \
	  echo "wilayah_boundaries_*.sql (lihat data/boundaries/README.md), lalu ulangi make run."; \
	  exit 1; }

demo: venv boundaries
	$(BIN)/python -m geo load-demo

# Debian's Chromium for the browser test (Playwright's own browser download is not reachable)
# and poppler-utils (pdftoppm) to render route sheets in a test.
chromium:
	@{ test -x /usr/bin/chromium && test -x /usr/bin/pdftoppm; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium poppler-utils; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium poppler-utils; fi; }

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: dev vendor
	$(BIN)/python bench/bench_map.py
	$(BIN)/python bench/bench_reconcile.py
	$(BIN)/python bench/bench_reach.py
	$(BIN)/python bench/bench_placement.py
	$(BIN)/python bench/bench_routing.py

clean:
	rm -rf $(VENV) static/vendor data/boundaries/*.parquet
