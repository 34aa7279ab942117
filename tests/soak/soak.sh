#!/bin/sh
# soak.sh -- make soak: rbld under dnsperf at full rate for minutes while
# everything else happens at once, then a report.
#
#   BUILD=build tests/soak/soak.sh
#
# Store: 200k /32 + 5k /24 listings (tests/tools/bench-gen) in zone
# bench.rbld.test, plus the trap list bl (zone bl.test) that imports and
# the admin site change.  rbld runs with RRL (the dnsperf client
# 127.0.0.1 is exempt) and 2 UDP workers.  For SOAK_SECONDS (180):
#   - dnsperf at full rate from 127.0.0.1 (10% listed, 90% NXDOMAIN);
#   - a flood from 127.0.0.66 (rbl-burst, 2000 queries a second): RRL
#     limits it, so its losses must equal RRL's drops;
#   - rbl-import trap runs, one 2000-message mbox after another;
#   - rblctl add every 0.2 s; rbl-admin: log in, add listings, view pages,
#     public lookups, in a loop;
#   - RSS of rbld and rbl-admin sampled every 10 s.
# The report (also tests/out/soak.txt) gives dnsperf's figures, errors
# of every workload, the flood's losses next to RRL's counters, and RSS
# over time.  Exit 1 when dnsperf lost more than SOAK_MAX_LOST_PCT (0.1)
# percent of its queries, any workload failed, the flood lost more than
# RRL dropped, or anonymous RSS grew more than 10% (plus 4 MB) after the
# first minute (file-backed RSS is the store's map and follows its size).
set -u
cd "$(dirname "$0")/../.." || exit 2
RBL_TOP=$(pwd)
export RBL_TOP
BUILD=${BUILD:-build}
. tests/lib.sh

SECS=${SOAK_SECONDS:-180}
MAX_LOST_PCT=${SOAK_MAX_LOST_PCT:-0.1}
W=$RBL_TOP/tests/out/soak
REPORT=$RBL_TOP/tests/out/soak.txt
ZONE=bench.rbld.test
say() { echo "soak: $*" >&2; }
die() { echo "soak: $*" >&2; exit 1; }

command -v dnsperf >/dev/null && command -v curl >/dev/null &&
	command -v dig >/dev/null || tests/harden/deps.sh || die "tests/harden/deps.sh failed"
for p in rbld rblctl rbl-import rbl-admin tests/tools/bench-gen tests/tools/gen-mbox \
	 tests/tools/rbl-burst tests/tools/rbl-qstats tests/tools/rbl-admin-fixture; do
	[ -x "$B/$p" ] || die "$B/$p is missing: run make tests first"
done
rm -rf "$W"
mkdir -p "$W"
T=$W	# for tests/web/web_lib.sh helpers
. tests/web/web_lib.sh

# ------------------------------------------------------------------ setup
DNS=$(free_port)
HTTP=$(free_port)
URL="http://127.0.0.1:$HTTP"
CONF="$W/rbld.conf"
cat >"$CONF" <<EOC
server:
	listen: 127.0.0.1@$DNS
	database: $W/db
	threads: 2
list: bl
	kind: ip
list: allow
	kind: ip
zone: bl.test
	list: bl
evidence:
	batch: 200
trap:
	trusted-network: 192.0.2.0/24
policy: traps
	list: bl
	threshold: 1
	allow-list: allow
admin:
	listen: 127.0.0.1@$HTTP
rrl:
	responses-per-second: 50
	nxdomain-per-second: 200
	slip: 2
	exempt: 127.0.0.1
EOC
say "store: fixture, 200k+5k listings"
"$FIX" "$CONF" setup >"$W/fixture.log" 2>&1 || die "fixture: $(cat "$W/fixture.log")"
printf '%s\n' "$ADMIN_PW" >"$W/pw"
"$FIX" "$CONF" user add admin --password-file "$W/pw" || die "user add"
"$B/tests/tools/bench-gen" -s 3 -H 200000 -N 5000 -Q 500000 -L 10 -z $ZONE \
	"$W/data.txt" "$W/queries.txt" || die "bench-gen"
