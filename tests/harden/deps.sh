#!/bin/sh
# deps.sh -- what the tests/harden tests and make soak need (idempotent,
# root): dig and kdig (queries), ss (connection counts), curl (admin
# site), mdb_stat/mdb_dump (store checks after kill -9), dnsperf (soak).
set -e
need=""
command -v dig >/dev/null 2>&1 || need="$need bind9-dnsutils"
command -v kdig >/dev/null 2>&1 || need="$need knot-dnsutils"
command -v ss >/dev/null 2>&1 || need="$need iproute2"
command -v curl >/dev/null 2>&1 || need="$need curl"
command -v mdb_stat >/dev/null 2>&1 || need="$need lmdb-utils"
command -v dnsperf >/dev/null 2>&1 || need="$need dnsperf"
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: need root to install:$need" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # a list of package names
apt-get install -y -qq --no-install-recommends $need ||
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $need; }
