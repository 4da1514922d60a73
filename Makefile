# Everything a fresh machine needs is installed from here; see README "Quick start".
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test build validate bench bench-ogc clean

install: $(STAMP)

# Rebuild the venv whenever the pinned requirements change.
$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

run: install
	$(BIN)/python app.py

test: install
	$(BIN)/python -m pytest -q

build: install
	$(BIN)/python -m geo build

validate: install
	$(BIN)/python -m geo validate

bench: install
	$(BIN)/python scripts/bench_build.py

# The OGC API items route against pygeoapi (installed into its own .venv-bench on first use).
bench-ogc: install
	$(BIN)/python scripts/bench_ogc.py

clean:
	rm -rf $(VENV) .venv-bench .pytest_cache
