# Two commands on a fresh machine: `make run` and `make test`. Both need only Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench chaos clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "salesflow needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)  ## set up and start the whole system (embedded NATS, SQLite); Ctrl-C stops it
	$(BIN)/salesflow up

test: $(STAMP)  ## set up and run every test (unit, integration, PostgreSQL, end-to-end)
	$(BIN)/python -m pytest

bench: $(STAMP)  ## measure relay, rebuild, latency, gateway, dashboard, group commit and the import against raw baselines
	$(BIN)/python -m bench.pipeline
	$(BIN)/python -m bench.gateway
	$(BIN)/python -m bench.dashboard
	$(BIN)/python -m bench.group_commit --only group
	$(BIN)/python -m bench.import_rows

# Fault injection: 10 trials of each fault kind (50), the cluster leader kill included; about
# 13 minutes on the 2-core machine. Pass options with CHAOS_ARGS, e.g. CHAOS_ARGS="--trials 2".
CHAOS_ARGS ?= --trials 10
chaos: $(STAMP)  ## kill services, nats-server and cluster leaders under load; check every guarantee
	$(BIN)/python -m bench.chaos $(CHAOS_ARGS)

clean:
	rm -rf $(VENV) data
