#!/bin/sh
# scale.sh -- make bench's scale table: rbld and rbldnsd on the same data
# at 1M and 10M entries (BENCH_SCALE=100M adds a 100M run).
#
#   BUILD=build tests/bench/scale.sh
#
# Per scale N: N random IPv4 /32 and N/50 /24 listings with one default
# A+TXT (tests/tools/bench-gen, as bench.sh, two seeds), and queries 10%
# listed.  For rbld: `rblctl import --replace` of the first file into an
# empty store (seconds, peak RSS from /usr/bin/time), the store's size and
# bytes per entry, queries/s and RSS under dnsperf with one UDP worker;
# then the second file replaces the first while dnsperf sends at half
# that rate (seconds until it answers, peak RSS, queries lost), and four
# more replacements back to back, after which the store's size is given
# against the data's.  For rbldnsd on the same file: its load time (its
# own "zones reloaded, time" line), RSS, and queries/s with the same load.
# Times are noisy on a shared machine: the load average is printed beside
# them.  Nothing is asserted.  The report goes to tests/out/bench-scale.txt.
#
# Environment: BENCH_SCALE (a third scale, "100M" or a number),
# BENCH_SECONDS (10), BENCH_CLIENTS (8), BENCH_OUTSTANDING (500).
set -u
cd "$(dirname "$0")/../.." || exit 2
RBL_TOP=$(pwd)
export RBL_TOP
BUILD=${BUILD:-build}
. tests/lib.sh

SECS=${BENCH_SECONDS:-10}
CLIENTS=${BENCH_CLIENTS:-8}
OUTSTANDING=${BENCH_OUTSTANDING:-500}
ZONE=bench.rbld.test
W=$RBL_TOP/tests/out/bench-scale
REPORT=$RBL_TOP/tests/out/bench-scale.txt

say() { echo "bench-scale: $*" >&2; }
die() { echo "bench-scale: $*" >&2; exit 1; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }
rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
size_mb() { du -k "$1" | awk '{ printf "%.1f", $1 / 1024 }'; }

scale_count() {	# 1M, 10M, 100M or a number -> hosts
	case $1 in
	*M) echo $(( ${1%M} * 1000000 )) ;;
	*k) echo $(( ${1%k} * 1000 )) ;;
	*) echo "$1" ;;
	esac
}

check_tools() {
	if ! command -v dnsperf >/dev/null || ! command -v rbldnsd >/dev/null; then
		tests/bench/deps.sh || die "tests/bench/deps.sh failed"
	fi
	[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian: time)"
	for p in rbld rblctl tests/tools/bench-gen; do
		[ -x "$B/$p" ] || die "$B/$p is missing: run make first"
	done
}

# Data for HOSTS entries in $D, reused when already there.
generate() {	# hosts
	nets=$(( $1 / 50 ))
	if [ "$(cat "$D/stamp" 2>/dev/null)" != "$1 $nets" ]; then
		say "generating $1 /32 + $nets /24 listings"
		"$B/tests/tools/bench-gen" -s 1 -H "$1" -N "$nets" -Q 1000000 \
			-L 10 -z $ZONE "$D/data.txt" "$D/queries.txt" &&
		"$B/tests/tools/bench-gen" -s 2 -H "$1" -N "$nets" -z $ZONE \
			"$D/data2.txt" || die "bench-gen failed"
		echo "$1 $nets" > "$D/stamp"
	fi
}

# Run rblctl import FILE --replace under /usr/bin/time: "seconds peak_kb".
timed_import() {	# file
	/usr/bin/time -f "%e %M" -o "$D/time" "$B/rblctl" -d "$D/db" import \
		$ZONE "$1" --replace >>"$D/rblctl.log" 2>&1 ||
		die "import $1 failed: $(tail -n 3 "$D/rblctl.log")"
	cat "$D/time"
}

# dnsperf against PORT: prints "qps lost"; RATE limits the rate.
perf() {	# port seconds [rate]
	set -- "$1" "$2" "${3:-}"
	if [ -n "$3" ]; then
		dnsperf -c "$CLIENTS" -q "$OUTSTANDING" -l "$2" -Q "$3" \
			-s 127.0.0.1 -p "$1" -d "$D/queries.txt" >"$D/perf.out" 2>&1
	else
		dnsperf -c "$CLIENTS" -q "$OUTSTANDING" -l "$2" \
			-s 127.0.0.1 -p "$1" -d "$D/queries.txt" >"$D/perf.out" 2>&1
	fi
	awk '/Queries lost:/ { l = $3 } /Queries per second:/ { q = $4 }
	     END { printf "%.0f %d\n", q, l }' "$D/perf.out"
}

wait_zone() {	# port name
	i=0
	while [ $i -lt 600 ]; do
		dig +time=1 +tries=1 -p "$1" @127.0.0.1 $ZONE SOA 2>/dev/null |
			grep -q 'status: NOERROR' && return 0
		sleep 0.1; i=$((i + 1))
	done
	die "$2 does not answer for $ZONE on port $1"
}

