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
need=""
for p in postfix swaks iproute2 dnsutils ucspi-tcp libdb5.3 libgnutls-dane0 \
	 libgnutls30 libidn12 libidn2-0 libnsl2 libpcre2-8-0 libcrypt1; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null |
		grep -q 'install ok installed' || need="$need $p"
done
if [ -n "$need" ]; then
	echo "postfix postfix/main_mailer_type select No configuration" |
		debconf-set-selections
	apt-get update -qq || true
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $need
fi

# The Debian binary drops privileges to this compiled-in user; exim4-base
# (not installed) would create it the same way.
getent passwd Debian-exim >/dev/null ||
	useradd --system --user-group --home-dir /var/spool/exim4 \
		--no-create-home --shell /usr/sbin/nologin Debian-exim

if [ ! -x "$exim_root/usr/sbin/exim4" ]; then
	tmp=$(mktemp -d)
	chmod 755 "$tmp"	# apt-get download fetches as user _apt
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -qq exim4-daemon-light) ||
		{ apt-get update -qq && (cd "$tmp" && apt-get download -qq exim4-daemon-light); }
	rm -rf "$exim_root.new"
	mkdir -p "$exim_root.new"
	dpkg -x "$tmp"/exim4-daemon-light_*.deb "$exim_root.new"
	rm -rf "$exim_root"
	mv "$exim_root.new" "$exim_root"
fi
"$exim_root/usr/sbin/exim4" -C /dev/null -bV >/dev/null || {
	echo "deps: $exim_root/usr/sbin/exim4 does not run" >&2
	exit 1
}
echo "mta deps: postfix $(postconf -d -h mail_version), exim in $exim_root"
