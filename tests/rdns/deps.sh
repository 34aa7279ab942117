#!/bin/sh
# deps.sh -- packages the rDNS tests need: the public suffix list, NSD as
# the authoritative server of the end-to-end test, dig.  Idempotent.
set -e
need=""
for p in publicsuffix nsd bind9-dnsutils; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || need="$need $p"
done
[ -z "$need" ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# nsd's package starts a system instance; the tests run their own.
apt-get install -y -qq --no-install-recommends $need
