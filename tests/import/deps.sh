#!/bin/sh
# deps.sh -- what the tests/import scenario tests need (idempotent, root).
set -e
need=""
command -v dig >/dev/null 2>&1 || need="$need bind9-dnsutils"
command -v ss >/dev/null 2>&1 || need="$need iproute2"
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: need root to install:$need" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need
