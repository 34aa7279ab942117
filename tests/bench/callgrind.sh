#!/bin/sh
# callgrind.sh -- instructions per answered query, to compare builds.
#
#   tests/bench/callgrind.sh BUILDDIR...     e.g. build build-zero
#
# A wall-clock benchmark on this shared 2-CPU machine moves 10-20% from
# round to round; an instruction count does not.  For each build directory
# (which must hold rbld, rblctl and tests/tools/bench-gen) this runs rbld
# under valgrind --tool=callgrind twice on the same store: once answering
# nothing, once answering QUERIES queries sent one at a time by dig (so
# every receive batch holds one query, the same in every run), and prints
# (Ir with queries - Ir without) / QUERIES, counting only inside the
# engine (rbl_engine_begin, _answer_from, _end: parse, policy, lookup,
# answer, per-batch snapshot), user space only: what one query costs in
# rbld, timers and start-up left out, so the figure repeats to the
# instruction.  Then it counts one `rblctl import --replace` of the data
# file into a fresh store (Ir per entry, the whole process).  The data is
# bench-gen's seed-1 file scaled down (HOSTS /32 and NETS /24 listings),
# the queries are 10% listed, 90% random, as in make bench.
#
# CG_KEYED=1 adds a row per build for access keys (issue 15): an access
# key added to the store, the zone under "keys: accept", the same queries
# with the key in every name (ADDR.KEY.zone, as make bench's rbld-key),
# and beside it the same store with no zone taking keys, the keyless
# figure to compare with.
#
# Environment: CG_HOSTS (20000), CG_NETS (1000), CG_QUERIES (5000),
# CG_KEYED (0).  Takes about a minute per build (two with CG_KEYED=1).  Used for doc/performance.md
# ("Zero-initialised locals").
set -u
cd "$(dirname "$0")/../.." || exit 2
RBL_TOP=$(pwd)
export RBL_TOP
. tests/lib.sh

HOSTS=${CG_HOSTS:-20000}
NETS=${CG_NETS:-1000}
QUERIES=${CG_QUERIES:-5000}
ZONE=bench.rbld.test
W=$RBL_TOP/tests/out/callgrind

