#!/bin/sh
# The one command that runs every test, from a fresh machine with only Node and npm:
# installs pnpm (into .tools/), the workspace dependencies, Debian's Chromium,
# PostgreSQL and Prometheus; then typecheck, lint, the alert rules (promtool), the
# production builds, unit + integration tests (embedded PGlite and a real PostgreSQL on
# loopback, a Prometheus scraping two BFFs) and the end-to-end tests in Chromium.
set -eu
cd "$(dirname "$0")/.."
pnpm() { ./scripts/pnpm.sh "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "system packages (chromium, postgresql, prometheus)"
sh scripts/system-deps.sh

step "workspace dependencies"
pnpm install --frozen-lockfile

if [ -z "${TEST_DATABASE_URL:-}" ] && ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  step "PostgreSQL test cluster on loopback"
  TEST_DATABASE_URL="$(sh scripts/pg-test-cluster.sh start)"
  export TEST_DATABASE_URL
  trap 'sh scripts/pg-test-cluster.sh stop' EXIT INT TERM
fi
[ -n "${TEST_DATABASE_URL:-}" ] || echo "WARNING: no PostgreSQL available; storage tests run on PGlite only" >&2

step "typecheck"
pnpm run typecheck

step "lint"
pnpm run lint

step "alert rules (promtool check + unit tests)"
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool not found: install Debian's prometheus package (scripts/system-deps.sh does, as root)" >&2
  exit 1
fi
promtool check rules deploy/prometheus/alerts.yml
promtool check config deploy/prometheus/prometheus.example.yml
promtool test rules deploy/prometheus/alerts.test.yml

step "production build (the BFF tests check the built storefront too)"
pnpm --filter @wxpay-shop/storefront build
pnpm --filter @wxpay-shop/admin build
pnpm --filter @wxpay-shop/bff build

step "unit and integration tests"
pnpm run test:unit

step "end-to-end tests (Chromium)"
pnpm --filter @wxpay-shop/e2e e2e

step "all tests passed"
