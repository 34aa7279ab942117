#!/bin/sh
# deps.sh -- what tests/xfr needs: NSD and Knot (the secondaries), kdig,
# dig and drill (clients), rbldnsd and rsync (mirrors), ldns-read-zone.
# Idempotent; run as root (tests/check.sh --deps).  The packages' own
# services are stopped and disabled: the tests start their own daemons
# on free loopback ports.
set -e
need=""
command -v nsd >/dev/null 2>&1 || need="$need nsd"
command -v knotd >/dev/null 2>&1 || need="$need knot"
command -v kdig >/dev/null 2>&1 || need="$need knot-dnsutils"
command -v dig >/dev/null 2>&1 || need="$need bind9-dnsutils"
command -v drill >/dev/null 2>&1 || need="$need ldnsutils"
command -v rbldnsd >/dev/null 2>&1 || need="$need rbldnsd"
command -v rsync >/dev/null 2>&1 || need="$need rsync"
command -v ldns-read-zone >/dev/null 2>&1 || need="$need ldnsutils"
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "tests/xfr/deps.sh: need root to install:$need" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null ||
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $need >/dev/null; }
if command -v systemctl >/dev/null 2>&1; then
	systemctl disable --now nsd knot rbldnsd >/dev/null 2>&1 || true
fi
