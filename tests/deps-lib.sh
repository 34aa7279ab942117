# deps-lib.sh -- sourced by tests/*/deps.sh: collect the Debian packages
# that are missing, then install them all with one apt-get call.
#
#   need_cmd COMMAND PACKAGE   PACKAGE is needed unless COMMAND is on PATH
#   need_file PATH PACKAGE     PACKAGE is needed unless PATH exists
#   need_pkg PACKAGE...        each PACKAGE is needed unless dpkg has it
#   install_needed WHO         apt-get install what was collected (root
#                              only; otherwise name it and return 1); the
#                              package lists are refreshed only when the
#                              first attempt fails, as on a fresh image;
#                              a dpkg lock held by another apt is waited
#                              for (up to 5 minutes)
#
# Idempotent: with nothing missing, install_needed does nothing.
DEPS_NEED=""

need_cmd() { command -v "$1" >/dev/null 2>&1 || DEPS_NEED="$DEPS_NEED $2"; }
need_file() { [ -e "$1" ] || DEPS_NEED="$DEPS_NEED $2"; }
need_pkg() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || DEPS_NEED="$DEPS_NEED $p"
	done
}

install_needed() {	# who
	[ -z "$DEPS_NEED" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "$1 deps: missing:$DEPS_NEED; as root: apt-get install$DEPS_NEED" >&2
		return 1
	fi
	echo "$1 deps: apt-get install$DEPS_NEED" >&2
	export DEBIAN_FRONTEND=noninteractive
	# Another apt may hold the dpkg lock (unattended-upgrades, a
	# configure run of a second tree): wait for it instead of failing.
	lock="-o DPkg::Lock::Timeout=300"
	# shellcheck disable=SC2086 # a list of package names and options
	apt-get $lock install -y -qq --no-install-recommends $DEPS_NEED >/dev/null ||
		{ apt-get $lock update -qq &&
		  apt-get $lock install -y -qq --no-install-recommends $DEPS_NEED >/dev/null; }
}
