# ctlbridge: MIDI control surfaces -> DAWs over OSC.
#   make            build build/ctlbridge
#   make run        install missing packages, build, run the bridge
#   make test       install missing packages, build, run every test
#   make test-asan  the same tests on an ASan + UBSan build
#   make test-ardour  the bridge against a real headless Ardour
#   make test-valgrind  the tests under valgrind's memcheck
#   make fuzz       each libFuzzer target FUZZ_SECONDS (60) under ASan+UBSan
#   make sheets     the cheat sheet of every shipped profile, HTML and PNG,
#                   under build/sheets (headless Chromium)
#   make install    PREFIX=/usr/local DESTDIR=   (make uninstall the same)
#
# Two stages.  The targets that install missing packages (run, test,
# test-asan, test-valgrind, test-ardour, bench, fuzz) run .ci/install-deps first and only then a
# second make, which asks pkg-config for the flags: on a fresh machine the
# packages exist by the time anything is compiled, also under -j.  Every
# other target goes straight to the second stage.
ifneq ($(CTLBRIDGE_STAGE),build)

DEPS_GOALS = run test test-asan test-valgrind test-ardour bench fuzz sheets
.PHONY: deps $(DEPS_GOALS)
.DEFAULT_GOAL := all

deps:
	@CTLBRIDGE_FUZZ=$(if $(filter fuzz,$(MAKECMDGOALS)),1,0) \
	    CTLBRIDGE_VALGRIND=$(if $(filter test-valgrind,$(MAKECMDGOALS)),1,0) \
	    sh .ci/install-deps

$(DEPS_GOALS): deps
	@$(MAKE) --no-print-directory CTLBRIDGE_STAGE=build $@

Makefile: ;
%:: FORCE
	@$(MAKE) --no-print-directory CTLBRIDGE_STAGE=build $@
.PHONY: FORCE
FORCE: ;

else
PREFIX  ?= /usr/local
DATADIR ?= $(PREFIX)/share/ctlbridge
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/ctlbridge
UNITDIR ?= $(PREFIX)/lib/systemd/user
COMPDIR ?= $(PREFIX)/share/bash-completion/completions
BUILD   ?= build

PKGS     = liblo alsa inih jack
CC      ?= cc
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wformat=2 -Wundef -Wvla -Wno-unused-parameter
ifeq ($(CI),true)
WARN    += -Werror
endif
OPT     ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SANITIZE) -MMD -MP
# evaluated in the second stage, after .ci/install-deps
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
PKG_OK     := $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)
LDLIBS  += $(PKG_LIBS) -lm -lpthread

