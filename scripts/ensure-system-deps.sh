#!/usr/bin/env bash
# What the test suite needs from the operating system: Chromium (real browser
# tests), CJK fonts (Chinese renders as boxes without them), PostgreSQL 15
# binaries (the suite starts its own throwaway server), Node.js (the phone's
# JavaScript logic runs under node's test runner) and nginx (the deployment's
# reverse proxy sample is loaded and run by the tests). Installed from Debian's
# packages when missing and we are root; otherwise we say what to install.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/lib/chromium/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || [ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ -z "${DATABASE_URL:-}${TEST_DATABASE_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  missing+=(postgresql)
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "The test suite needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing from Debian's packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The postgresql and nginx packages start servers of their own; the suite does not use them.
if [[ " ${missing[*]} " == *" nginx "* ]]; then
  (command -v service >/dev/null && service nginx stop >/dev/null 2>&1) || pkill -x nginx || true
fi
if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v pg_ctlcluster >/dev/null; then
  pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | while read -r v c; do pg_ctlcluster "$v" "$c" stop || true; done
fi