"$B/rblctl" -c "$CONF" -q zone create $ZONE || die "zone create"
"$B/rblctl" -c "$CONF" -q import $ZONE "$W/data.txt" --replace || die "import"

bg_start "$B/rbld" -c "$CONF" 2>"$W/rbld.log"
RBLD_PID=$BG_PID
wait_udp "$DNS"
bg_start "$B/rbl-admin" -c "$CONF" 2>"$W/admin.log"
ADMIN_PID=$BG_PID
i=0
until curl -s -o /dev/null "$URL/style.css"; do
	i=$((i + 1)); [ $i -lt 100 ] || die "rbl-admin does not start"; sleep 0.1
done

# -------------------------------------------------------------- workloads
# Anonymous and file-backed RSS: the store is a memory map, so pages of it
# that were read count as RSS (RssFile) and grow with the store; memory
# the program allocated is RssAnon, which must stay flat.
rss_kb() {	# pid -> "anon file"
	awk '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
	     END { printf "%d %d", a, f }' "/proc/$1/status" 2>/dev/null || echo "0 0"
}
db_kb() { du -sk "$W/db" | awk '{ print $1 }'; }
running() { [ ! -e "$W/stop" ]; }
err() { echo "$*" >>"$W/errors"; }

import_loop() {
	n=0
	while running; do
		n=$((n + 1))
		"$B/tests/tools/gen-mbox" -n 2000 -a 300 -t $((1800000000 + n * 10000)) \
			-S $n >"$W/m.mbox"
		"$B/rbl-import" -c "$CONF" --no-progress trap "$W/m.mbox" \
			>"$W/imp.out" 2>&1 || err "rbl-import run $n: $(tail -n 2 "$W/imp.out")"
		echo "$n" >"$W/imports"
	done
}

ctl_loop() {
	n=0
	while running; do
		n=$((n + 1))
		"$B/rblctl" -c "$CONF" -q add bl "10.9.$((n / 250 % 250)).$((n % 250 + 1))" \
			--reason soak >>"$W/ctl.out" 2>&1 || err "rblctl add $n"
		echo "$n" >"$W/ctl.count"
		sleep 0.2
	done
}

admin_loop() {
	n=0 J="$W/adm.jar"
	while running; do
		if [ $((n % 50)) = 0 ]; then
			rm -f "$J"
			[ "$(login "$J" admin "$ADMIN_PW")" = 303 ] || err "admin login"
			web "$J" "$URL/admin/listing" >"$W/form.html"
			tok=$(csrf_of "$W/form.html")
		fi
		n=$((n + 1))
		c=$(code "$J" --max-time 10 --data-urlencode list=bl \
			--data-urlencode "key=172.17.$((n / 250 % 250)).$((n % 250 + 1))" \
			--data-urlencode reason=soak --data-urlencode "csrf=$tok" \
			"$URL/admin/listing")
		[ "$c" = 303 ] || err "admin listing $n: HTTP $c"
		for page in /admin /admin/requests "/admin/search?q=10.9.0.0/16" \
			    /admin/audit "/?q=10.9.0.1"; do
			c=$(code "$J" --max-time 10 "$URL$page")
			[ "$c" = 200 ] || err "GET $page: HTTP $c"
		done
		echo "$n" >"$W/admin.count"
	done
}

flood_loop() {
	while running; do
		"$B/tests/tools/rbl-burst" -b 127.0.0.66 -p "$DNS" -n 2000 -w 300 -r \
			127.0.0.1 $ZONE >>"$W/flood.out"
		sleep 0.5
	done
}

rss_loop() {
	t=0
	while running; do
		echo "$t $(rss_kb "$RBLD_PID") $(rss_kb "$ADMIN_PID") $(db_kb)" >>"$W/rss"
		sleep 10
		t=$((t + 10))
	done
}

