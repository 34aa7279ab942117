#!/bin/sh
# deps.sh -- packages the rDNS tests need: the public suffix list, NSD as
# the authoritative server of the end-to-end test, dig.  NSD's package
# starts a system instance; the tests run their own on free ports.
set -u
. "$(dirname "$0")/../deps-lib.sh"
need_pkg publicsuffix nsd bind9-dnsutils
install_needed rdns
