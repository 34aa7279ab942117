# Makefile -- rbld, a DNS blocklist server.
#
# Non-recursive.  Every component is a directory; its sources are found by
# wildcard, so adding a file needs no Makefile change:
#   zone/*.c            -> libzone.a   (store, formats, config: the core)
#   zone/rblctl/*.c     -> rblctl      (main.c holds main(), the rest a lib)
#   rbld/*.c            -> rbld
#   import/*.c          -> rbl-import
#   admin-web/*.c       -> rbl-admin
#   tests/unit/test_*.c -> one test program each
#   tests/tools/*.c     -> one helper program each (ldns client, ...)
#   tests/fuzz/fuzz_*.c -> libFuzzer targets (make fuzz, clang)
# BUILD selects the output directory; SAN=1 builds with ASan+UBSan.

-include config.mk

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
	   -fno-omit-frame-pointer
endif
# FUZZ=1 (with CC=clang): instrument everything for libFuzzer.
ifeq ($(FUZZ),1)
SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined \
	   -fno-sanitize-recover=undefined -fno-omit-frame-pointer
endif
ALL_CFLAGS = $(STD) $(OPT) $(WARN) $(SANFLAGS) -I. $(PKG_CFLAGS) $(CFLAGS) \
	     -DRBL_VERSION='"$(RBL_VERSION)"' -MMD -MP
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS	= $(PKG_LIBS) -lpthread -lm

RBL_VERSION ?= $(shell cat VERSION 2>/dev/null || echo 0.0.0)

ZONE_SRCS	:= $(wildcard zone/*.c)
RBLCTL_SRCS	:= $(filter-out zone/rblctl/main.c,$(wildcard zone/rblctl/*.c))
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

# A program is built once its main.c exists (components land one by one).
PROGS	= $(if $(wildcard rbld/main.c),$(BUILD)/rbld) \
	  $(if $(wildcard zone/rblctl/main.c),$(BUILD)/rblctl) \
	  $(if $(wildcard import/main.c),$(BUILD)/rbl-import) \
	  $(if $(wildcard admin-web/main.c),$(BUILD)/rbl-admin)
UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TOOLS	= $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TOOL_SRCS))
FUZZERS	= $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_MAKE = $(MAKE) --no-print-directory FUZZ=1 CC=clang BUILD=build-fuzz \
	    OPT='-O1 -g'

.PHONY: all tests fuzzers check check-fast run bench fuzz soak install uninstall \
	clean distclean eval-rdns

all: config.mk $(PROGS)

config.mk: configure
	./configure $(CONFIGURE_FLAGS)

$(BUILD)/obj/%.o: %.c config.mk
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
$(BUILD)/rblctl: $(call obj,zone/rblctl/main.c) $(LIBCTL) $(LIBZONE)
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

# make check: the whole suite on the normal build, then again under
# ASan+UBSan.  tests/check.sh installs what the tests need (as root).
check: tests
	tests/check.sh --deps
	$(FUZZ_MAKE) fuzzers
	BUILD=$(BUILD) tests/check.sh
	$(MAKE) --no-print-directory SAN=1 BUILD=build-asan OPT='-O1 -g' tests
	BUILD=build-asan tests/check.sh --sanitizer

# Faster loop for developers: normal build only.
check-fast: tests
	BUILD=$(BUILD) tests/check.sh

run: all
	tests/demo/run.sh

bench: all $(TOOLS)
	BUILD=$(BUILD) tests/bench/bench.sh

fuzz:
	$(FUZZ_MAKE) fuzzers
	tests/fuzz/run.sh $${FUZZ_SECONDS:-300}

soak: all $(TOOLS)
	BUILD=$(BUILD) tests/soak/soak.sh

eval-rdns: all
	BUILD=$(BUILD) tests/rdns/eval.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SYSCONFDIR)/rbld
	install -m 755 $(BUILD)/rbld $(BUILD)/rblctl $(BUILD)/rbl-import \
		$(BUILD)/rbl-admin $(DESTDIR)$(SBINDIR)/
	install -m 644 doc/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 doc/*.5 $(DESTDIR)$(MANDIR)/man5/
	test -e $(DESTDIR)$(SYSCONFDIR)/rbld/rbld.conf || \
		install -m 644 doc/rbld.conf.example $(DESTDIR)$(SYSCONFDIR)/rbld/rbld.conf

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/rbld $(DESTDIR)$(SBINDIR)/rblctl \
	      $(DESTDIR)$(SBINDIR)/rbl-import $(DESTDIR)$(SBINDIR)/rbl-admin

clean:
	rm -rf build build-asan build-fuzz

distclean: clean
	rm -f config.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
