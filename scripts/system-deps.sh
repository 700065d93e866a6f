#!/bin/sh
# Installs the Debian packages the tests need (Chromium for end-to-end tests,
# PostgreSQL for the storage tests, Prometheus for promtool and the scrape test)
# when they are missing. Needs root or sudo; without either it only warns, and
# the caller decides what to skip.
set -eu

missing=""
# CJK fonts so end-to-end screenshots show the Chinese UI instead of boxes.
fc-list :lang=zh 2>/dev/null | grep -q . || missing="$missing fonts-wqy-microhei"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing="$missing postgresql"
need_prometheus=""
command -v promtool >/dev/null 2>&1 || need_prometheus="prometheus"
[ -z "$missing" ] && [ -z "$need_prometheus" ] && exit 0

if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "[system-deps] missing:$missing $need_prometheus (no root/sudo to install them)" >&2
  exit 0
fi
echo "[system-deps] installing:$missing $need_prometheus" >&2
$sudo apt-get update -qq
if [ -n "$missing" ]; then
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ -n "$need_prometheus" ]; then
  # Only promtool and the binary are wanted: the package's own service would start a Prometheus on
  # :9090 (and fail the install if that port is taken). A policy-rc.d that refuses every start keeps it
  # stopped (Debian's documented way; containers usually ship one already); the tests run their own.
  policy=/usr/sbin/policy-rc.d
  added_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    added_policy=1
  fi
  status=0
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null || status=$?
  if [ -n "$added_policy" ]; then
    $sudo rm -f "$policy"
    # Nor at the next boot, under systemd.
    if [ -d /run/systemd/system ]; then $sudo systemctl disable --quiet prometheus.service 2>/dev/null || true; fi
  fi
  [ "$status" = 0 ] || exit "$status"
fi
