#!/bin/sh
# deps.sh -- what make run needs besides the build: dig (to try the demo)
# and ss (to find a free port).
set -u
. "$(dirname "$0")/../deps-lib.sh"
need_cmd dig bind9-dnsutils
need_cmd ss iproute2
install_needed demo
