#!/bin/sh
# deps.sh -- what the tests/ctl scenario tests need: valgrind (its
# memcheck runs every command once in valgrind.test).
set -u
. "$(dirname "$0")/../deps-lib.sh"
need_cmd valgrind valgrind
install_needed ctl
