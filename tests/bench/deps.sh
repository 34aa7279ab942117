#!/bin/sh
# deps.sh -- what make bench needs: dnsperf (the load), rbldnsd (the
# server to beat), dig (every script waits with it until a server
# answers) and /usr/bin/time (peak RSS of imports).  make check installs
# the last two as well, but make bench may be the first thing run on a
# fresh machine.
set -u
. "$(dirname "$0")/../deps-lib.sh"
need_cmd dnsperf dnsperf
need_cmd rbldnsd rbldnsd
need_cmd dig bind9-dnsutils
need_file /usr/bin/time time
install_needed bench
