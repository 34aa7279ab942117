#!/bin/sh
# deps.sh -- what the tests/import scenario tests need: dig, ss, the
# public suffix list links.test reduces hosts with, and SpamAssassin for
# spamassassin.test.
set -u
. "$(dirname "$0")/../deps-lib.sh"
need_cmd dig bind9-dnsutils
need_cmd ss iproute2
need_file /usr/share/publicsuffix/public_suffix_list.dat publicsuffix
need_cmd spamassassin spamassassin
install_needed import
