# dxplan — two commands on a fresh machine:
#   make run    install into .venv, migrate SQLite, load the demo plans, create a demo admin, serve on 127.0.0.1:8000
#   make test   the whole test suite (installs first if needed)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test lint browser libreoffice screenshots axe

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py create_demo_admin
	@$(MAKE) --no-print-directory browser || echo "chromium could not be installed: everything works except the PDF"

run: setup
	$(PY) manage.py runserver 127.0.0.1:8000

# Browser tests and the PDF need Debian's chromium and Japanese fonts (installed if missing).
# BIZ UDPGothic is TrueType, so Chromium embeds it in the PDF as a real font (Noto CJK, an
# OpenType/CFF font, is printed as Type 3 glyph drawings); Windows 10+ ships it too.
browser:
	@command -v chromium >/dev/null && fc-list | grep -q "BIZ UDPGothic" || { \
	  echo "installing chromium, fonts-morisawa-bizud-gothic and fonts-noto-cjk (Debian packages)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-morisawa-bizud-gothic fonts-noto-cjk >/dev/null; }

# The .xlsx/.ods round trips are tested against the real LibreOffice Calc, driven through
# UNO from Debian's python3 (tests/interchange/test_libreoffice.py; installed if missing).
libreoffice:
	@command -v soffice >/dev/null && /usr/bin/python3 -c "import uno" 2>/dev/null || { \
	  echo "installing libreoffice-calc-nogui and python3-uno (Debian packages)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui python3-uno >/dev/null; }

# axe-core for the browser tests' accessibility checks, from npm as package-lock.json pins
# it (node and npm from Debian if missing); node_modules/ is not committed.
AXE := node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE): package.json package-lock.json
	@command -v npm >/dev/null || { \
	  echo "installing nodejs and npm (Debian packages)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE)

test: $(STAMP) browser libreoffice axe
	$(PY) -m pytest

# Refresh docs/screenshots/ from the browser tests.
screenshots: $(STAMP) browser axe
	DXPLAN_SCREENSHOTS=1 $(PY) -m pytest tests/browser -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
