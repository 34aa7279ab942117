#!/bin/sh
# bench.sh -- make bench: rbld against rbldnsd and a no-lookup responder.
#
#   BUILD=build tests/bench/bench.sh
#
# Data: 1M random IPv4 /32 and 20k /24 listings with one default A+TXT, as
# an rbldnsd ip4set file (tests/tools/bench-gen), loaded into rbldnsd and
# imported into rbld's store with rblctl.  Queries: 10% listed, 90% random
# addresses that are not listed.
#
# Servers: the no-lookup responder (tests/tools/noop-responder, the
# machine's ceiling), rbldnsd, rbld with one UDP worker, and rbld with its
# default of one worker per CPU ("rbld-mt").  rbldnsd answers from one
# thread and the client needs a CPU of its own on this 2-CPU machine, so
# the ratios compare the one-worker configurations (noop too runs one
# thread); rbld-mt shows what the default does when the client shares the
# CPUs with it.
#
# dnsperf runs against the servers in turn, ROUNDS times each, all in one
# run so they see the same machine.  Per server it prints queries/s,
# server CPU microseconds per answered query (utime+stime from
# /proc/PID/stat over the run, divided by the answered queries), RSS, the
# size of the data on disk, dnsperf's own CPU use, and the ratios
# rbld/rbldnsd (queries/s).  Then one round with tests/tools/udp-blast, a
# client that sends and receives in batches (dnsperf saturates its CPU
# first).
#
# CPU per query is compared at one fixed offered rate (dnsperf -Q), not
# at saturation: saturated, each server runs at its own rate, and the
# kernel's share of a query (about 90% here) depends on how many packets
# one recvmmsg finds; the saturated ratio moved from 1.08 to 1.48 between
# runs of the same code (doc/performance.md, "CPU per query at one
# offered rate").  The rate is BENCH_RATE_PCT percent of the no-lookup
# responder's median saturated q/s, at most 80% of rbld's, so that both
# keep up; rbldnsd joins only when the rate is at most 80% of its own (a
# rate low enough for rbldnsd leaves the servers idle between packets,
# where a query's CPU is mostly the wake-ups).  The servers take turns,
# in reversed order every other round, and the ratio printed is the
# median of the per-round ratios with their range.  Then it replaces
# rbld's 1M entries with another 1M-entry import while dnsperf sends at a
# steady rate, and reports the queries lost next to a run at the same
# rate without an import.  Nothing here asserts a figure: the machine is
# shared.  The report also goes to tests/out/bench.txt.
#
# Access keys: "rbld-key" is rbld with one worker whose zone accepts keys
# (rbld.conf keys: accept), asked the same queries with a key in every
# name (ADDR.KEY.zone, dnsperf only): its q/s beside rbld's is the cost of
# keys (goal: within 5%).  BENCH_KEYED=0 leaves it out.
#
# Environment: BENCH_ROUNDS (3), BENCH_SECONDS (10), BENCH_HOSTS (1000000),
# BENCH_NETS (20000), BENCH_CLIENTS (8), BENCH_OUTSTANDING (500),
# BENCH_KEYED (1); for the fixed rate BENCH_RATE_ROUNDS (4),
# BENCH_RATE_SECONDS (4), BENCH_RATE_PCT (60), BENCH_RATE_OUTSTANDING (100).
set -u
cd "$(dirname "$0")/../.." || exit 2
BENCH_NAME=bench BENCH_OUT=bench
. tests/bench/common.sh

ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
HOSTS=${BENCH_HOSTS:-1000000}
NETS=${BENCH_NETS:-20000}
CLIENTS=${BENCH_CLIENTS:-8}
OUTSTANDING=${BENCH_OUTSTANDING:-500}
KEYED=${BENCH_KEYED:-1}
RATE_ROUNDS=${BENCH_RATE_ROUNDS:-4}
RATE_SECONDS=${BENCH_RATE_SECONDS:-4}
RATE_PCT=${BENCH_RATE_PCT:-60}
# (few outstanding: dnsperf's first burst of 500 overflows rbldnsd's
# socket buffer, and each lost query holds a slot for dnsperf's 5 s)
RATE_OUTSTANDING=${BENCH_RATE_OUTSTANDING:-100}
CLK_TCK=$(getconf CLK_TCK)

