#!/bin/sh
# batching.sh -- why a saturated run's CPU per query says more about the
# receive batches than about the server: the no-lookup responder and rbld
# (one UDP worker) at saturation and at fixed offered rates, with the
# packets each receive and send call moved.
#
#   BUILD=build tests/bench/batching.sh
#
# Not part of make bench (about a minute and a half).  Data and queries
# as bench.sh's (1M /32 + 20k /24, 10% of the queries listed), in a work
# directory of its own.  Both servers run under tests/bench/batchcount.c,
# an LD_PRELOAD library compiled here that counts receive and send calls
# and their packets (neither server is changed).  First each server alone
# at saturation (dnsperf -c 8 -q 500), then at fixed rates (dnsperf -Q) of
# BENCH_PCTS percent of the responder's saturated rate, the two servers
# alternating.  Per run: answered queries/s, lost, the server's CPU time
# per answered query (the sum of its threads' on-CPU nanoseconds from
# /proc/PID/task/*/schedstat), packets per receive call and per send call,
# voluntary context switches per query (a receive that found nothing
# queued and slept), and dnsperf's share of a CPU; then, per rate, rbld's
# CPU per query against the responder's (ratio and difference) beside
# the two batch sizes.  Report in tests/out/bench-batching.txt.
#
# Environment: BENCH_SECONDS (5 per run), BENCH_PCTS ("80 60 40 20"),
# BENCH_CLIENTS (8), BENCH_OUTSTANDING (500; at a fixed rate
# BENCH_RATE_OUTSTANDING, 100, as bench.sh).
set -u
cd "$(dirname "$0")/../.." || exit 2
BENCH_NAME=bench-batching BENCH_OUT=bench-batching
. tests/bench/common.sh

SECS=${BENCH_SECONDS:-5}
PCTS=${BENCH_PCTS:-80 60 40 20}
CLIENTS=${BENCH_CLIENTS:-8}
OUTSTANDING=${BENCH_OUTSTANDING:-500}
RATE_OUTSTANDING=${BENCH_RATE_OUTSTANDING:-100}

generate_data() {
	stamp="seed1 1000000 20000 exact"
	[ "$(cat "$W/data.stamp" 2>/dev/null)" = "$stamp" ] && return 0
	say "generating 1000000 /32 + 20000 /24 listings and queries"
	"$B/tests/tools/bench-gen" -s 1 -H 1000000 -N 20000 -Q 1000000 -L 10 \
		-z $ZONE "$W/data.txt" "$W/queries.txt" >&2 ||
		die "bench-gen failed"
	echo "$stamp" > "$W/data.stamp"
}

load_store() {
	rm -rf "$W/db"
	{ "$B/rblctl" -d "$W/db" zone create $ZONE &&
	  "$B/rblctl" -d "$W/db" import $ZONE "$W/data.txt" --replace; } \
		>"$W/rblctl.log" 2>&1 ||
		die "import failed: $(tail -n 3 "$W/rblctl.log")"
}

# Both servers with the counting library; PID_x, PORT_x, COUNTS_x.
start_servers() {
	so=$W/batchcount.so
	cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -shared -fPIC \
		-o "$so" tests/bench/batchcount.c || die "cannot build $so"
	PORT_noop=$(free_port) COUNTS_noop=$W/counts-noop
	bg_start env LD_PRELOAD="$so" BATCHCOUNT_FILE="$COUNTS_noop" \
		"$B/tests/tools/noop-responder" -T 1 -l 127.0.0.1@"$PORT_noop" \
		>"$W/noop.log" 2>&1
	PID_noop=$BG_PID
	PORT_rbld=$(free_port) COUNTS_rbld=$W/counts-rbld
	printf 'server:\n\tlisten: 127.0.0.1@%s\n\tdatabase: %s\n\tthreads: 1\n' \
		"$PORT_rbld" "$W/db" > "$W/rbld.conf"
	bg_start env LD_PRELOAD="$so" BATCHCOUNT_FILE="$COUNTS_rbld" \
		"$B/rbld" -c "$W/rbld.conf" >"$W/rbld.log" 2>&1
	PID_rbld=$BG_PID
	wait_udp "$PORT_noop"
	bench_wait_zone "$PORT_rbld" rbld $ZONE
}

