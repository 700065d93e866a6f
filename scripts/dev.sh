#!/bin/sh
# The one command that runs everything offline: installs pnpm (into .tools/) and the
# workspace dependencies, then starts the WeChat emulator, the BFF (embedded PGlite)
# and the storefront dev server, and prints the URL to open.
set -eu
cd "$(dirname "$0")/.."
./scripts/pnpm.sh install --frozen-lockfile
exec node scripts/dev.mjs
