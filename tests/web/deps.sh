#!/bin/sh
# deps.sh -- install what the tests/web scenarios need (idempotent, root):
# curl, dig, openssl, Debian's chromium, node, and playwright-core from
# npm at the version pinned in package-lock.json.
set -e
cd "$(dirname "$0")"
need=""
command -v curl >/dev/null 2>&1 || need="$need curl"
command -v dig >/dev/null 2>&1 || need="$need bind9-dnsutils"
command -v openssl >/dev/null 2>&1 || need="$need openssl"
[ -x /usr/bin/chromium ] || need="$need chromium"
command -v node >/dev/null 2>&1 || need="$need nodejs"
command -v npm >/dev/null 2>&1 || need="$need npm"
if [ -n "$need" ]; then
	echo "deps: apt-get install$need"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends $need
fi
want=$(sed -n 's/.*"playwright-core": "\(.*\)".*/\1/p' package.json)
have=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' \
	node_modules/playwright-core/package.json 2>/dev/null || true)
if [ "$have" != "$want" ]; then
	echo "deps: npm ci (playwright-core $want)"
	npm ci --no-audit --no-fund
fi
