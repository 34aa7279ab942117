#!/bin/sh
# measure.sh -- sizes and times of zone transfers, for doc/deployment.md.
#
#   BUILD=build tests/xfr/measure.sh [HOSTS [NETS [EXPAND [SECONDARIES]]]]
#
# Data from tests/tools/bench-gen: HOSTS random /32 and NETS /24 listings
# (defaults 1000000 and 20000) with one default TXT that uses $, imported
# into one zone.  rbld serves it with xfr-txt-expand EXPAND (default 256;
# 1 writes wildcards with a fixed TXT).  Reported:
#   - the import (rblctl, one bulk transaction);
#   - AXFR to kdig, output to /dev/null, and to dig +noall (which keeps
#     up with rbld): records, messages, bytes, time;
#   - for each of SECONDARIES ("nsd knot", default both; "none"): the time
#     from start until it serves the zone, and its resident memory then;
#   - IXFR of 1000 added /32s to kdig and to the secondaries (NOTIFY).
# Nothing is asserted: the machine is shared.  Not part of make check.
set -u
cd "$(dirname "$0")/../.." || exit 2
RBL_TOP=$(pwd)
export RBL_TOP
BUILD=${BUILD:-build}
. tests/lib.sh
. tests/xfr/common.sh

HOSTS=${1:-1000000} NETS=${2:-20000} EXPAND=${3:-256}
SECONDARIES=${4:-nsd knot}
T=$(mktemp -d /tmp/rbl-xfr-measure.XXXXXX)
trap 'cleanup_bg; rm -rf "$T"' EXIT
ZONE=bench.rbld.test

now() { date +%s.%N; }
elapsed() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }
rss_mb() {	# pid: its resident memory and its children's
	{ ps -o rss= -p "$1"; ps -o rss= --ppid "$1"; } 2>/dev/null |
		awk '{ s += $1 } END { printf "%.0f", s / 1024 }'
}

"$B/tests/tools/bench-gen" -H "$HOSTS" -N "$NETS" -Q 1 -z $ZONE "$T/data" ||
	fail "bench-gen"
t0=$(now)
"$B/rblctl" -d "$T/db" zone create $ZONE --kind ip >/dev/null || fail "zone"
"$B/rblctl" -d "$T/db" import $ZONE "$T/data" --type ip4set --replace \
	>/dev/null 2>&1 || fail "import"
echo "data: $HOSTS /32 + $NETS /24, one default TXT with \$, xfr-txt-expand $EXPAND"
echo "import: $(elapsed "$t0" "$(now)") s, store $(du -sm "$T/db" | cut -f1) MB"

PORT=$(free_port)
KEY=measure.key
SECRET=$(head -c 32 /dev/urandom | base64)
cat >"$T/rbld.conf" <<EOC
key: $KEY
	secret: $SECRET
server:
	listen: 127.0.0.1@$PORT
	database: $T/db
	threads: 1
	provide-xfr: 127.0.0.0/8 NOKEY
	xfr-txt-expand: $EXPAND
EOC
for s in $SECONDARIES; do
	[ "$s" = none ] && continue
	p=$(free_port)
	eval "${s}_port=$p"
	echo "	notify: 127.0.0.1@$p $KEY" >>"$T/rbld.conf"
done
start_rbld "$T/rbld.conf" "$PORT" 2>>"$T/rbld.log"

t0=$(now)
kdig -p "$PORT" @127.0.0.1 $ZONE AXFR >/dev/null 2>&1
t1=$(now)
echo "AXFR to kdig (>/dev/null): $(elapsed "$t0" "$t1") s wall;" \
	"rbld: $(grep 'notice: AXFR' "$T/rbld.log" | tail -n 1 | sed 's/.*serial [0-9]* to [^:]*: //')"
t0=$(now)
dig -p "$PORT" @127.0.0.1 $ZONE AXFR +noall +stats >/dev/null 2>&1
t1=$(now)
echo "AXFR to dig +noall (rbld's own pace): $(elapsed "$t0" "$t1") s wall;" \
	"rbld: $(grep 'notice: AXFR' "$T/rbld.log" | tail -n 1 | sed 's/.*serial [0-9]* to [^:]*: //')"
echo "rbld RSS after the transfer: $(rss_mb "$RBLD_PID") MB"

serial=$(serial "$PORT" $ZONE)
for s in $SECONDARIES; do
	[ "$s" = none ] && continue
	eval "p=\$${s}_port"
	t0=$(now)
	if [ "$s" = nsd ]; then
		start_nsd "$T/nsd" "$p" "127.0.0.1@$PORT" 127.0.0.1 $KEY \
			"$SECRET" $ZONE
		pid=$NSD_PID
	else
		start_knot "$T/knot" "$p" "127.0.0.1@$PORT" 127.0.0.1 $KEY \
			"$SECRET" $ZONE
		pid=$KNOT_PID
	fi
	i=0
	until [ "$(serial "$p" $ZONE)" = "$serial" ]; do
		sleep 0.5; i=$((i + 1))
		[ $i -lt 2400 ] || { echo "$s: no transfer after 20 min"; break; }
	done
	echo "$s: serving after $(elapsed "$t0" "$(now)") s (start, AXFR, load), RSS $(rss_mb "$pid") MB"
done

# 1000 more /32s: IXFR
awk 'BEGIN { srand(7); for (i = 0; i < 1000; i++)
	printf "%d.%d.%d.%d\n", 11 + int(rand() * 200), int(rand() * 256),
		int(rand() * 256), 1 + int(rand() * 254) }' >"$T/more"
# shellcheck disable=SC2046
"$B/rblctl" -d "$T/db" add $ZONE $(cat "$T/more") >/dev/null 2>&1 ||
	fail "add 1000"
new=$(serial "$PORT" $ZONE)
t0=$(now)
kdig -p "$PORT" @127.0.0.1 $ZONE IXFR="$serial" >/dev/null 2>&1
echo "IXFR of 1000 new /32s to kdig: $(elapsed "$t0" "$(now)") s wall;" \
	"rbld: $(grep 'notice: IXFR' "$T/rbld.log" | tail -n 1 | sed 's/.*serial [0-9]* to [^:]*: //')"
for s in $SECONDARIES; do
	[ "$s" = none ] && continue
	eval "p=\$${s}_port"
	i=0
	until [ "$(serial "$p" $ZONE)" = "$new" ]; do
		sleep 0.2; i=$((i + 1))
		[ $i -lt 600 ] || { echo "$s: no IXFR after 2 min"; break; }
	done
	echo "$s: at the new serial $(elapsed "$t0" "$(now)") s after the commit"
done
