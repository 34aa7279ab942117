# Makefile -- rbld, a DNS blocklist server.
#
# Non-recursive.  Every component is a directory; its sources are found by
# wildcard, so adding a file needs no Makefile change:
#   zone/*.c zone/*/*.c -> libzone.a   (basics at the root, a folder per part)
#   rblctl/*.c          -> rblctl      (main.c holds main(), the rest a lib)
#   rbld/*.c            -> rbld
#   import/*.c          -> rbl-import
#   admin-web/*.c       -> rbl-admin
#   tests/unit/test_*.c -> one test program each
#   tests/tools/*.c     -> one helper program each (ldns client, ...)
#   tests/fuzz/fuzz_*.c -> libFuzzer targets (make fuzz, clang)
# A program is built once its main.c exists.  BUILD selects the output
# directory; SAN=1 builds with ASan+UBSan.  config.mk comes from
# ./configure, which make runs by itself when config.mk is missing or older
# than configure (as root it also installs missing libraries).  `make help`
# lists the targets.

# Goals that must work without a configured tree.
NOCONFIG_GOALS = clean distclean help
ifneq ($(filter-out $(NOCONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
-include config.mk
endif

# A job per CPU unless the command line chose (-j1: one at a time): make
# check's three builds took 4-6 of its minutes one file at a time on two
# CPUs.  Not when clean or install is among the goals, which may be named
# beside others (make clean all) and must not run beside them.
ifeq ($(filter -j% j%,$(MAKEFLAGS))$(filter clean distclean install uninstall,$(MAKECMDGOALS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 1)
endif

BUILD	?= build
PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR	?=

CC	?= cc
OPT	?= -O2 -g
WARN	= -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
	  -Wmissing-prototypes -Wno-unused-parameter
STD	= -std=c11 -D_GNU_SOURCE
ifeq ($(SAN),1)
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	   -fno-omit-frame-pointer -DRBL_SAN
endif
# FUZZ=1 (with CC=clang): instrument everything for libFuzzer.
ifeq ($(FUZZ),1)
SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined \
	   -fno-sanitize-recover=undefined -fno-omit-frame-pointer -DRBL_SAN
endif
# Locals the code leaves uninitialised (it should not: every struct gets
# = { 0 } at its definition).  SAN=1 and FUZZ=1 fill them with a pattern
# (0xFE bytes with gcc: a wild pointer, a huge length), so a read before
# the first write fails the tests the same way on every machine, not only
# where the stack happened to hold junk (issue 18: zeros on one machine,
# a crash on another).  Other builds zero them, a safety net for production that
# costs rbld 5 instructions per query of 5,439 (+0.1%; an import line 72
# of 9,869) under callgrind, once three large locals filled before use
# are exempted with RBL_NOINIT (zone/compiler.h); zeroing those too cost
# +4.9% per query (tests/bench/callgrind.sh, doc/performance.md).
# AUTOINIT=pattern|zero overrides, AUTOINIT= turns it off; the flag is
# left out when the compiler lacks it (gcc < 12; clang < 16 hides =zero
# behind an option).
ifneq ($(filter 1,$(SAN) $(FUZZ)),)
AUTOINIT ?= pattern
endif
AUTOINIT ?= zero
cc_accepts = $(shell $(CC) -Werror $(1) -x c -c -o /dev/null /dev/null \
		2>/dev/null && echo $(1))
AUTOINIT_FLAGS := $(if $(AUTOINIT),\
		    $(call cc_accepts,-ftrivial-auto-var-init=$(AUTOINIT)))
ALL_CFLAGS = $(STD) $(OPT) $(WARN) $(SANFLAGS) $(AUTOINIT_FLAGS) -I. \
	     $(PKG_CFLAGS) $(CFLAGS) \
	     -DRBL_VERSION='"$(RBL_VERSION)"' -MMD -MP
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS	= $(PKG_LIBS) -lpthread -lm

RBL_VERSION ?= $(shell cat VERSION 2>/dev/null || echo 0.0.0)

ZONE_SRCS	:= $(wildcard zone/*.c zone/*/*.c)
RBLCTL_SRCS	:= $(filter-out rblctl/main.c,$(wildcard rblctl/*.c))
RBLD_SRCS	:= $(filter-out rbld/main.c,$(wildcard rbld/*.c))
IMPORT_SRCS	:= $(filter-out import/main.c,$(wildcard import/*.c))
ADMIN_SRCS	:= $(filter-out admin-web/main.c,$(wildcard admin-web/*.c))
UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_SUPPORT	:= $(filter-out tests/unit/test_%,$(wildcard tests/unit/*.c))
TOOL_SRCS	:= $(wildcard tests/tools/*.c)
FUZZ_SRCS	:= $(wildcard tests/fuzz/fuzz_*.c)

# Objects live under $(BUILD)/obj: $(BUILD)/rbld is the program, not a dir.
obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBZONE	 = $(BUILD)/libzone.a
LIBCTL	 = $(BUILD)/librblctl.a
LIBRBLD	 = $(BUILD)/librbld.a
LIBIMP	 = $(BUILD)/libimport.a
LIBADMIN = $(BUILD)/libadmin.a
# Order matters for static linking: users before what they use.
ALL_LIBS = $(LIBADMIN) $(LIBIMP) $(LIBRBLD) $(LIBCTL) $(LIBZONE)

# A program exists once its main.c does: components land one by one.
prog_if = $(if $(wildcard $(1)),$(BUILD)/$(2))
PROGS	= $(strip $(call prog_if,rbld/main.c,rbld) \
	  $(call prog_if,rblctl/main.c,rblctl) \
	  $(call prog_if,import/main.c,rbl-import) \
	  $(call prog_if,admin-web/main.c,rbl-admin))
UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TOOLS	= $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TOOL_SRCS))
FUZZERS	= $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_MAKE = $(MAKE) --no-print-directory FUZZ=1 CC=clang BUILD=build-fuzz \
	    OPT='-O1 -g'

UNITDIR	?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d

.PHONY: all tests fuzzers check check-fast run bench fuzz soak install uninstall \
	clean distclean eval-rdns help

all: config.mk $(LIBZONE) $(PROGS)

# Re-run configure with the arguments it was given last time (recorded in
# config.mk) whenever configure is newer than its output.
config.mk: configure
	./configure $(CONFIGURE_FLAGS)

# The Makefile too: a change of flags (AUTOINIT) must reach every object.
$(BUILD)/obj/%.o: %.c config.mk Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# An empty archive is fine: a component may not exist yet.
$(BUILD)/%.a:
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBZONE):  $(call obj,$(ZONE_SRCS))
$(LIBCTL):   $(call obj,$(RBLCTL_SRCS))
$(LIBRBLD):  $(call obj,$(RBLD_SRCS))
$(LIBIMP):   $(call obj,$(IMPORT_SRCS))
$(LIBADMIN): $(call obj,$(ADMIN_SRCS))

$(BUILD)/rbld: $(call obj,rbld/main.c) $(LIBRBLD) $(LIBZONE)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
$(BUILD)/rblctl: $(call obj,rblctl/main.c) $(LIBCTL) $(LIBZONE)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
$(BUILD)/rbl-import: $(call obj,import/main.c) $(LIBIMP) $(LIBZONE)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
$(BUILD)/rbl-admin: $(call obj,admin-web/main.c) $(LIBADMIN) $(LIBIMP) $(LIBZONE)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(call obj,$(UNIT_SUPPORT)) $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(call obj,$(UNIT_SUPPORT)) \
		$(ALL_LIBS) $(LIBS)
$(BUILD)/tests/tools/%: tests/tools/%.c $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(ALL_LIBS) $(LIBS)

tests: all $(UNIT_TESTS) $(TOOLS)

# libFuzzer targets; build them with $(FUZZ_MAKE) fuzzers.
$(BUILD)/fuzz/%: tests/fuzz/%.c $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(ALL_LIBS) $(LIBS)
fuzzers: $(FUZZERS)

# make check: what the tests need (installed as root), the whole suite on
# the normal build, then again under ASan+UBSan in build-asan/.
check: tests
	tests/check.sh --deps
	+$(FUZZ_MAKE) fuzzers
	BUILD=$(BUILD) tests/check.sh
	$(MAKE) --no-print-directory SAN=1 BUILD=build-asan OPT='-O1 -g' tests
	BUILD=build-asan tests/check.sh --sanitizer

# Faster loop for developers: normal build only.
check-fast: tests
	BUILD=$(BUILD) tests/check.sh

run: all
	BUILD=$(BUILD) tests/demo/run.sh

# Queries (rbld vs rbldnsd vs a no-lookup responder), the importer, then
# the scale table (1M and 10M entries; BENCH_SCALE_100M=1 adds a run), and
# with BENCH_MIRROR=1 a 10M-entry mirrored file replaced under load.
bench: all $(TOOLS)
	BUILD=$(BUILD) tests/bench/bench.sh
	BUILD=$(BUILD) tests/bench/import.sh
	BUILD=$(BUILD) tests/bench/scale.sh
	$(if $(BENCH_MIRROR),BUILD=$(BUILD) tests/bench/mirror.sh)

fuzz:
	+$(FUZZ_MAKE) fuzzers
	tests/fuzz/run.sh $${FUZZ_SECONDS:-300}

soak: all $(TOOLS)
	BUILD=$(BUILD) tests/soak/soak.sh

eval-rdns: all
	BUILD=$(BUILD) tests/rdns/eval.sh

# Files are installed only when they exist, so a partial tree installs what
# it has; the unit files name the installed paths.
MAN8	= $(wildcard doc/*.8)
MAN5	= $(wildcard doc/*.5)
UNITS	= $(wildcard contrib/*.service contrib/*.timer)
CONF_EXAMPLE = doc/rbld.conf.example

install: all
	install -d $(DESTDIR)$(SBINDIR)
	$(if $(PROGS),install -m 755 $(PROGS) $(DESTDIR)$(SBINDIR)/)
	$(if $(MAN8),install -d $(DESTDIR)$(MANDIR)/man8)
	$(if $(MAN8),install -m 644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/)
	$(if $(MAN5),install -d $(DESTDIR)$(MANDIR)/man5)
	$(if $(MAN5),install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(TMPFILESDIR)
	$(foreach u,$(UNITS),sed -e 's|@SBINDIR@|$(SBINDIR)|g' \
		-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $(u) \
		> $(DESTDIR)$(UNITDIR)/$(notdir $(u)) && \
		chmod 644 $(DESTDIR)$(UNITDIR)/$(notdir $(u)) &&) true
	install -m 644 contrib/rbld.sysusers $(DESTDIR)$(SYSUSERSDIR)/rbld.conf
	sed -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' contrib/rbld.tmpfiles \
		> $(DESTDIR)$(TMPFILESDIR)/rbld.conf && \
		chmod 644 $(DESTDIR)$(TMPFILESDIR)/rbld.conf
	install -d $(DESTDIR)$(SYSCONFDIR)/rbld
	@# rbld.conf may hold TSIG secrets: root and group rbld only.  The
	@# group may not exist yet (systemd-sysusers creates it); then the
	@# tmpfiles.d entry sets it at boot.  An existing file is kept.
	$(if $(CONF_EXAMPLE),@conf=$(DESTDIR)$(SYSCONFDIR)/rbld/rbld.conf; \
	if test -e $$conf; then echo "kept $$conf"; else \
		install -m 640 $(CONF_EXAMPLE) $$conf && \
		if getent group rbld >/dev/null && chgrp rbld $$conf; then \
			echo "installed $$conf (0640 root:rbld)"; \
		else echo "installed $$conf (0640; group rbld does not exist" \
			"yet: systemd-sysusers, then systemd-tmpfiles --create" \
			"rbld.conf sets it)"; fi; fi)
	@# the example link allow file (doc/evidence.md), kept when there
	@if test -e $(DESTDIR)$(SYSCONFDIR)/rbld/link-allow.txt; then \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/rbld/link-allow.txt"; \
	else install -m 644 contrib/link-allow.txt \
		$(DESTDIR)$(SYSCONFDIR)/rbld/link-allow.txt; fi
	@echo "installed under $(DESTDIR)/:"
	@cd $(DESTDIR)/ && find .$(SBINDIR) .$(MANDIR)/man8 .$(MANDIR)/man5 \
		.$(UNITDIR) .$(SYSUSERSDIR) .$(TMPFILESDIR) .$(SYSCONFDIR)/rbld \
		-type f 2>/dev/null | \
		sed 's|^\.|    |' | sort

uninstall:
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,rbld rblctl rbl-import rbl-admin)
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5)))
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS)))
	rm -f $(DESTDIR)$(SYSUSERSDIR)/rbld.conf $(DESTDIR)$(TMPFILESDIR)/rbld.conf

clean:
	rm -rf build build-asan build-fuzz

distclean: clean
	rm -f config.mk config.mk.tmp
	rm -rf var tests/out

help:
	@echo 'make              configure if needed, build $(BUILD)/rbld, rblctl, rbl-import, rbl-admin'
	@echo 'make run          demo: database in ./var, rbld on a loopback port, dig commands'
	@echo 'make check        all tests, then again under ASan+UBSan (installs test deps as root)'
	@echo 'make check-fast   all tests on the normal build only'
	@echo 'make bench        rbld vs rbldnsd vs a no-lookup responder (dnsperf),'
	@echo '                  and the scale table (BENCH_SCALE_100M=1 for 100M);'
	@echo '                  BENCH_MIRROR=1: a 10M-entry mirrored file replaced under load'
	@echo 'make install      PREFIX=/usr/local DESTDIR= (programs, man pages, systemd units)'
	@echo 'make clean        remove build directories; distclean also config.mk and ./var'

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
