# PostOps: two commands set everything up (README).
#   make demo  - seeded demo province on http://127.0.0.1:8000 (embedded SQLite)
#   make test  - ruff, migrations check, the whole suite on PostgreSQL and SQLite
SHELL := /bin/bash
UV := .tools/bin/uv
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never

.PHONY: demo demo-totp test fmt lint bench-setup messages worker

$(UV):
	@command -v python3 >/dev/null || { echo "python3 is required"; exit 1; }
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) uv.lock pyproject.toml .python-version
	$(UV) sync --frozen --python 3.13
	@touch $@

demo: .venv/.synced
	@mkdir -p var
	POSTOPS_DEBUG=1 DATABASE_URL= $(UV) run --frozen python manage.py migrate --no-input
	POSTOPS_DEBUG=1 DATABASE_URL= $(UV) run --frozen python manage.py compilemessages --ignore=.venv -v 0
	POSTOPS_DEBUG=1 DATABASE_URL= $(UV) run --frozen python manage.py seed_demo
	POSTOPS_DEBUG=1 DATABASE_URL= $(UV) run --frozen python manage.py runserver 127.0.0.1:8000

test: .venv/.synced
	UV=$(UV) scripts/test.sh

demo-totp: .venv/.synced
	@POSTOPS_DEBUG=1 DATABASE_URL= $(UV) run --frozen python manage.py demo_totp

worker: .venv/.synced
	POSTOPS_DEBUG=1 $(UV) run --frozen python manage.py db_worker

fmt: .venv/.synced
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

messages: .venv/.synced
	POSTOPS_DEBUG=1 $(UV) run --frozen python manage.py makemessages -l en --ignore=.venv --ignore=.tools
	POSTOPS_DEBUG=1 $(UV) run --frozen python manage.py compilemessages --ignore=.venv
