#!/bin/sh
# Runs the project's pinned pnpm, installing it into .tools/ on first use.
# (A fresh machine has Node and npm only; corepack is not available.)
set -e
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(node -p "require('$root/package.json').packageManager.split('@')[1]")"
bin="$root/.tools/node_modules/.bin/pnpm"
if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "$version" ]; then
  echo "[pnpm.sh] installing pnpm@$version into .tools/" >&2
  npm install --silent --no-audit --no-fund --prefix "$root/.tools" "pnpm@$version" >&2
fi
exec "$bin" "$@"
