#!/usr/bin/env bash
# The whole check: ruff, migrations check, pytest on PostgreSQL and on SQLite (browser
# journeys included). Starts a throwaway PostgreSQL when DATABASE_URL is not set.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-.tools/bin/uv}
export POSTOPS_DEBUG=1 UV_PYTHON_DOWNLOADS=never
run() { "$UV" run --frozen "$@"; }

echo "== ruff"
run ruff check .
run ruff format --check . || { echo "ruff format: run 'make fmt'"; exit 1; }

echo "== migrations"
DATABASE_URL= run python manage.py makemigrations --check --dry-run

PYTEST_ARGS=(-q -n "${PYTEST_WORKERS:-2}" "$@")

if [ -z "${DATABASE_URL:-}" ]; then
  pgdir=$(mktemp -d /tmp/postops-pg.XXXXXX)
  trap 'scripts/pg-throwaway.sh stop "$pgdir"' EXIT
  export DATABASE_URL; DATABASE_URL=$(scripts/pg-throwaway.sh start "$pgdir")
  echo "== throwaway PostgreSQL at ${DATABASE_URL}"
fi

echo "== pytest on PostgreSQL"
run pytest "${PYTEST_ARGS[@]}"

echo "== pytest on SQLite"
DATABASE_URL= run pytest "${PYTEST_ARGS[@]}"
echo "== all green"
