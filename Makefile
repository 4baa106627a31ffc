# The two commands a fresh machine needs: `make build` and `make test`.
# Both create .venv from requirements.lock (exact pins) when it is missing or older than the lock.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test lint bench fuzz clean help
help:
	@echo "make build   render the manuscript into _output/ (HTML, PDF, DOCX) with the embedded engine"
	@echo "make test    run the test suite"
	@echo "make lint    ruff and mypy, configured in pyproject.toml"
	@echo "make bench   print build, audit and check timings"
	@echo "make fuzz    fuzz every reader of untrusted input: 100,000 inputs per entry point (FUZZ_EXAMPLES=10000)"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

build: $(STAMP)
	$(BIN)/python build.py $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check galleyproof tests bench analysis build.py
	$(BIN)/mypy

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Each entry point of tests/test_fuzz.py in its own run, so its Hypothesis statistics (examples tried,
# failures) print as soon as it finishes; no pytest-timeout (a run takes minutes); stops at the first
# failing entry point. Every example is ten inputs (tests/test_fuzz.py, INPUTS_PER_EXAMPLE): 10,000
# examples are 100,000 inputs per entry point.
FUZZ_EXAMPLES ?= 10000
fuzz: $(STAMP)
	@for test in $$($(BIN)/python -m pytest -q --collect-only tests/test_fuzz.py -k fuzz_ | grep '::test_fuzz_'); do \
	  echo "== $$test ($(FUZZ_EXAMPLES) examples, 10 inputs each)"; \
	  out=$$(GALLEYPROOF_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider \
	    --timeout=0 --hypothesis-show-statistics "$$test" 2>&1); status=$$?; \
	  echo "$$out" | grep -E "passing|Falsifying|Error|passed|failed"; \
	  [ $$status -eq 0 ] || { echo "$$out" | tail -40; exit 1; }; \
	done

clean:
	rm -rf _output .galleyproof-cache
