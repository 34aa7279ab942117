#!/bin/sh
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
# run (they measure or drive external peers only).  Each test's output goes
# to tests/out/$BUILD/<name>.log and is shown when it fails.  A test still
# running after RBL_TEST_TIMEOUT seconds (default 900) is stopped and fails.
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
rm -rf "$out"; mkdir -p "$out"
export RBL_TEST_OUT="$out"
if [ $sanitizer = yes ]; then
	export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
fi

limit=${RBL_TEST_TIMEOUT:-900}
pass=0 fail=0 skip=0 failed=""
run_one() {	# name, command...
	name=$1; shift
	case $name in *"$pattern"*) ;; *) return ;; esac
	log="$out/$(echo "$name" | tr '/' '_').log"
	start=$(date +%s)
	timeout -k 10 "$limit" "$@" >"$log" 2>&1 </dev/null
	rc=$?
	[ $rc = 124 ] && echo "check: timed out after ${limit}s" >>"$log"
	secs=$(( $(date +%s) - start ))
	if [ $rc = 0 ]; then
		pass=$((pass + 1)); printf 'PASS  %-40s %3ss\n' "$name" "$secs"
	elif [ $rc = 77 ]; then
		skip=$((skip + 1))
		printf 'SKIP  %-40s %s\n' "$name" "$(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed="$failed $name"
		printf 'FAIL  %-40s %3ss (exit %s)\n' "$name" "$secs" "$rc"
		tail -n 40 "$log" | sed 's/^/      | /'
	fi
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "unit/${t##*/}" "$t"
done
for t in tests/*/*.test; do
	[ -x "$t" ] || continue
	if [ $sanitizer = yes ] && grep -q '^# sanitizer: skip' "$t"; then
		continue
	fi
	run_one "${t#tests/}" "$t"
done

echo "check ($BUILD):${failed:+ failed:$failed}"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
