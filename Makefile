# lifecircle: `make demo` and `make test` create .venv and install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= demo-out

.PHONY: demo test bench lint mutate demo-data browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@ $(VENV)/.run-installed

$(VENV)/.bench-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test,bench]"
	touch $@ $(VENV)/.test-installed $(VENV)/.run-installed

## demo: run the embedded synthetic demo county and print where the map is
demo: $(VENV)/.run-installed
	$(BIN)/lifecircle demo --out $(OUT)

## test: the whole test suite on every core (installs headless Chromium for the browser tests
## where it can; once installed, LIFECIRCLE_BROWSER=required makes a missing part fail them)
test: $(VENV)/.test-installed browser
	LIFECIRCLE_BROWSER="$$(cat $(VENV)/.browser-required 2>/dev/null)" $(BIN)/python -m pytest -n auto

## bench: side-by-side benchmarks against the peer tools; rewrites BENCHMARKS.md
bench: $(VENV)/.bench-installed
	$(BIN)/python bench/run_all.py

## lint: ruff and mypy (on the installed layout, mirrored by tools/typecheck.py)
lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tools/typecheck.py

## mutate: one-line mutations (tools/mutations.toml) on scratch copies; fails if one survives
mutate: $(VENV)/.test-installed
	$(BIN)/python tools/mutate.py

## demo-data: regenerate data/demo from its deterministic generator
demo-data: $(VENV)/.run-installed
	$(BIN)/python -m lifecircle.data.demo.generate data/demo

## browser: Chromium, its driver and CJK fonts for the browser tests (Debian, as root); where
## they are present or installed, $(VENV)/.browser-required tells `make test` they must run
browser:
	@mkdir -p $(VENV); \
	if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
	    && { fc-list :lang=zh 2>/dev/null | grep -q .; }; then \
	    echo required > $(VENV)/.browser-required; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium, chromium-driver and fonts-noto-cjk for the browser tests"; \
	    echo required > $(VENV)/.browser-required; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	        chromium chromium-driver fonts-noto-cjk fontconfig >/dev/null) \
	    || echo "could not install Chromium: the browser tests will fail, naming what is missing"; \
	else rm -f $(VENV)/.browser-required; \
	    echo "Chromium not found and not installable here: the browser tests will be skipped"; fi

clean:
	rm -rf $(VENV) build *.egg-info $(OUT)
