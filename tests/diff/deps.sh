#!/bin/sh
# deps.sh -- what tests/diff needs: rbldnsd (the reference), NSD (serves
# the BIND export), dig and ldns-read-zone.
set -u
. "$(dirname "$0")/../deps-lib.sh"
need_cmd rbldnsd rbldnsd
need_cmd dig bind9-dnsutils
need_cmd nsd nsd
need_cmd ldns-read-zone ldnsutils
install_needed diff || exit 1
# The packages start daemons on port 53 of the host; the tests start their
# own on free ports.
if command -v systemctl >/dev/null 2>&1; then
	systemctl disable --now rbldnsd nsd >/dev/null 2>&1 || true
fi
exit 0
