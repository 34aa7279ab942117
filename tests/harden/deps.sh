#!/bin/sh
# deps.sh -- what the tests/harden tests and make soak need: dig and kdig
# (queries), ss (connection counts), curl (admin site), mdb_stat/mdb_dump
# (store checks after kill -9), dnsperf (soak).
set -u
. "$(dirname "$0")/../deps-lib.sh"
need_cmd dig bind9-dnsutils
need_cmd kdig knot-dnsutils
need_cmd ss iproute2
need_cmd curl curl
need_cmd mdb_stat lmdb-utils
need_cmd dnsperf dnsperf
install_needed harden