# "receive-calls packets send-calls packets voluntary-switches cpu-ns"
sample() {	# server
	eval "pid=\$PID_$1 counts=\$COUNTS_$1"
	echo "$(od -v -An -t u8 "$counts" | tr '\n' ' ')" \
		"$(sleeps "$pid") $(cpu_ns "$pid")"
}

# One dnsperf run against SERVER, at RATE q/s or saturated (RATE "-");
# appends a row to $W/rows and prints the answered q/s.
run() {	# server rate
	eval "port=\$PORT_$1"
	out=$W/dnsperf-$1-$2.txt
	rate_opt= outstanding=$OUTSTANDING
	[ "$2" != - ] && rate_opt="-Q $2" outstanding=$RATE_OUTSTANDING
	s0=$(sample "$1")
	# shellcheck disable=SC2086 # rate_opt: empty or two words
	/usr/bin/time -f "%e %U %S" -o "$W/time" dnsperf -c "$CLIENTS" \
		-q "$outstanding" -l "$SECS" $rate_opt -s 127.0.0.1 -p "$port" \
		-d "$W/queries.txt" >"$out" 2>&1
	s1=$(sample "$1")
	# shellcheck disable=SC2046 # numbers, split on purpose
	set -- "$1" "$2" $(dnsperf_summary "$out") $s0 $s1 $(cat "$W/time")
	# 3 sent 4 completed 5 lost 6 qps; 7-12 before, 13-18 after; 19-21 time
	echo "$@" | awk '{ q = $4 ? $4 : 1
		printf "%-5s %7s %8.0f %6d %7.2f %7.2f %7.2f %7.3f %5.0f%%\n",
			$1, $2 == "-" ? "sat" : $2, $6, $5,
			($18 - $12) / 1000 / q,
			$14 - $8 ? ($14 - $8) / ($13 - $7) : 0,
			$16 - $10 ? ($16 - $10) / ($15 - $9) : 0,
			($17 - $11) / q,
			$19 ? ($20 + $21) * 100 / $19 : 0 }' >> "$W/rows"
	say "$(tail -n 1 "$W/rows")"
	echo "$6"
}

bench_tools -d rbld rblctl tests/tools/bench-gen tests/tools/noop-responder
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian: time)"
command -v cc >/dev/null || die "cc is missing"
mkdir -p "$W"
: > "$W/rows"
generate_data
load_store
start_servers
la0=$(loadavg)
noop_qps=$(run noop -)
run rbld - >/dev/null
for pct in $PCTS; do
	rate=$(( noop_qps * pct / 100 ))
	run noop "$rate" >/dev/null
	run rbld "$rate" >/dev/null
done
la1=$(loadavg)
{
	echo "rbld batching, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -r), load average $la0 -> $la1"
	echo "dnsperf -c $CLIENTS -q $OUTSTANDING -l $SECS (at a rate -q $RATE_OUTSTANDING); rate: offered q/s (sat: as fast as it goes); both servers one thread"
	echo
	printf '%-5s %7s %8s %6s %7s %7s %7s %7s %6s\n' server rate q/s lost \
		"us/q" "pk/recv" "pk/send" "vcs/q" client
	cat "$W/rows"
	echo
	echo "us/q: server CPU (all threads, schedstat) per answered query; pk/recv, pk/send:"
	echo "packets per receive and send call; vcs/q: voluntary context switches per query"
	echo "(the server slept in recvmmsg); client: dnsperf's CPU time over its wall time"
	echo
	echo "rbld against noop at each rate (sat: each at its own rate):"
	awk '{ us[$1, $2] = $5; pk[$1, $2] = $6
	       if ($1 == "noop") order[++n] = $2 }
	     END {
		for (i = 1; i <= n; i++) {
			r = order[i]
			if (!(("rbld", r) in us) || us["noop", r] <= 0) continue
			printf "  %7s: CPU per query %.2fx (%+.2f us), packets per receive %.2f vs %.2f\n",
				r, us["rbld", r] / us["noop", r],
				us["rbld", r] - us["noop", r], pk["rbld", r], pk["noop", r]
		}
	     }' "$W/rows"
} | tee "$REPORT"
say "report written to $REPORT"
