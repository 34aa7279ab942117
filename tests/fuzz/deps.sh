#!/bin/sh
# deps.sh -- what make check's fuzz build needs: clang with libFuzzer.
# Debian's clang only recommends the runtime (libclang-rt-N-dev) that
# -fsanitize=fuzzer links, so it is checked by building a trivial target.
# Idempotent; apt-get only what is missing.
set -u
apt() {
	if [ "$(id -u)" != 0 ]; then
		echo "fuzz deps: missing: $*; run as root: apt-get install $*" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends "$@" ||
		{ apt-get update -q && apt-get install -y -q --no-install-recommends "$@"; }
}
libfuzzer_links() {
	t=$(mktemp -d) || return 1
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' > "$t/f.c"
	clang -fsanitize=fuzzer,address -o "$t/f" "$t/f.c" >/dev/null 2>&1
	rc=$?
	rm -rf "$t"
	return $rc
}
command -v clang >/dev/null 2>&1 || apt clang || exit 1
libfuzzer_links && exit 0
major=$(clang -dumpversion | cut -d. -f1)
apt "libclang-rt-$major-dev" || exit 1
libfuzzer_links || { echo "fuzz deps: clang -fsanitize=fuzzer still does not link" >&2; exit 1; }