# ------------------------------------------------------------------ data

# bench-gen is deterministic: files are reused when the parameters match.
generate_data() {
	mkdir -p "$W"
	stamp="seed1 $HOSTS $NETS / seed2 / exact"	# exact: bench-gen's -L
	if [ "$(cat "$W/data.stamp" 2>/dev/null)" != "$stamp" ]; then
		say "generating $HOSTS /32 + $NETS /24 listings and queries"
		"$B/tests/tools/bench-gen" -s 1 -H "$HOSTS" -N "$NETS" \
			-Q 1000000 -L 10 -z $ZONE "$W/data.txt" "$W/queries.txt" >&2 &&
		"$B/tests/tools/bench-gen" -s 2 -H "$HOSTS" -N "$NETS" \
			-z $ZONE "$W/data2.txt" || die "bench-gen failed"
		echo "$stamp" > "$W/data.stamp"
	fi
}

# Prints the seconds the import took.
rbld_import() {	# file
	t0=$(date +%s.%N)
	"$B/rblctl" -d "$W/db" import $ZONE "$1" --replace >>"$W/rblctl.log" 2>&1 ||
		die "rblctl import $1 failed: $(tail -n 3 "$W/rblctl.log")"
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }'
}

load_rbld() {
	rm -rf "$W/db"
	: > "$W/rblctl.log"
	"$B/rblctl" -d "$W/db" zone create $ZONE >>"$W/rblctl.log" 2>&1 ||
		die "rblctl zone create failed: $(tail -n 3 "$W/rblctl.log")"
	say "importing $W/data.txt into rbld's store"
	IMPORT_SECS=$(rbld_import "$W/data.txt") || exit 1
	DB_KB=$(du -sk "$W/db" | awk '{ print $1 }')
	[ "$KEYED" = 1 ] || return 0
	"$B/rblctl" -d "$W/db" key add bench >"$W/key" 2>>"$W/rblctl.log" ||
		die "rblctl key add failed: $(tail -n 3 "$W/rblctl.log")"
	key=$(cat "$W/key")
	sed "s/\.$ZONE /.$key.$ZONE /" "$W/queries.txt" >"$W/queries-key.txt"
}

# ---------------------------------------------------------------- servers

server_rbld() {	# name more-server-lines; sets BG_PID and PORT
	bench_rbld "$W/$1.conf" "$W/db" "$2" >"$W/$1.log" 2>&1
}

start_servers() {
	PORT_NOOP=$(free_port)
	bg_start "$B/tests/tools/noop-responder" -T 1 -l 127.0.0.1@"$PORT_NOOP" \
		>"$W/noop.log" 2>&1
	PID_NOOP=$BG_PID

	bench_rbldnsd "$W/data.txt" $ZONE "$W/rbldnsd.log"
	PID_RBLDNSD=$BG_PID PORT_RBLDNSD=$PORT

	server_rbld rbld "	threads: 1"
	PID_RBLD=$BG_PID PORT_RBLD=$PORT
	server_rbld rbld-mt ""
	PID_RBLD_MT=$BG_PID PORT_RBLD_MT=$PORT
	if [ "$KEYED" = 1 ]; then
		server_rbld rbld-key "	threads: 1
zone: $ZONE
	keys: accept"
		PID_RBLD_KEY=$BG_PID PORT_RBLD_KEY=$PORT
	fi

	wait_udp "$PORT_NOOP"
	bench_wait_zone "$PORT_RBLDNSD" rbldnsd $ZONE
	bench_wait_zone "$PORT_RBLD" rbld $ZONE
	bench_wait_zone "$PORT_RBLD_MT" rbld-mt $ZONE
	[ "$KEYED" = 1 ] && bench_wait_zone "$PORT_RBLD_KEY" rbld-key $ZONE
}

