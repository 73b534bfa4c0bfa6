#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser test (playwright-core drives it; no
# browser download of its own). Needs root and Debian's package mirror.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium already installed: $(chromium --version 2>/dev/null | head -1)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
echo "installed $(chromium --version 2>/dev/null | head -1)"
