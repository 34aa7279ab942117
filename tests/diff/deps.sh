#!/bin/sh
# deps.sh -- what tests/diff needs: rbldnsd (the reference), NSD (serves
# the BIND export), dig and ldns-read-zone.
# Idempotent; run as root (tests/check.sh --deps).
set -e
need=""
command -v rbldnsd >/dev/null 2>&1 || need="$need rbldnsd"
command -v dig >/dev/null 2>&1 || need="$need dnsutils"
command -v nsd >/dev/null 2>&1 || need="$need nsd"
command -v ldns-read-zone >/dev/null 2>&1 || need="$need ldnsutils"
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "tests/diff/deps.sh: need root to install:$need" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $need >/dev/null ||
	{ apt-get update >/dev/null && apt-get install -y --no-install-recommends $need >/dev/null; }
# The package starts a daemon on port 53 of the host; the tests start their
# own on free ports.
if command -v systemctl >/dev/null 2>&1; then
	systemctl disable --now rbldnsd nsd >/dev/null 2>&1 || true
fi
