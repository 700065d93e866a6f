#!/bin/sh
# Installs the Debian packages the tests need (Chromium for end-to-end tests,
# PostgreSQL for the storage tests) when they are missing. Needs root or sudo;
# without either it only warns, and the caller decides what to skip.
set -eu

missing=""
# CJK fonts so end-to-end screenshots show the Chinese UI instead of boxes.
fc-list :lang=zh 2>/dev/null | grep -q . || missing="$missing fonts-wqy-microhei"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing="$missing postgresql"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "[system-deps] missing:$missing (no root/sudo to install them)" >&2
  exit 0
fi
echo "[system-deps] installing:$missing" >&2
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
