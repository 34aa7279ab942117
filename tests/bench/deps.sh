#!/bin/sh
# deps.sh -- what make bench needs: dnsperf (the load) and rbldnsd (the
# server to beat).  Idempotent; installs with apt-get only what is missing.
set -u
need=""
command -v dnsperf >/dev/null 2>&1 || need="$need dnsperf"
command -v rbldnsd >/dev/null 2>&1 || need="$need rbldnsd"
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "bench deps: missing:$need; run as root: apt-get install$need" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # a list of package names
apt-get install -y -q --no-install-recommends $need ||
	{ apt-get update -q && apt-get install -y -q --no-install-recommends $need; }
