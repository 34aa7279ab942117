#!/bin/sh
# deps.sh -- what tests/mirror needs: rsync (the feed: a daemon on
# loopback and its client), rbldnsd (the reference mirror), NSD (the
# secondary taking IXFR), dig.
set -u
. "$(dirname "$0")/../deps-lib.sh"
need_cmd rsync rsync
need_cmd rbldnsd rbldnsd
need_cmd nsd nsd
need_cmd dig bind9-dnsutils
install_needed mirror || exit 1
# rbldnsd's and NSD's packages start daemons on port 53; the tests start
# theirs (and their rsync daemon) on free loopback ports.
if command -v systemctl >/dev/null 2>&1; then
	systemctl disable --now rbldnsd nsd >/dev/null 2>&1 || true
fi
exit 0
