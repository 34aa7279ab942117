#!/bin/sh
# deps.sh -- install what tests/mta/*.test need (root; idempotent).
#
# Postfix and Exim conflict as Debian packages (both provide
# mail-transport-agent), so Postfix is installed normally and Exim is
# unpacked from its .deb into a private tree, tests/out/exim4-root, and run
# from there with its own configuration (-C).  Only Exim's shared
# libraries are installed system-wide; they conflict with nothing.
# Installing Postfix "No configuration" leaves it stopped and without a
# main.cf: the tests start their own instances with their own config dirs.
set -eu
cd "$(dirname "$0")/../.."
top=$(pwd)
exim_root="$top/tests/out/exim4-root"

export DEBIAN_FRONTEND=noninteractive

# The shared libraries the current exim4-daemon-light needs (a fresh image
# has no package lists yet: fetch them once).
exim_libs() {
	apt-cache depends exim4-daemon-light 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^lib/ { print $2 }'
}
libs=$(exim_libs)
[ -n "$libs" ] || { apt-get update -qq; libs=$(exim_libs); }
[ -n "$libs" ] || { echo "deps: apt knows no exim4-daemon-light" >&2; exit 1; }

need=""
# swaks needs IO::Socket::INET6 for IPv6 sources; it is only a Recommends,
# which --no-install-recommends leaves out on a fresh machine.
for p in postfix swaks libio-socket-inet6-perl iproute2 dnsutils ucspi-tcp \
	$libs; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null |
		grep -q 'install ok installed' || need="$need $p"
done
if [ -n "$need" ]; then
	echo "postfix postfix/main_mailer_type select No configuration" |
		debconf-set-selections
	lock="-o DPkg::Lock::Timeout=300"
	# shellcheck disable=SC2086
	apt-get $lock update -qq || true
	# shellcheck disable=SC2086
	apt-get $lock install -y -qq --no-install-recommends $need
fi

# The Debian binary drops privileges to this compiled-in user; exim4-base
# (not installed) would create it the same way.
getent passwd Debian-exim >/dev/null ||
	useradd --system --user-group --home-dir /var/spool/exim4 \
		--no-create-home --shell /usr/sbin/nologin Debian-exim

# postfix-trap.test runs rbl-import as rbld, the store's owner, as the
# documented pipe transport does (contrib/rbld.sysusers makes the same
# user on an installed system).
getent passwd rbld >/dev/null ||
	useradd --system --user-group --home-dir /var/lib/rbld \
		--no-create-home --shell /usr/sbin/nologin rbld

if [ ! -x "$exim_root/usr/sbin/exim4" ]; then
	tmp=$(mktemp -d)
	# apt-get download fetches as user _apt, which must be able to write.
	chown _apt "$tmp" 2>/dev/null || chmod 777 "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -qq exim4-daemon-light) ||
		{ apt-get update -qq && (cd "$tmp" && apt-get download -qq exim4-daemon-light); }
	rm -rf "$exim_root.new"
	mkdir -p "$exim_root.new"
	dpkg -x "$tmp"/exim4-daemon-light_*.deb "$exim_root.new"
	rm -rf "$exim_root"
	mv "$exim_root.new" "$exim_root"
fi
"$exim_root/usr/sbin/exim4" -C /dev/null -bV >/dev/null 2>&1 || {
	echo "deps: $exim_root/usr/sbin/exim4 does not run:" >&2
	"$exim_root/usr/sbin/exim4" -C /dev/null -bV >&2
	exit 1
}
echo "mta deps: postfix $(postconf -d -h mail_version), exim in $exim_root"
