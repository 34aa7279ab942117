#!/bin/sh
# deps.sh -- what the tests/dns scenario tests need: the three DNS clients
# (dig, kdig, drill) and ss.
set -u
. "$(dirname "$0")/../deps-lib.sh"
need_cmd dig bind9-dnsutils
need_cmd kdig knot-dnsutils
need_cmd drill ldnsutils
need_cmd ss iproute2
install_needed dns
