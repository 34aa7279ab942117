#!/bin/sh
# mirror.sh -- rbld as an rbldnsd mirror under load (issue #13): a
# 10M-entry ip4set file followed by rblctl watch is replaced by a version
# with MIRROR_CHANGED lines changed (half removed, half new) while dnsperf
# sends a steady query rate; reports the queries lost (next to a run at
# the same rate without a change) and the seconds from the rename of the
# new file into place until rbld answers an added address (and stops
# answering a removed one).
#
#   BUILD=build tests/bench/mirror.sh          (make bench BENCH_MIRROR=1)
#
# Environment: MIRROR_HOSTS (10000000), MIRROR_CHANGED (10000),
# MIRROR_QPS (5000, steady dnsperf rate), MIRROR_BASELINE (20 seconds).
# The first import of the whole file (watch --once) is timed too.
# Nothing is asserted: the machine is shared.  Report in
# tests/out/bench-mirror.txt.
set -u
cd "$(dirname "$0")/../.." || exit 2
BENCH_NAME=mirror.sh BENCH_OUT=bench-mirror
. tests/bench/common.sh

HOSTS=${MIRROR_HOSTS:-10000000}
CHANGED=${MIRROR_CHANGED:-10000}
QPS=${MIRROR_QPS:-5000}
BASE_SECS=${MIRROR_BASELINE:-20}

bench_tools -d rbld rblctl tests/tools/bench-gen
mkdir -p "$W/feed"

# ---- data: v1 (HOSTS /32s), v2 (CHANGED/2 removed, CHANGED/2 new) ----
half=$((CHANGED / 2))
stamp="$HOSTS $CHANGED"
if [ "$(cat "$W/data.stamp" 2>/dev/null)" != "$stamp" ]; then
	say "generating $HOSTS /32 listings and a version with $CHANGED changed lines"
	"$B/tests/tools/bench-gen" -s 1 -H "$HOSTS" -N 0 -Q 1000000 -L 10 \
		-z $ZONE "$W/v1" "$W/queries" || die "bench-gen"
	"$B/tests/tools/bench-gen" -s 99 -H "$half" -N 0 -z $ZONE "$W/new" ||
		die "bench-gen"
	# the header ($SOA, $NS, the default :A:TXT), the hosts without the
	# first HALF, the new hosts
	awk -v skip="$half" '/^[$:#]/ || !NF { print; next }
		++n > skip { print }' "$W/v1" >"$W/v2"
	awk '!/^[$:#]/ && NF' "$W/new" >>"$W/v2"
	echo "$stamp" >"$W/data.stamp"
fi
added=$(awk '!/^[$:#]/ && NF { a = $1 } END { print a }' "$W/new")
removed=$(awk '!/^[$:#]/ && NF { print $1; exit }' "$W/v1")
grep -qx "$added" "$W/v1" && die "the probe $added is in v1 too: another seed"
rev() { echo "$1" | awk -F. '{ print $4 "." $3 "." $2 "." $1 }'; }
Q_ADDED="$(rev "$added").$ZONE" Q_REMOVED="$(rev "$removed").$ZONE"

# ---- the store, first import, rbld, the watcher ----
rm -rf "$W/db"
cp "$W/v1" "$W/feed/spam.ip4set"
PORT=$(free_port)
cat >"$W/rbld.conf" <<EOC
server:
	listen: 127.0.0.1@$PORT
	database: $W/db
	map-size: 8G
mirror:
	directory: $W/feed
list: spam
	kind: ip
	data: $ZONE:ip4set:spam.ip4set
zone: $ZONE
	list: spam
	test-entries: no
EOC
"$B/rblctl" -c "$W/rbld.conf" init >"$W/init.log" 2>&1 || die "init: $(cat "$W/init.log")"
say "first import of $HOSTS entries (rblctl watch --once)"
t0=$(now)
"$B/rblctl" -c "$W/rbld.conf" watch --once >"$W/once.log" 2>&1 ||
	die "watch --once: $(tail -n 5 "$W/once.log")"
FIRST=$(since "$t0")
start_rbld "$W/rbld.conf" "$PORT" 2>"$W/rbld.log"
bg_start "$B/rblctl" -c "$W/rbld.conf" watch >"$W/watch.log" 2>&1
WATCH_PID=$BG_PID
sleep 1
[ -z "$(dig +short -p "$PORT" @127.0.0.1 "$Q_ADDED" A)" ] ||
	die "$added answers before the change"

# ---- the same rate without a change ----
say "steady $QPS q/s for ${BASE_SECS}s, no change"
dnsperf -c 4 -q 200 -l "$BASE_SECS" -Q "$QPS" -s 127.0.0.1 -p "$PORT" \
	-d "$W/queries" >"$W/dnsperf-steady.txt" 2>&1
STEADY=$(dnsperf_summary "$W/dnsperf-steady.txt")

# ---- the change under load ----
secs=$(awk -v f="$FIRST" 'BEGIN { s = int(f * 1.5) + 15; print (s > 600 ? 600 : s) }')
say "steady $QPS q/s for ${secs}s; the new file is renamed into place after 5s"
dnsperf -c 4 -q 200 -l "$secs" -Q "$QPS" -s 127.0.0.1 -p "$PORT" \
	-d "$W/queries" >"$W/dnsperf-change.txt" 2>&1 &
perf=$!
sleep 5
cp "$W/v2" "$W/feed/.spam.ip4set.tmp"
t0=$(now)
mv "$W/feed/.spam.ip4set.tmp" "$W/feed/spam.ip4set"
until [ -n "$(dig +short +time=1 +tries=1 -p "$PORT" @127.0.0.1 "$Q_ADDED" A)" ]; do
	sleep 0.05
	[ "$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print (b - a > 600) }')" = 0 ] ||
		die "$added does not answer after 10 minutes"
done
VISIBLE=$(since "$t0")
GONE=$(dig +short -p "$PORT" @127.0.0.1 "$Q_REMOVED" A)
wait "$perf"
CHANGE=$(dnsperf_summary "$W/dnsperf-change.txt")
IMPORT=$(grep 'imported in' "$W/watch.log" | tail -n 1 | sed 's/.*imported in //')
IXFR_NOTE=$(grep -c 'entries from' "$W/watch.log")

{
	echo "rbld mirror benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -r)"
	echo "data: $HOSTS /32 ip4set ($(du -k "$W/v1" | awk '{ printf "%d MB", $1 / 1024 }')), replaced by a version with $CHANGED lines changed"
	echo "first import (rblctl watch --once): $FIRST s; store $(du -sk "$W/db" | awk '{ printf "%d MB", $1 / 1024 }')"
	echo "replacement by rblctl watch: import $IMPORT (watch log), $VISIBLE s from the rename until $added answered"
	echo "  removed $removed after it: ${GONE:-not listed}"
	echo "dnsperf -c 4 -q 200 at $QPS q/s:"
	echo "$STEADY" | awk -v s="$BASE_SECS" '{ printf "  without a change (%ss): sent %d, answered %d, lost %d\n", s, $1, $2, $3 }'
	echo "$CHANGE" | awk -v s="$secs" '{ printf "  during the change (%ss): sent %d, answered %d, lost %d\n", s, $1, $2, $3 }'
	echo "rbld RSS $(awk '/^VmRSS:/ { printf "%d MB", $2 / 1024 }' "/proc/$RBLD_PID/status")"
} | tee "$REPORT"
say "report in $REPORT ($IXFR_NOTE imports logged)"
