#!/usr/bin/env bash
# Runs Adobe's published IMS clients against the emulator binary.
# Needs the binary built first (cargo build -p imsbridge); IMSBRIDGE_BIN overrides its path.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --silent --no-audit --no-fund
node --test
