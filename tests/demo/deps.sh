#!/bin/sh
# deps.sh -- what make run needs besides the build: dig (to try the demo)
# and ss (to find a free port).  Idempotent; apt-get only what is missing.
set -u
need=""
command -v dig >/dev/null 2>&1 || need="$need bind9-dnsutils"
command -v ss >/dev/null 2>&1 || need="$need iproute2"
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "demo deps: missing:$need; run as root: apt-get install$need" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # a list of package names
apt-get install -y -q --no-install-recommends $need ||
	{ apt-get update -q && apt-get install -y -q --no-install-recommends $need; }
