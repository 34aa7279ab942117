#!/bin/sh
# import.sh -- the import figure of make bench: rbl-import of an mbox of
# 100k trap messages (gen-mbox, 20k senders, 10% IPv6, links to 20k spam
# domains and to allow-file domains in text, HTML, quoted-printable and
# base64 bodies, a Reply-To in every fourth), messages per second (wall
# clock and per CPU second), twice: without link extraction (no
# domain-policy: senders only) and with it (a domain policy feeding a
# domain list, a newly-seen list and a hash list, the shipped allow file).
# While each import runs, rbld answers a steady query load from dnsperf
# (if installed): queries lost during the import.
#
#   BUILD=build tests/bench/import.sh
#
# Environment: IMPORT_MESSAGES (100000), IMPORT_SENDERS (20000),
# IMPORT_DOMAINS (20000), IMPORT_QPS (2000).  Nothing is asserted: the
# machine is shared; the target is >= 20000 messages/s with extraction.
# Report in tests/out/bench-import.txt.
set -u
cd "$(dirname "$0")/../.." || exit 2
BENCH_NAME=import.sh BENCH_OUT=bench-import
. tests/bench/common.sh

N=${IMPORT_MESSAGES:-100000}
SENDERS=${IMPORT_SENDERS:-20000}
DOMAINS=${IMPORT_DOMAINS:-20000}
QPS=${IMPORT_QPS:-2000}
NOW=1800100000
mkdir -p "$W"

bench_tools rbl-import rbld tests/tools/gen-mbox tests/tools/rbl-confapply
if [ "$(cat "$W/mbox.stamp" 2>/dev/null)" != "$N $SENDERS $DOMAINS" ]; then
	"$B/tests/tools/gen-mbox" -n "$N" -a "$SENDERS" -l "$DOMAINS" \
		-t 1800000000 >"$W/traps.mbox" || exit 1
	echo "$N $SENDERS $DOMAINS" >"$W/mbox.stamp"
fi

# write_conf NAME [links]: the configuration of one run
write_conf() {
	cat >"$W/$1.conf" <<CONF
server:
	listen: 127.0.0.1@$PORT
	database: $W/db-$1
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
	[ "${2:-}" = links ] || return 0
	cat >>"$W/$1.conf" <<CONF
list: dbl
	kind: name
list: nod
	kind: newly-seen
list: ebl
	kind: hash
zone: dbl.bench.test
	list: dbl
zone: nod.bench.test
	list: nod
zone: hbl.bench.test
	list: ebl@_email
domain-policy: links
	list: dbl
	threshold: 2
	code: 127.0.1.2
	newly-seen-list: nod
	reply-to-list: ebl
CONF
	# the trap section above takes the allow file
	sed -i "s|^trap:\$|trap:\n\tlink-allow-file: $RBL_TOP/contrib/link-allow.txt|" \
		"$W/$1.conf"
}

# Queries for senders of the mbox (listed as the import goes) and others.
awk 'BEGIN { for (k = 0; k < 20000; k++)
	printf "%d.%d.%d.45.bl.bench.test A\n", 1 + (k % 254), int(k / 256) % 256,
		1 + int(k / 65536) % 200 }' >"$W/queries.txt"

# run NAME LABEL: import the mbox into a fresh store under load, report
run() {
	rm -rf "$W/db-$1"
	"$B/tests/tools/rbl-confapply" "$W/$1.conf" "$W/db-$1" || exit 1
	start_rbld "$W/$1.conf" "$PORT" >"$W/rbld-$1.log" 2>&1
	DNSPERF_PID=""
	if command -v dnsperf >/dev/null 2>&1; then
		dnsperf -s 127.0.0.1 -p "$PORT" -d "$W/queries.txt" -Q "$QPS" \
			-l 600 >"$W/dnsperf-$1.txt" 2>&1 &
		DNSPERF_PID=$!
		sleep 1
	fi
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	/usr/bin/time -f "%U %S %e %M" -o "$W/time-$1.txt" "$B/rbl-import" \
		-c "$W/$1.conf" --no-progress --now $NOW trap "$W/traps.mbox" \
		>"$W/import-$1.txt" 2>&1 || { cat "$W/import-$1.txt"; exit 1; }
	if [ -n "$DNSPERF_PID" ]; then
		kill -INT "$DNSPERF_PID" 2>/dev/null
		wait "$DNSPERF_PID" 2>/dev/null
	fi
	kill "$RBLD_PID" 2>/dev/null
	wait "$RBLD_PID" 2>/dev/null
	read -r user sys wall rss <"$W/time-$1.txt"
	echo "rbl-import, $2:"
	awk -v n="$N" -v u="$user" -v s="$sys" -v w="$wall" -v r="$rss" 'BEGIN {
		printf "  %.0f messages/s wall (%.2f s), %.0f messages per CPU second (%.2f s user+sys), peak RSS %d MB\n",
			n / w, w, n / (u + s), u + s, r / 1024 }'
	sed -n 's/^  //p' "$W/import-$1.txt" | sed 's/^/  /'
	if [ -n "$DNSPERF_PID" ]; then
		awk '/Queries sent:/ { s = $3 } /Queries lost:/ { l = $3 }
		     END { printf "  rbld during the import: %d queries sent, %d lost\n", s, l }' \
			"$W/dnsperf-$1.txt"
	else
		echo "  (dnsperf not installed: no query load; tests/bench/deps.sh)"
	fi
	echo "  load average before the run: $load; after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

PORT=$(free_port)
write_conf senders
write_conf links links
{
	echo "$N trap messages ($(du -m "$W/traps.mbox" | cut -f1) MB mbox, $SENDERS senders, links to $DOMAINS domains)"
	run senders "without link extraction (no domain-policy)"
	run links "with link extraction (domain, newly-seen and hash lists)"
} | tee "$REPORT"