CORE_SRC  = $(filter-out bridge/main.c,$(wildcard bridge/*.c))
CORE_OBJ  = $(CORE_SRC:bridge/%.c=$(BUILD)/obj/%.o)
TEST_SRC  = $(wildcard tests/*_test.c)
TEST_BIN  = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
ARDOUR_SRC = $(wildcard tests/ardour/*_test.c)
ARDOUR_BIN = $(ARDOUR_SRC:tests/ardour/%.c=$(BUILD)/tests/ardour/%)
TEST_HELP = $(wildcard tests/support/*.c)
TEST_HOBJ = $(TEST_HELP:tests/support/%.c=$(BUILD)/obj/support/%.o)
# fuzz targets (tests/fuzz/fuzz_NAME.c): replayed over their corpus by make
# test as plain programs, fuzzed by make fuzz
FUZZ_NAMES = $(patsubst tests/fuzz/fuzz_%.c,%,$(filter-out \
    tests/fuzz/fuzz_common.c,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_REPLAY = $(FUZZ_NAMES:%=$(BUILD)/tests/replay-%)
FUZZ_BIN  = $(FUZZ_NAMES:%=$(BUILD)/fuzz-%)
FUZZ_SECONDS ?= 60
# targets that load configurations look no host name up (fuzz_config.c)
FUZZ_LDFLAGS_config = -Wl,--wrap=getaddrinfo
FUZZ_LDFLAGS_control = -Wl,--wrap=getaddrinfo

.PHONY: all run sheets test test-asan test-valgrind test-ardour install uninstall clean deps check-config bench pkgcheck FORCE \
    fuzz fuzz-run

all: $(BUILD)/ctlbridge

deps:
	@sh .ci/install-deps

# without the -dev packages the compiler's own errors say little
pkgcheck:
ifneq ($(PKG_OK),yes)
	@echo "ctlbridge: pkg-config does not find all of $(PKGS); 'sh .ci/install-deps'" \
	    "says what to install (make test and make run do it themselves)" >&2
	@false
endif

$(CORE_OBJ) $(BUILD)/obj/main.o $(TEST_HOBJ): | pkgcheck

$(BUILD)/obj/%.o: bridge/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/obj/support/%.o: tests/support/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Ibridge -c -o $@ $<

# The data directory is compiled into main.o; the stamp changes (and main.o
# is rebuilt) whenever DATADIR does, e.g. make install PREFIX=/usr after a
# make run that built for /usr/local.
$(BUILD)/datadir: FORCE
	@mkdir -p $(dir $@)
	@echo '$(DATADIR)' | cmp -s - $@ 2>/dev/null || echo '$(DATADIR)' >$@
FORCE:

$(BUILD)/obj/main.o: $(BUILD)/datadir
$(BUILD)/obj/main.o: CFLAGS += -DCTLBRIDGE_DATADIR='"$(DATADIR)"'

$(BUILD)/libctlbridge.a: $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/ctlbridge: $(BUILD)/obj/main.o $(BUILD)/libctlbridge.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(TEST_HOBJ) $(BUILD)/libctlbridge.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Ibridge -Itests/support $(LDFLAGS) -o $@ \
	    $< $(TEST_HOBJ) $(BUILD)/libctlbridge.a $(LDLIBS) -lcmocka

run: $(BUILD)/ctlbridge
	./$(BUILD)/ctlbridge $(ARGS)

sheets: $(BUILD)/ctlbridge
	@sh dist/make-sheets $(BUILD)

test: $(BUILD)/ctlbridge $(TEST_BIN) $(FUZZ_REPLAY)
	@BUILD=$(BUILD) OPT='$(OPT)' SANITIZE='$(SANITIZE)' \
	    sh tests/run-tests $(TEST_BIN) $(FUZZ_REPLAY) tests/install-test

$(BUILD)/tests/replay-%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c \
    tests/fuzz/fuzz_common.c tests/fuzz/fuzz.h $(BUILD)/libctlbridge.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Ibridge -Itests/fuzz -DFUZZ_NAME='"$*"' \
	    $(LDFLAGS) $(FUZZ_LDFLAGS_$*) -o $@ $< tests/fuzz/replay.c \
	    tests/fuzz/fuzz_common.c \
	    $(BUILD)/libctlbridge.a $(LDLIBS)

# libFuzzer (clang): the library built with coverage and ASan + UBSan in
# build/libfuzzer, each target run FUZZ_SECONDS; FUZZ_ARGS go to libFuzzer
FUZZ_SAN = -fsanitize=address,undefined -fno-omit-frame-pointer \
    -fno-sanitize-recover=undefined
fuzz:
	$(MAKE) BUILD=build/libfuzzer CC=clang OPT='-O1 -g' \
	    SANITIZE='$(FUZZ_SAN) -fsanitize=fuzzer-no-link' fuzz-run

$(BUILD)/fuzz-%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.c \
    tests/fuzz/fuzz.h $(BUILD)/libctlbridge.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) -Ibridge -Itests/fuzz \
	    $(LDFLAGS) $(FUZZ_LDFLAGS_$*) -o $@ $< tests/fuzz/fuzz_common.c \
	    $(BUILD)/libctlbridge.a $(LDLIBS)

fuzz-run: $(FUZZ_BIN)
	@sh tests/fuzz/run-fuzz $(BUILD) $(FUZZ_SECONDS) $(FUZZ_NAMES)

# memcheck: unit tests and corpus replays under valgrind, the e2e tests
# with the bridge they start under valgrind (tests/valgrind-tests)
E2E_BIN = $(filter $(BUILD)/tests/e2e_%,$(TEST_BIN))
test-valgrind: $(BUILD)/ctlbridge $(TEST_BIN) $(FUZZ_REPLAY)
	@sh tests/valgrind-tests $(BUILD) $(filter-out $(E2E_BIN),$(TEST_BIN)) \
	    $(FUZZ_REPLAY) -- $(E2E_BIN)

test-asan:
	$(MAKE) BUILD=build/asan OPT='-O1 -g' \
	    SANITIZE='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' \
	    test

$(BUILD)/tests/ardour/%: tests/ardour/%.c $(TEST_HOBJ) $(BUILD)/libctlbridge.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Ibridge -Itests/support $(LDFLAGS) -o $@ \
	    $< $(TEST_HOBJ) $(BUILD)/libctlbridge.a $(LDLIBS) -lcmocka

# The real bridge against a real headless Ardour (Debian's ardour package).
test-ardour: $(BUILD)/ctlbridge $(ARDOUR_BIN)
	@CTLBRIDGE_ARDOUR=1 sh .ci/install-deps
	@CTLBRIDGE=$(BUILD)/ctlbridge tests/ardour/roles-test
	@CTLBRIDGE=$(BUILD)/ctlbridge tests/ardour/user-actions-test
	@BUILD=$(BUILD) sh tests/run-tests $(ARDOUR_BIN)

check-config: $(BUILD)/ctlbridge
	./$(BUILD)/ctlbridge check -c .

# Everything a user or a package needs; DESTDIR stages it elsewhere.  The
# binary is rebuilt for this PREFIX first (build/datadir).
install: $(BUILD)/ctlbridge
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/mappings/controllers \
	    $(DESTDIR)$(DATADIR)/mappings/daws $(DESTDIR)$(DATADIR)/profiles \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(COMPDIR) $(DESTDIR)$(DOCDIR)
	install -m 755 $(BUILD)/ctlbridge $(DESTDIR)$(BINDIR)/ctlbridge
	install -m 644 mappings/controllers/*.ini $(DESTDIR)$(DATADIR)/mappings/controllers
	install -m 644 mappings/daws/*.ini $(DESTDIR)$(DATADIR)/mappings/daws
	install -m 644 profiles/*.ini $(DESTDIR)$(DATADIR)/profiles
	install -m 644 man/ctlbridge.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/ctlbridge.ini.5 $(DESTDIR)$(MANDIR)/man5
	sed 's|@BINDIR@|$(BINDIR)|g' dist/ctlbridge.service.in \
	    >$(DESTDIR)$(UNITDIR)/ctlbridge.service
	sed 's|@DATADIR@|$(DATADIR)|g' dist/ctlbridge.bash \
	    >$(DESTDIR)$(COMPDIR)/ctlbridge
	chmod 644 $(DESTDIR)$(UNITDIR)/ctlbridge.service $(DESTDIR)$(COMPDIR)/ctlbridge
	install -m 644 LICENSE README.md $(DESTDIR)$(DOCDIR)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ctlbridge
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(MANDIR)/man1/ctlbridge.1 \
	    $(DESTDIR)$(MANDIR)/man5/ctlbridge.ini.5 \
	    $(DESTDIR)$(UNITDIR)/ctlbridge.service $(DESTDIR)$(COMPDIR)/ctlbridge

clean:
	rm -rf build

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/obj/support/*.d $(BUILD)/tests/*.d \
    $(BUILD)/tests/ardour/*.d $(BUILD)/*.d)

$(BUILD)/bench: bench/bench.c $(TEST_HOBJ) $(BUILD)/libctlbridge.a
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Ibridge -Itests/support $(LDFLAGS) -o $@ \
	    $< $(TEST_HOBJ) $(BUILD)/libctlbridge.a $(LDLIBS)

# In process, then end to end through JACK against the floor (bench/).
# BENCH_QUICK=1: one short run of each, for a smoke check.
bench: $(BUILD)/ctlbridge $(BUILD)/bench $(BUILD)/bench-jack $(BUILD)/bench-floor
	./$(BUILD)/bench ./$(BUILD)/ctlbridge
	./$(BUILD)/bench-jack ./$(BUILD)/ctlbridge ./$(BUILD)/bench-floor

$(BUILD)/bench-jack: bench/jackbench.c $(TEST_HOBJ)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Itests/support $(LDFLAGS) -o $@ \
	    $< $(TEST_HOBJ) $(LDLIBS)

$(BUILD)/bench-floor: bench/floor.c
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

endif