# ------------------------------------------------------------- measuring

# CPU seconds (user + system) used so far by this shell's finished
# children, from the second line of `times`.  `times` must run in this
# shell, not in a $(...) subshell, which has children of its own.
children_cpu() {
	awk 'NR == 2 { split($1, u, "m"); split($2, s, "m")
		printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$W/times"
}

# One run of CLIENT (dnsperf or udp-blast, same summary format) against
# NAME with the queries of $QFILE (default queries.txt); appends
# "name round qps us_per_q lost rss_kb client_cpu_percent"
# to $W/RESULTS.  The client's share of one CPU tells whether the client,
# not the server, set the pace: dnsperf sends from one thread, and near
# 100% it cannot send faster.
measure() {	# client results name pid port round
	client_cmd=$1 results=$2; shift 2
	out="$W/$client_cmd-$1-$4.txt"
	qf="$W/${QFILE:-queries.txt}"
	c0=$(cpu_ticks "$2")
	times > "$W/times"; k0=$(children_cpu)
	t0=$(date +%s.%N)
	if [ "$client_cmd" = dnsperf ]; then
		dnsperf -c "$CLIENTS" -q "$OUTSTANDING" -l "$SECONDS_PER_RUN" \
			-s 127.0.0.1 -p "$3" -d "$qf" >"$out" 2>&1
	else
		"$B/tests/tools/udp-blast" -c "$CLIENTS" -q "$OUTSTANDING" \
			-l "$SECONDS_PER_RUN" -s 127.0.0.1 -p "$3" \
			-d "$qf" >"$out" 2>&1
	fi
	t1=$(date +%s.%N)
	times > "$W/times"; k1=$(children_cpu)
	c1=$(cpu_ticks "$2")
	client=$(echo "$k0 $k1 $t0 $t1" |
		awk '{ printf "%.0f", ($2 - $1) * 100 / ($4 - $3) }')
	# shellcheck disable=SC2046 # four numbers, split on purpose
	set -- "$1" "$2" "$3" "$4" $(dnsperf_summary "$out")
	# $5 sent, $6 completed, $7 lost, $8 qps
	us=$(echo "$c0 $c1 $6 $CLK_TCK" |
		awk '{ printf "%.2f", $3 ? ($2 - $1) * 1e6 / $4 / $3 : 0 }')
	echo "$1 $4 $8 $us $7 $(rss_kb "$2") $client" >> "$W/$results"
	say "$client_cmd round $4 $1: $8 q/s, $us us CPU/query, $7 lost, client at $client% of a CPU"
}

each_server() {	# client results round
	measure "$1" "$2" noop "$PID_NOOP" "$PORT_NOOP" "$3"
	measure "$1" "$2" rbldnsd "$PID_RBLDNSD" "$PORT_RBLDNSD" "$3"
	measure "$1" "$2" rbld "$PID_RBLD" "$PORT_RBLD" "$3"
	measure "$1" "$2" rbld-mt "$PID_RBLD_MT" "$PORT_RBLD_MT" "$3"
	if [ "$KEYED" = 1 ] && [ "$1" = dnsperf ]; then
		QFILE=queries-key.txt
		measure "$1" "$2" rbld-key "$PID_RBLD_KEY" "$PORT_RBLD_KEY" "$3"
		QFILE=queries.txt
	fi
}

run_rounds() {
	: > "$W/results"
	: > "$W/results-blast"
	r=1
	while [ $r -le "$ROUNDS" ]; do
		each_server dnsperf results $r
		r=$((r + 1))
	done
	each_server udp-blast results-blast 1
}

# ------------------------------------------------- CPU at a fixed rate

# The offered rate for the CPU comparison, from the saturated medians.
fixed_rate() {
	awk -v pick="$RATE_PCT" -f tests/bench/stats.awk -f tests/bench/rate.awk \
		"$W/results"
}

