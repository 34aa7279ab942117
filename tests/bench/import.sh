#!/bin/sh
# import.sh -- the import figure of make bench: rbl-import of an mbox of
# 100k trap messages (gen-mbox, 20k senders, 10% IPv6), messages per second
# (wall clock and per CPU second), while rbld answers a steady query load
# from dnsperf (if installed): queries lost during the import.
#
#   BUILD=build tests/bench/import.sh
#
# Environment: IMPORT_MESSAGES (100000), IMPORT_SENDERS (20000),
# IMPORT_QPS (2000).  Nothing is asserted: the machine is shared; the
# target is >= 20000 messages/s.  Report in tests/out/bench-import.txt.
set -u
cd "$(dirname "$0")/../.." || exit 2
RBL_TOP=$(pwd)
export RBL_TOP
BUILD=${BUILD:-build}
. tests/lib.sh

N=${IMPORT_MESSAGES:-100000}
SENDERS=${IMPORT_SENDERS:-20000}
QPS=${IMPORT_QPS:-2000}
W=$RBL_TOP/tests/out/bench-import
REPORT=$RBL_TOP/tests/out/bench-import.txt
NOW=1800100000
mkdir -p "$W"

for p in rbl-import rbld tests/tools/gen-mbox tests/tools/rbl-confapply; do
	[ -x "$B/$p" ] || { echo "import.sh: $B/$p missing: make tests" >&2; exit 1; }
done
if [ "$(cat "$W/mbox.stamp" 2>/dev/null)" != "$N $SENDERS" ]; then
	"$B/tests/tools/gen-mbox" -n "$N" -a "$SENDERS" -t 1800000000 \
		>"$W/traps.mbox" || exit 1
	echo "$N $SENDERS" >"$W/mbox.stamp"
fi
PORT=$(free_port)
cat >"$W/rbld.conf" <<CONF
server:
	listen: 127.0.0.1@$PORT
	database: $W/db
list: traps
	kind: ip
list: rep
	kind: ip
zone: bl.bench.test
	list: traps
zone: rep.bench.test
	list: rep
trap:
	trusted-network: 192.0.2.0/24
policy: traps
	list: traps
	code-trap: 127.0.0.2
	txt-trap: "trap hit: \$"
	reputation-list: rep
CONF
rm -rf "$W/db"
"$B/tests/tools/rbl-confapply" "$W/rbld.conf" "$W/db" || exit 1
start_rbld "$W/rbld.conf" "$PORT" >"$W/rbld.log" 2>&1

# Queries for senders of the mbox (listed as the import goes) and others.
awk 'BEGIN { for (k = 0; k < 20000; k++)
	printf "%d.%d.%d.45.bl.bench.test A\n", 1 + (k % 254), int(k / 256) % 256,
		1 + int(k / 65536) % 200 }' >"$W/queries.txt"
DNSPERF_PID=""
if command -v dnsperf >/dev/null 2>&1; then
	dnsperf -s 127.0.0.1 -p "$PORT" -d "$W/queries.txt" -Q "$QPS" -l 600 \
		>"$W/dnsperf.txt" 2>&1 &
	DNSPERF_PID=$!
	sleep 1
fi
/usr/bin/time -f "%U %S %e %M" -o "$W/time.txt" "$B/rbl-import" \
	-c "$W/rbld.conf" --no-progress --now $NOW trap "$W/traps.mbox" \
	>"$W/import.txt" 2>&1 || { cat "$W/import.txt"; exit 1; }
if [ -n "$DNSPERF_PID" ]; then
	kill -INT "$DNSPERF_PID" 2>/dev/null
	wait "$DNSPERF_PID" 2>/dev/null
fi
read -r user sys wall rss <"$W/time.txt"
{
	echo "rbl-import: $N trap messages ($(du -m "$W/traps.mbox" | cut -f1) MB mbox, $SENDERS senders)"
	awk -v n="$N" -v u="$user" -v s="$sys" -v w="$wall" -v r="$rss" 'BEGIN {
		printf "  %.0f messages/s wall (%.2f s), %.0f messages per CPU second (%.2f s user+sys), peak RSS %d MB\n",
			n / w, w, n / (u + s), u + s, r / 1024 }'
	sed -n 's/^  //p' "$W/import.txt" | sed 's/^/  /'
	if [ -n "$DNSPERF_PID" ]; then
		awk '/Queries sent:/ { s = $3 } /Queries lost:/ { l = $3 }
		     END { printf "  rbld during the import: %d queries sent, %d lost\n", s, l }' \
			"$W/dnsperf.txt"
	else
		echo "  (dnsperf not installed: no query load; tests/bench/deps.sh)"
	fi
	echo "  load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$REPORT"
