#!/usr/bin/env bash
# Installs the Debian packages the queue-mode and editor tests need, when they are missing:
# redis-server (test/e2e/queue-mode.e2e.test.ts) and chromium (test/e2e/editor.browser.test.ts).
# Needs root (CI runs as root). Nothing is started here: each test starts and stops its own.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)

if [ "${#missing[@]}" -eq 0 ]; then
	echo "[setup-system] redis-server and chromium already installed" >&2
	exit 0
fi

echo "[setup-system] installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
timeout 600 apt-get update -qq
timeout 1200 apt-get install -y -qq "${missing[@]}" >/dev/null

# A Redis service the package may start elsewhere is left alone: each test runs its own Redis
# on a free port of 127.0.0.1.
redis-server --version >&2
/usr/bin/chromium --version 2>/dev/null >&2 || true