# One run of dnsperf at RATE against NAME: appends
# "name round qps us_per_q lost sleeps_per_q" to $W/results-rate.  CPU
# from schedstat (nanoseconds): at a few seconds per run, /proc/PID/stat's
# 10 ms ticks would be a percent of the figure.
measure_rate() {	# name pid port round rate
	out="$W/dnsperf-rate-$1-$4.txt"
	c0=$(cpu_ns "$2") v0=$(sleeps "$2")
	dnsperf -c "$CLIENTS" -q "$RATE_OUTSTANDING" -l "$RATE_SECONDS" -Q "$5" \
		-s 127.0.0.1 -p "$3" -d "$W/queries.txt" >"$out" 2>&1
	c1=$(cpu_ns "$2") v1=$(sleeps "$2")
	# shellcheck disable=SC2046 # four numbers, split on purpose
	set -- "$1" "$2" "$3" "$4" $(dnsperf_summary "$out")
	# $5 sent, $6 completed, $7 lost, $8 qps
	echo "$1 $4 $8 $c0 $c1 $v0 $v1 $7 $6" | awk '{ q = $9 ? $9 : 1
		printf "%s %s %s %.3f %d %.4f\n", $1, $2, $3,
			($5 - $4) / 1000 / q, $8, ($7 - $6) / q }' >> "$W/results-rate"
	say "rate round $4 $1: $8 q/s, $(tail -n 1 "$W/results-rate" |
		cut -d' ' -f4) us CPU/query, $7 lost"
}

# Whether rbldnsd keeps up with RATE: its median saturated q/s * 0.8.
rbldnsd_keeps_up() {	# rate
	awk '$1 == "rbldnsd" { print $3 }' "$W/results" | sort -n |
		awk -v rate="$1" '{ v[++n] = $1 }
			END { m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			      exit !(n && m * 0.8 >= rate) }'
}

# noop, rbld (and rbldnsd if it keeps up) at the same rate; every other
# round the other way round, so that a drift of the machine does not
# favour one of them.
rate_rounds() {
	: > "$W/results-rate"
	RATE=$(fixed_rate)
	RATE_SERVERS="noop rbld"
	rbldnsd_keeps_up "$RATE" && RATE_SERVERS="noop rbld rbldnsd"
	say "CPU per query at a fixed $RATE q/s, $RATE_ROUNDS rounds: $RATE_SERVERS"
	r=1
	while [ $r -le "$RATE_ROUNDS" ]; do
		# shellcheck disable=SC2046,SC2086 # the names, split on purpose
		if [ $((r % 2)) = 1 ]; then
			set -- $RATE_SERVERS
		else
			set -- $(echo "$RATE_SERVERS" | awk '{ for (i = NF; i; i--) print $i }')
		fi
		for name; do
			case $name in
			noop) measure_rate noop "$PID_NOOP" "$PORT_NOOP" $r "$RATE" ;;
			rbld) measure_rate rbld "$PID_RBLD" "$PORT_RBLD" $r "$RATE" ;;
			rbldnsd) measure_rate rbldnsd "$PID_RBLDNSD" \
				"$PORT_RBLDNSD" $r "$RATE" ;;
			esac
		done
		r=$((r + 1))
	done
}

