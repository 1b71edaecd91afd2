# ordergate: batch order translator. `make run` and `make check` are the two
# commands a newcomer needs; both install missing Debian packages first.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
BUILD      ?= build
CC         ?= cc
PKGS       := libxml-2.0 libxslt libexslt zlib libarchive sqlite3 inih libcrypto
TEST_PKGS  := check

# Debian packages: libraries, test tools, and xmllint for independent validation;
# strace, time (GNU) and util-linux (unshare) for the hostile corpus in make
# check, valgrind for make valgrind.
DEBS := build-essential pkg-config libxml2-dev libxslt1-dev zlib1g-dev \
        libarchive-dev libsqlite3-dev libinih-dev libssl-dev check libsubunit-dev \
        libxml2-utils xsltproc sqlite3 python3 util-linux chromium strace time valgrind

WARN := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wpointer-arith \
        -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings -Wvla \
        -Wcast-qual -Wundef -Wnull-dereference
OPT  ?= -O2 -g
SAN  ?=
CFLAGS_ALL = -std=gnu11 $(OPT) $(SAN) $(WARN) -D_FORTIFY_SOURCE=2 \
        -DOG_VERSION='"$(VERSION)"' -DOG_DATADIR='"$(DATADIR)"' \
        $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
DATADIR ?= $(CURDIR)
ASAN ?= 0

SRCS := $(wildcard src/*.c)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
OBJS := $(SRCS:src/%.c=$(BUILD)/obj/%.o)
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
TEST_SRCS := $(wildcard tests/unit/*.c)
TEST_OBJS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/test/%.o)

.PHONY: all setup run check unit asan valgrind clean install bench bench-profile hostile fuzz fuzz-replay crashtest

all: $(BUILD)/ordergate

# Installs what is missing on Debian 12 (as root, or through sudo).
setup:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
	    || { echo "setup: apt-get failed; install these packages by hand:$$missing"; exit 1; }; \
	fi

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*.h) | $(BUILD)/obj
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/test/%.o: tests/unit/%.c $(wildcard src/*.h tests/unit/*.h) | $(BUILD)/test
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -Isrc $(shell pkg-config --cflags $(TEST_PKGS)) -c $< -o $@

$(BUILD)/obj $(BUILD)/test:
	@mkdir -p $@

$(BUILD)/ordergate: $(OBJS)
	@echo "  LINK    $@"
	@$(CC) $(OPT) $(SAN) $(OBJS) $(LIBS) $(LDFLAGS) -o $@

$(BUILD)/unit-tests: $(LIB_OBJS) $(TEST_OBJS)
	@echo "  LINK    $@"
	@$(CC) $(OPT) $(SAN) $(LIB_OBJS) $(TEST_OBJS) $(LIBS) $(shell pkg-config --libs $(TEST_PKGS)) $(LDFLAGS) -o $@

# The demo: a fresh spool filled from samples/, one run, and where things went.
# the bundled samples (samples/README.md): cXML, OAGIS, CSV and a zip of orders
SAMPLES = samples/cxml/*.xml samples/oagis/*.xml samples/csv/*.csv samples/archives/*.zip

run: setup
	@$(MAKE) --no-print-directory all
	@rm -rf $(BUILD)/demo-spool && mkdir -p $(BUILD)/demo-spool/in
	@cp $(SAMPLES) $(BUILD)/demo-spool/in/
	@echo "== ordergate run --spool $(BUILD)/demo-spool  ($$(ls $(BUILD)/demo-spool/in | wc -l) sample files in in/)"
	@$(BUILD)/ordergate run --spool $(BUILD)/demo-spool; rc=$$?; \
	echo "== exit code $$rc (1 = some documents failed, which the samples include on purpose)"; \
	echo "== published outputs:"; (cd $(BUILD)/demo-spool && find out out-test -type f 2>/dev/null | sort | sed 's/^/   /'); \
	echo "== failed inputs and their reasons:"; \
	for f in $(BUILD)/demo-spool/failed/*.why; do [ -e "$$f" ] && { echo "   $$f"; sed 's/^/      /' "$$f"; }; done; \
	echo "== the same files again: every order is a duplicate, the broken files fail again"; \
	cp $(SAMPLES) $(BUILD)/demo-spool/in/; \
	$(BUILD)/ordergate run --quiet --spool $(BUILD)/demo-spool; \
	echo "   outputs now: $$(find $(BUILD)/demo-spool/out $(BUILD)/demo-spool/out-test -type f 2>/dev/null | wc -l) (unchanged)"; \
	echo "== ledger: $(BUILD)/demo-spool/ledger.db"

unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

check: setup
	@$(MAKE) --no-print-directory all $(BUILD)/unit-tests
	@ASAN=$(ASAN) ORDERGATE=$(CURDIR)/$(BUILD)/ordergate UNIT=$(CURDIR)/$(BUILD)/unit-tests bash tests/run-all.sh

asan:
	$(MAKE) BUILD=build-asan ASAN=1 OPT="-O1 -g" SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" check

valgrind: setup
	@$(MAKE) --no-print-directory all $(BUILD)/unit-tests
	@ORDERGATE=$(CURDIR)/$(BUILD)/ordergate UNIT=$(CURDIR)/$(BUILD)/unit-tests VALGRIND=1 bash tests/run-all.sh

# Installs the binary (built to find its data under $(PREFIX)/share/ordergate),
# the stylesheets and schemas, the default maps and the man pages.
install: setup
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/install DATADIR=$(PREFIX)/share/ordergate all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ordergate \
	        $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(BUILD)/install/ordergate $(DESTDIR)$(PREFIX)/bin/ordergate
	cp -R xslt maps $(DESTDIR)$(PREFIX)/share/ordergate/
	install -m 644 docs/ordergate.1 $(DESTDIR)$(PREFIX)/share/man/man1/ordergate.1
	install -m 644 docs/ordergate.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/ordergate.conf.5

# Hostile input alone (docs/reliability.md; also part of make check); strace
# (in DEBS) for the no-network/no-file proof.
hostile: setup
	@$(MAKE) --no-print-directory all
	@ORDERGATE=$(CURDIR)/$(BUILD)/ordergate bash tests/hostile/run.sh

# kill -9 at random moments, N iterations (docs/reliability.md; make check
# runs 50): `make crashtest N=1000`, replay with SEED=S [ONLY=I].
N ?= 1000
crashtest: setup
	@$(MAKE) --no-print-directory all
	@ORDERGATE=$(CURDIR)/$(BUILD)/ordergate CRASH_N=$(N) $(if $(SEED),CRASH_SEED=$(SEED)) \
	  $(if $(ONLY),CRASH_ONLY=$(ONLY)) bash tests/crash.sh

# libFuzzer harnesses (clang): build, fuzz for FUZZ_SECONDS each, replay the
# saved corpus and crashes. (make check replays the same saved inputs with
# the harnesses built by gcc with ASan and UBSan: FUZZ_ENGINE=standalone.)
fuzz: setup
	@command -v clang >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq clang >/dev/null; } || true
	@bash tests/fuzz/build.sh && bash tests/fuzz/run.sh

fuzz-replay: setup
	@command -v clang >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq clang >/dev/null; } || true
	@bash tests/fuzz/build.sh && bash tests/fuzz/replay.sh

# Speed and memory, side by side with the floor and the peers (docs/performance.md).
bench: setup
	@$(MAKE) --no-print-directory all
	@bash tests/bench/run.sh $(BUILD)/ordergate

bench-profile: setup
	@$(MAKE) --no-print-directory all
	@bash tests/bench/profile.sh $(BUILD)/ordergate

clean:
	rm -rf build build-asan
