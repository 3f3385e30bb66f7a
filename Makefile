# Everything a newcomer needs: `make run` starts Tresen with a demo site, `make test` runs
# every test. Both install what they need first (into .venv, from the lock file uv.lock).
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Compile the libraries' bytecode once at install: where PYTHONDONTWRITEBYTECODE is set (as on
# the CI machines) every start would compile SQLAlchemy, PySide6's helpers etc. from source again.
export UV_COMPILE_BYTECODE := 1

.PHONY: run test check bench bundle lock clean

run: $(VENV)/.installed
	$(VENV)/bin/tresen demo

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest

check: $(VENV)/.installed
	./scripts/check

bench: $(VENV)/.installed
	$(VENV)/bin/python bench/load.py

bundle: $(VENV)/.installed
	$(VENV)/bin/python packaging/build.py --self-test

lock: $(UV)
	$(UV) lock --python $(PYTHON)

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	./scripts/system_packages.sh
	$(UV) sync --frozen --all-extras --python $(PYTHON)
	$(VENV)/bin/python -m compileall -q central_server counter_app kiosk resources tresen
	touch $@

clean:
	rm -rf .tools $(VENV)