# A run at a fixed rate (half what rbld did) so that saturation drops do
# not hide or fake the effect of the import: once without, once with.
import_under_load() {
	rate=$(awk '$1 == "rbld" { s += $3; n++ }
		END { printf "%d", n ? s / n / 2 : 10000 }' "$W/results")
	secs=$(echo "$IMPORT_SECS" | awk '{ s = int($1 * 2) + 6; print (s > 120 ? 120 : s) }')
	say "steady $rate q/s for ${secs}s without an import"
	dnsperf -c "$CLIENTS" -q "$OUTSTANDING" -l "$secs" -Q "$rate" \
		-s 127.0.0.1 -p "$PORT_RBLD" -d "$W/queries.txt" >"$W/dnsperf-steady.txt" 2>&1
	say "steady $rate q/s for ${secs}s while rblctl imports $W/data2.txt"
	dnsperf -c "$CLIENTS" -q "$OUTSTANDING" -l "$secs" -Q "$rate" \
		-s 127.0.0.1 -p "$PORT_RBLD" -d "$W/queries.txt" >"$W/dnsperf-import.txt" 2>&1 &
	perf_pid=$!
	sleep 2
	IMPORT2_SECS=$(rbld_import "$W/data2.txt") || exit 1
	wait $perf_pid
	STEADY=$(dnsperf_summary "$W/dnsperf-steady.txt")
	UNDER_IMPORT=$(dnsperf_summary "$W/dnsperf-import.txt")
	STEADY_RATE=$rate
	check_new_data_visible
}

# The second file's first host must answer now: no reload, no restart.
check_new_data_visible() {
	a=$(awk '!/[:$#\/]/ && NF { print; exit }' "$W/data2.txt")
	q=$(echo "$a" | awk -F. '{ print $4 "." $3 "." $2 "." $1 }').$ZONE
	VISIBLE=$(dig +short +time=2 +tries=1 -p "$PORT_RBLD" @127.0.0.1 "$q" A)
	VISIBLE_Q="$q -> ${VISIBLE:-nothing}"
}

# ---------------------------------------------------------------- report

report() {
	db_after_kb=$(du -sk "$W/db" | awk '{ print $1 }')
	data_kb=$(du -k "$W/data.txt" | awk '{ print $1 }')
	rss_after=$(rss_kb "$PID_RBLD")
	{
	echo "rbld benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -r)"
	echo "data: $HOSTS /32 + $NETS /24 (ip4set $data_kb kB); queries 10% listed, 90% random unlisted"
	echo "dnsperf -c $CLIENTS -q $OUTSTANDING -l $SECONDS_PER_RUN, $ROUNDS rounds, servers alternating"
	echo
	awk -v db_kb="$DB_KB" -v data_kb="$data_kb" -f tests/bench/stats.awk \
		-f tests/bench/table.awk "$W/results"
	echo
	echo "the same servers, one round with tests/tools/udp-blast (batched sends and"
	echo "receives, -c $CLIENTS -q $OUTSTANDING -l $SECONDS_PER_RUN):"
	awk -v db_kb="$DB_KB" -v data_kb="$data_kb" -v brief=1 \
		-f tests/bench/stats.awk -f tests/bench/table.awk "$W/results-blast"
	echo
	echo "CPU per query at a fixed offered rate: dnsperf -c $CLIENTS -q $RATE_OUTSTANDING" \
		"-Q $RATE -l $RATE_SECONDS ($RATE_PCT% of noop's"
	echo "saturated rate, at most 80% of rbld's), $RATE_ROUNDS rounds, servers alternating:"
	awk -f tests/bench/stats.awk -f tests/bench/rate.awk "$W/results-rate"
	case $RATE_SERVERS in
	*rbldnsd*) ;;
	*) echo "(rbldnsd left out: its saturated rate is below $RATE / 0.8)" ;;
	esac
	echo
	echo "import into rbld's store: $IMPORT_SECS s for the first file"
	echo "import under load: steady $STEADY_RATE q/s, $IMPORT2_SECS s to replace 1M entries"
	echo "$STEADY" | awk '{ printf "  without import: sent %d, answered %d, lost %d\n", $1, $2, $3 }'
	echo "$UNDER_IMPORT" | awk '{ printf "  during import:  sent %d, answered %d, lost %d\n", $1, $2, $3 }'
	echo "  after import: $VISIBLE_Q; rbld RSS $((rss_after / 1024)) MB;" \
		"store $((db_after_kb / 1024)) MB on disk"
	} | tee "$REPORT"
	say "report written to $REPORT"
}

bench_tools -d -r rbld rblctl tests/tools/bench-gen \
	tests/tools/noop-responder tests/tools/udp-blast
generate_data
load_rbld
start_servers
run_rounds
rate_rounds
import_under_load
report
