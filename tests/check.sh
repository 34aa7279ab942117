#!/bin/bash
# check.sh -- run every test of rbld and print one summary line.
#
#   tests/check.sh --deps         install what the tests need (root), exit
#   tests/check.sh [--sanitizer] [PATTERN]
#
# Runs, with BUILD naming the build directory (default build):
#   - every unit test program $BUILD/tests/test_*;
#   - every scenario script tests/*/*.test (executable; exit 0 = pass,
#     77 = skipped with the reason on its last line of output, else fail).
# With --sanitizer, scripts containing the line "# sanitizer: skip" are not
# run (they measure, drive external peers only, or run no program of ours,
# like the checks on the sources: the normal pass ran them).  Each test's
# output goes to tests/out/$BUILD/<name>.log and is shown when it fails.
# A test still running after RBL_TEST_TIMEOUT seconds (default 900) is
# stopped and fails.
#
# Tests run RBL_CHECK_JOBS at a time (default: the number of CPUs plus
# one, because most scenario tests spend their time waiting on daemons and
# clients, not computing).  Every test already works in its own scratch
# directory on random ports or in its own network namespace, so they do
# not see each other.  Scripts containing a line "# check: long" (the
# ones that take 20 s or more) start first, so that no long test starts
# last and runs on alone at the end of the group (doc/testing.md).  A
# script containing the line "# check: alone" is about timing under load
# (rate limits, slow clients): it runs after the others, by itself.
set -u
cd "$(dirname "$0")/.." || exit 2
top=$(pwd)

if [ "${1:-}" = --deps ]; then
	status=0
	for d in tests/*/deps.sh; do
		[ -x "$d" ] || continue
		echo "check: deps: $d"
		"$d" || status=1
	done
	exit $status
fi

sanitizer=no
[ "${1:-}" = --sanitizer ] && { sanitizer=yes; shift; }
pattern=${1:-}

BUILD=${BUILD:-build}
export BUILD
export RBL_TOP="$top"
out="$top/tests/out/$BUILD"
# Two runs with one BUILD in one tree would wipe and share each other's
# results and logs and print wrong counts: the second one refuses.
mkdir -p "$top/tests/out"
exec 9>"$top/tests/out/.$BUILD.lock"
if command -v flock >/dev/null 2>&1 && ! flock -n 9; then
	echo "check: another tests/check.sh with BUILD=$BUILD runs in this tree" >&2
	exit 1
fi
rm -rf "$out"; mkdir -p "$out"
export RBL_TEST_OUT="$out"
# Under make -j (make check), a test's own make (build/install.test) would
# find make's jobserver named but not open, and warn.
unset MAKEFLAGS MFLAGS
if [ $sanitizer = yes ]; then
	export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
fi

limit=${RBL_TEST_TIMEOUT:-900}
jobs=${RBL_CHECK_JOBS:-$(( $(nproc 2>/dev/null || echo 1) + 1 ))}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
results="$out/.results"
: >"$results"

# Run one test; print its line when it ends and append "rc name" to the
# results file (one short write each, so parallel runs do not mix lines).
run_one() {	# name, command...
	name=$1; shift
	log="$out/$(echo "$name" | tr '/' '_').log"
	start=$(date +%s)
	timeout -k 10 "$limit" "$@" >"$log" 2>&1 </dev/null 9>&-
	rc=$?
	[ $rc = 124 ] && echo "check: timed out after ${limit}s" >>"$log"
	secs=$(( $(date +%s) - start ))
	if [ $rc = 0 ]; then
		line=$(printf 'PASS  %-40s %3ss' "$name" "$secs")
	elif [ $rc = 77 ]; then
		line=$(printf 'SKIP  %-40s %s' "$name" "$(tail -n 1 "$log")")
	else
		line=$(printf 'FAIL  %-40s %3ss (exit %s)\n%s' "$name" "$secs" \
			"$rc" "$(tail -n 40 "$log" | sed 's/^/      | /')")
	fi
	printf '%s\n' "$line"
	printf '%s %s\n' "$rc" "$name" >>"$results"
}

# The tests to run, "name command" per line, in two groups; the long
# ones of the first group go in front of it.
together=() alone=() long=()
add() {	# group name command
	case $2 in *"$pattern"*) ;; *) return ;; esac
	case $1 in
	alone) alone+=("$2|$3") ;;
	long) long+=("$2|$3") ;;
	*) together+=("$2|$3") ;;
	esac
}
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	add together "unit/${t##*/}" "$t"
done
for t in tests/*/*.test; do
	[ -x "$t" ] || continue
	if [ $sanitizer = yes ] && grep -q '^# sanitizer: skip' "$t"; then
		continue
	fi
	if grep -q '^# check: alone' "$t"; then
		add alone "${t#tests/}" "$t"
	elif grep -q '^# check: long' "$t"; then
		add long "${t#tests/}" "$t"
	else
		add together "${t#tests/}" "$t"
	fi
done
together=(${long[@]+"${long[@]}"} ${together[@]+"${together[@]}"})

running=0
for item in ${together[@]+"${together[@]}"}; do
	if [ $running -ge "$jobs" ]; then
		wait -n; running=$((running - 1))
	fi
	run_one "${item%%|*}" "${item#*|}" &
	running=$((running + 1))
done
wait
for item in ${alone[@]+"${alone[@]}"}; do
	run_one "${item%%|*}" "${item#*|}"
done

pass=$(awk '$1 == 0' "$results" | wc -l)
skip=$(awk '$1 == 77' "$results" | wc -l)
fail=$(awk '$1 != 0 && $1 != 77' "$results" | wc -l)
failed=$(awk '$1 != 0 && $1 != 77 { printf " %s", $2 }' "$results")
echo "check ($BUILD):${failed:+ failed:$failed}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
