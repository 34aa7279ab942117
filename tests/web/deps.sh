#!/bin/sh
# deps.sh -- install what the tests/web scenarios need (idempotent, root):
# curl, dig, openssl, Debian's chromium, node, and playwright-core from
# npm at the version pinned in package-lock.json.
set -e
cd "$(dirname "$0")"
. ../deps-lib.sh
need_cmd curl curl
need_cmd dig bind9-dnsutils
need_cmd openssl openssl
need_file /usr/share/publicsuffix/public_suffix_list.dat publicsuffix
need_file /usr/bin/chromium chromium
need_cmd node nodejs
need_cmd npm npm
install_needed web
want=$(sed -n 's/.*"playwright-core": "\(.*\)".*/\1/p' package.json)
have=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' \
	node_modules/playwright-core/package.json 2>/dev/null || true)
if [ "$have" != "$want" ]; then
	echo "deps: npm ci (playwright-core $want)"
	npm ci --no-audit --no-fund
fi