run_scale() {	# label
	label=$1
	hosts=$(scale_count "$label")
	D=$W/$label
	mkdir -p "$D"
	generate "$hosts"
	entries=$(( hosts + hosts / 50 + 4 ))	# + the RFC 5782 entries
	data_mb=$(size_mb "$D/data.txt")

	# ---- rbld: the first import into an empty store
	rm -rf "$D/db"
	: > "$D/rblctl.log"
	"$B/rblctl" -d "$D/db" zone create $ZONE >>"$D/rblctl.log" 2>&1 ||
		die "zone create failed"
	la0=$(loadavg)
	set -- $(timed_import "$D/data.txt")
	imp_s=$1 imp_rss=$(( $2 / 1024 ))
	store=$(stat -c %s "$D/db/data.mdb")
	bpe=$(echo "$store $entries" | awk '{ printf "%.1f", $1 / $2 }')

	# ---- the servers
	port=$(free_port)
	printf 'server:\n\tlisten: 127.0.0.1@%s\n\tdatabase: %s\n\tthreads: 1\n' \
		"$port" "$D/db" > "$D/rbld.conf"
	bg_start "$B/rbld" -c "$D/rbld.conf" >"$D/rbld.log" 2>&1
	rbld_pid=$BG_PID
	rdir=$(mktemp -d /tmp/rbld-scale.XXXXXX)
	cp "$D/data.txt" "$rdir/data.txt"
	chmod 755 "$rdir"; chmod 644 "$rdir/data.txt"
	rport=$(free_port)
	bg_start rbldnsd -n -u rbldns -b 127.0.0.1/"$rport" -w "$rdir" \
		$ZONE:ip4set:data.txt >"$D/rbldnsd.log" 2>&1
	rbldnsd_pid=$BG_PID
	wait_zone "$port" rbld
	wait_zone "$rport" rbldnsd
	rd_load=$(sed -n 's/.*zones reloaded, time \([0-9.]*\)e.*/\1/p' \
		"$D/rbldnsd.log" | head -n 1)
	rd_rss=$(rss_mb "$rbldnsd_pid")
	set -- $(perf "$port" "$SECS")
	qps=$1
	rss=$(rss_mb "$rbld_pid")
	set -- $(perf "$rport" "$SECS")
	rd_qps=$1
	la1=$(loadavg)

	# ---- replacing the list while rbld answers at half its rate
	rate=$(( qps / 2 ))
	perf "$port" $(( SECS + 10 )) "$rate" > "$D/steady" &
	perf_pid=$!
	sleep 3
	set -- $(timed_import "$D/data2.txt")
	rep_s=$1 rep_rss=$(( $2 / 1024 ))
	wait $perf_pid
	set -- $(cat "$D/steady")
	rep_lost=$2
	for f in data.txt data2.txt data.txt data2.txt; do
		timed_import "$D/$f" > /dev/null
	done
	ratio=$(echo "$(stat -c %s "$D/db/data.mdb") $store" |
		awk '{ printf "%.2f", $1 / $2 }')
	la2=$(loadavg)
	kill "$rbld_pid" "$rbldnsd_pid" 2>/dev/null
	wait "$rbld_pid" "$rbldnsd_pid" 2>/dev/null
	rm -rf "$rdir"

	printf '%-5s %9s %7s  %-7s  %8.1f %6s %6s %8s %8s %8s  %s\n' \
		"$label" "$entries" "$data_mb" rbld \
		"$(echo "$store" | awk '{ print $1 / 1048576 }')" "$bpe" \
		"$imp_s" "$imp_rss" "$rss" "$qps" "$la0 $la1" >> "$W/rows"
	printf '%-5s %9s %7s  %-7s  %8s %6s %6s %8s %8s %8s\n' \
		"$label" "$entries" "$data_mb" rbldnsd - - "$rd_load" "$rd_rss" \
		"$rd_rss" "$rd_qps" >> "$W/rows"
	printf '%-5s replacing under load (%s q/s): %s s to answer, peak RSS %s MB, %s queries lost;\n      after 5 back-to-back replacements the store is %sx its first size (load %s)\n' \
		"$label" "$rate" "$rep_s" "$rep_rss" "$rep_lost" "$ratio" "$la2" \
		>> "$W/notes"
}

check_tools
mkdir -p "$W"
: > "$W/rows"
: > "$W/notes"
trap 'cleanup_bg' EXIT
for s in 1M 10M ${BENCH_SCALE:-}; do
	say "scale $s"
	run_scale "$s"
done
{
	echo "rbld scale table, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -r)"
	echo "data: N random /32 + N/50 /24, one default A+TXT; queries 10% listed; dnsperf -c $CLIENTS -q $OUTSTANDING -l $SECS; rbld with one UDP worker"
	echo "store MB: data.mdb after the first import; load s: rbld's import --replace into an empty store, rbldnsd's own load time;"
	echo "peak MB: the import's peak RSS (rbldnsd: its RSS); RSS MB: after the dnsperf run"
	echo
	printf '%-5s %9s %7s  %-7s  %8s %6s %6s %8s %8s %8s  %s\n' scale \
		entries "file MB" server "store MB" "B/ent" "load s" "peak MB" \
		"RSS MB" "q/s" "load avg"
	cat "$W/rows"
	echo
	cat "$W/notes"
} | tee "$REPORT"
say "report written to $REPORT"
