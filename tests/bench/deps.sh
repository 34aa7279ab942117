#!/bin/sh
# deps.sh -- what make bench needs: dnsperf (the load) and rbldnsd (the
# server to beat).
set -u
. "$(dirname "$0")/../deps-lib.sh"
need_cmd dnsperf dnsperf
need_cmd rbldnsd rbldnsd
install_needed bench
