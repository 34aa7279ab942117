#!/bin/sh
# deps.sh -- what the tests/import scenario tests need: dig and ss.
set -u
. "$(dirname "$0")/../deps-lib.sh"
need_cmd dig bind9-dnsutils
need_cmd ss iproute2
install_needed import
