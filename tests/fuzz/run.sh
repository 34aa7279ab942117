#!/bin/sh
# run.sh -- run every libFuzzer target in build-fuzz/fuzz for SECONDS each.
#
#   tests/fuzz/run.sh SECONDS [NAME]
#
# Each target starts from its seed corpus tests/fuzz/corpus/<name> (the
# part after "fuzz_") and keeps what it finds in a scratch corpus under
# tests/out/fuzz, so seeds in git stay small and reviewed.  Prints one line
# per target with executions and the result; a crash fails (exit 1) and
# leaves the reproducer in tests/out/fuzz/<name>/.
set -u
cd "$(dirname "$0")/../.." || exit 2
secs=${1:-30}
only=${2:-}
status=0
export TMPDIR="${TMPDIR:-/tmp}"
for f in build-fuzz/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=${f##*/fuzz_}
	[ -n "$only" ] && [ "$only" != "$name" ] && continue
	seeds=tests/fuzz/corpus/$name
	work=tests/out/fuzz/$name
	mkdir -p "$work/corpus" "$seeds"
	log=$work/log
	"$f" -max_total_time="$secs" -max_len=65535 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$work/" -print_final_stats=1 \
		"$work/corpus" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $rc = 0 ]; then
		printf 'fuzz %-14s %6ss %12s runs  ok\n' "$name" "$secs" "${execs:-?}"
	else
		printf 'fuzz %-14s %6ss %12s runs  FAILED (exit %s)\n' "$name" "$secs" \
			"${execs:-?}" "$rc"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 20
		status=1
	fi
done
exit $status