[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR..." >&2; exit 2; }
command -v valgrind >/dev/null || { echo "callgrind: valgrind is not installed" >&2; exit 1; }
command -v dig >/dev/null || { echo "callgrind: dig is not installed" >&2; exit 1; }

# Ir of one rbld run under callgrind: start it, wait until it answers,
# send the query file (or nothing), stop it.
run_rbld() {	# builddir queryfile|- outfile [db [keys]]
	port=$(free_port)
	printf 'server:\n\tlisten: 127.0.0.1@%s\n\tdatabase: %s\n\tthreads: 1\n' \
		"$port" "${4:-$W/db}" >"$W/rbld.conf"
	[ "${5:-}" = keys ] &&
		printf 'zone: %s\n\tkeys: accept\n' $ZONE >>"$W/rbld.conf"
	valgrind --tool=callgrind --callgrind-out-file="$3" \
		--toggle-collect=rbl_engine_begin \
		--toggle-collect=rbl_engine_answer_from \
		--toggle-collect=rbl_engine_end \
		"$1/rbld" -c "$W/rbld.conf" >"$3.log" 2>&1 &
	pid=$!
	i=0
	until dig +time=2 +tries=1 -p "$port" @127.0.0.1 $ZONE SOA 2>/dev/null |
		grep -q 'status: NOERROR'; do
		i=$((i + 1))
		[ $i -lt 120 ] || { kill "$pid"; echo "callgrind: rbld does not answer (see $3.log)" >&2; exit 1; }
		sleep 0.5
	done
	if [ "$2" != - ]; then
		dig +time=5 +tries=1 -p "$port" @127.0.0.1 -f "$2" >"$3.dig" 2>&1
		got=$(grep -c 'status: ' "$3.dig")
		[ "$got" = "$QUERIES" ] ||
			{ kill "$pid"; echo "callgrind: $got answers of $QUERIES" >&2; exit 1; }
	fi
	kill -TERM "$pid"; wait "$pid"
	awk '/^summary:|^totals:/ { print $2; exit }' "$3"
}

mkdir -p "$W"
for b in "$@"; do
	for p in rbld rblctl tests/tools/bench-gen; do
		[ -x "$b/$p" ] || { echo "callgrind: $b/$p is missing" >&2; exit 1; }
	done
done
# The data and the store come from the first build; every build reads the
# same store.
first=$1
"$first/tests/tools/bench-gen" -s 1 -H "$HOSTS" -N "$NETS" -Q "$QUERIES" \
	-L 10 -z $ZONE "$W/data.txt" "$W/queries.txt" || exit 1
rm -rf "$W/db"
"$first/rblctl" -q -d "$W/db" zone create $ZONE >/dev/null &&
	"$first/rblctl" -q -d "$W/db" import $ZONE "$W/data.txt" --replace >/dev/null ||
	{ echo "callgrind: cannot build the store" >&2; exit 1; }
KEYED=${CG_KEYED:-0}
if [ "$KEYED" = 1 ]; then
	rm -rf "$W/db-key"
	cp -a "$W/db" "$W/db-key" &&
		"$first/rblctl" -d "$W/db-key" key add callgrind >"$W/key" ||
		{ echo "callgrind: cannot add the key" >&2; exit 1; }
	sed "s/\.$ZONE /.$(cat "$W/key").$ZONE /" "$W/queries.txt" \
		>"$W/queries-key.txt"
fi

# Ir of one replacing import of the data file into a fresh store.
run_import() {	# builddir outfile
	rm -rf "$W/db-imp"
	"$1/rblctl" -q -d "$W/db-imp" zone create $ZONE >/dev/null || exit 1
	valgrind --tool=callgrind --callgrind-out-file="$2" "$1/rblctl" -q \
		-d "$W/db-imp" import $ZONE "$W/data.txt" --replace \
		>"$2.log" 2>&1 || { echo "callgrind: import failed (see $2.log)" >&2; exit 1; }
	awk '/^summary:|^totals:/ { print $2; exit }' "$2"
}

entries=$(grep -c '^[0-9]' "$W/data.txt")
printf '%-28s %12s %14s %9s %14s %9s\n' build "Ir idle" "Ir queries" \
	"Ir/query" "Ir import" "Ir/entry"
for b in "$@"; do
	tag=$(echo "$b" | tr '/' '_')
	idle=$(run_rbld "$b" - "$W/$tag.idle.out") || exit 1
	busy=$(run_rbld "$b" "$W/queries.txt" "$W/$tag.busy.out") || exit 1
	imp=$(run_import "$b" "$W/$tag.import.out") || exit 1
	printf '%-28s %12s %14s %9s %14s %9s\n' "$b" "$idle" "$busy" \
		"$(echo "$idle $busy $QUERIES" | awk '{ printf "%.0f", ($2 - $1) / $3 }')" \
		"$imp" "$(echo "$imp $entries" | awk '{ printf "%.0f", $1 / $2 }')"
	[ "$KEYED" = 1 ] || continue
	for mode in keyless keyed; do
		qf=$W/queries.txt ks=
		[ $mode = keyed ] && qf=$W/queries-key.txt ks=keys
		idle=$(run_rbld "$b" - "$W/$tag.$mode.idle.out" "$W/db-key" \
			$ks) || exit 1
		busy=$(run_rbld "$b" "$qf" "$W/$tag.$mode.busy.out" \
			"$W/db-key" $ks) || exit 1
		printf '%-28s %12s %14s %9s\n' "$b ($mode)" "$idle" "$busy" \
			"$(echo "$idle $busy $QUERIES" | awk '{ printf "%.0f", ($2 - $1) / $3 }')"
	done
done
