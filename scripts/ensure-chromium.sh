#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the end-to-end tests (npm run test:e2e).
# The tests drive it with playwright-core and never download a browser of their own.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
sudo_if_needed=""
if [ "$(id -u)" -ne 0 ]; then sudo_if_needed="sudo -n"; fi
$sudo_if_needed apt-get update -qq
$sudo_if_needed apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