: >"$W/errors"
say "dnsperf at full rate for ${SECS}s with imports, rblctl, admin, a flood"
q0=$("$B/tests/tools/rbl-qstats" "$W/db/rbld.stats")
rss_loop & P1=$!
import_loop & P2=$!
ctl_loop & P3=$!
admin_loop & P4=$!
flood_loop & P5=$!
dnsperf -c 4 -q 200 -l "$SECS" -S 30 -s 127.0.0.1 -p "$DNS" \
	-d "$W/queries.txt" >"$W/dnsperf.txt" 2>&1
touch "$W/stop"
wait $P1 $P2 $P3 $P4 $P5
echo "$SECS $(rss_kb "$RBLD_PID") $(rss_kb "$ADMIN_PID") $(db_kb)" >>"$W/rss"
kill -0 "$RBLD_PID" 2>/dev/null || err "rbld died: $(tail -n 3 "$W/rbld.log")"
kill -0 "$ADMIN_PID" 2>/dev/null || err "rbl-admin died: $(tail -n 3 "$W/admin.log")"
"$B/tests/tools/rbl-qstats" "$W/db/rbld.stats" >"$W/qstats.txt"

# ----------------------------------------------------------------- report
qs() { sed -n "s/^$1 //p" "$W/qstats.txt"; }
perf() { sed -n "s/^ *$1 *\([0-9.]*\).*/\1/p" "$W/dnsperf.txt" | head -n 1; }
sent=$(perf "Queries sent:")
done_q=$(perf "Queries completed:")
lost=$(perf "Queries lost:")
qps=$(perf "Queries per second:")
fl_sent=$(awk '{ s += $2 } END { print s + 0 }' "$W/flood.out")
fl_lost=$(awk '{ s += $8 } END { print s + 0 }' "$W/flood.out")
fl_tc=$(awk '{ s += $6 } END { print s + 0 }' "$W/flood.out")
status=0
{
	echo "soak: ${SECS}s, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
	echo "dnsperf (127.0.0.1, exempt from RRL): sent $sent, completed $done_q, lost $lost, $qps q/s"
	echo "flood (127.0.0.66): sent $fl_sent, slipped (TC) $fl_tc, lost $fl_lost"
	echo "rbld counters: queries $(qs queries), rrl limited $(qs rrl_limited), slipped $(qs rrl_slipped), dropped $(qs rrl_dropped), other drops $(qs dropped)"
	echo "workloads: $(cat "$W/imports" 2>/dev/null || echo 0) imports of 2000 messages, $(cat "$W/ctl.count" 2>/dev/null || echo 0) rblctl adds, $(cat "$W/admin.count" 2>/dev/null || echo 0) admin rounds (1 listing + 5 pages)"
	echo "errors: $(wc -l <"$W/errors")"
	head -n 10 "$W/errors" | sed 's/^/  /'
	echo "RSS (KB) over time: seconds, rbld anon file, rbl-admin anon file, store size"
	sed 's/^/  /' "$W/rss"
} | tee "$REPORT"
pct=$(echo "$lost $sent" | awk '{ printf "%.4f", $2 ? 100 * $1 / $2 : 100 }')
awk -v p="$pct" -v m="$MAX_LOST_PCT" 'BEGIN { exit !(p > m) }' &&
	{ say "FAIL: dnsperf lost $pct% (limit $MAX_LOST_PCT%)"; status=1; }
[ -s "$W/errors" ] && { say "FAIL: workload errors"; status=1; }
[ "$fl_lost" -le "$(qs rrl_dropped)" ] ||
	{ say "FAIL: the flood lost $fl_lost, RRL dropped $(qs rrl_dropped)"; status=1; }
# Anonymous RSS after the first minute (or the first sample after 0 in
# short runs) is the baseline: flat means within 10% + 4 MB.
for col in 2 4; do
	awk -v c=$col -v w=$((SECS >= 120 ? 60 : 10)) '$1 >= w && !base { base = $c } { last = $c }
		END { exit !(base && last > base * 1.1 + 4096) }' "$W/rss" &&
		{ say "FAIL: RSS grew (column $col of $W/rss)"; status=1; }
done
[ $status = 0 ] && say "ok (report in $REPORT)"
exit $status
