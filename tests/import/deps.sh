#!/bin/sh
# deps.sh -- what the tests/import scenario tests need: dig, ss, and the
# public suffix list links.test reduces hosts with.
set -u
. "$(dirname "$0")/../deps-lib.sh"
need_cmd dig bind9-dnsutils
need_cmd ss iproute2
need_file /usr/share/publicsuffix/public_suffix_list.dat publicsuffix
install_needed import
