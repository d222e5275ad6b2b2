#!/usr/bin/env bash
# The console in headless Chromium (Debian's chromium, driven by playwright-core):
# starts `$IMSBRIDGE_BIN serve --demo` itself. Screenshots go to $SCREENSHOT_DIR
# (default e2e/browser/screenshots/).
set -euo pipefail
cd "$(dirname "$0")"
export IMSBRIDGE_BIN="${IMSBRIDGE_BIN:-$PWD/../../target/debug/imsbridge}"
if [ ! -x "${CHROMIUM_BIN:-/usr/bin/chromium}" ]; then
  echo "e2e/browser: ${CHROMIUM_BIN:-/usr/bin/chromium} is missing; install Debian's chromium package" >&2
  exit 1
fi
npm ci --silent --no-audit --no-fund
node --test --test-concurrency=1
