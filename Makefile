# mlwb - a hand-written GNU Makefile (see README.md, Building).
#
#   make            build build/mlwb
#   make deps       install the Debian packages mlwb needs (as root), or print the line
#   make test       deps + build + every test (unit, CLI)
#   make asan       the same tests under AddressSanitizer and UBSan
#   make bench      the benchmarks in tests/bench (slow; figures in docs/benchmarks.md)
#   make demo       deps + build + the sample project
#   make install    PREFIX=/usr/local (or $HOME/.local, no root needed)

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/mlwb
MANDIR  ?= $(PREFIX)/share/man/man1

CC      ?= cc
BUILD   ?= build
PKGS    := ncursesw sqlite3 libgit2 yaml-0.1 plplot jansson libcrypto
DEB_PKGS := build-essential pkg-config libncurses-dev libsqlite3-dev libgit2-dev libyaml-dev \
	libplplot-dev plplot-driver-cairo libjansson-dev libssl-dev libcmocka-dev python3 git tmux \
	python3-numpy python3-scipy python3-pandas

# pkg-config runs lazily (=) so that `make test` on a bare machine can
# install the packages first and find them in the sub-make.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_LIBS  = $(shell pkg-config --libs cmocka 2>/dev/null)
# The engine links without curses or plplot: unit tests prove it.
ENGINE_PKGS := sqlite3 libgit2 yaml-0.1 jansson libcrypto
ENGINE_LIBS = $(shell pkg-config --libs $(ENGINE_PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wno-unused-parameter
OPT     ?= -O2 -g
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ifeq ($(SAN),1)
OPT     := -O1 -g $(SAN_FLAGS)
endif
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Iinclude $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(OPT) $(LDFLAGS)

# The engine: everything but the CLI (and, later, the TUI).  Unit tests link
# it without curses.
ENGINE_SRC := $(wildcard src/util/*.c src/store/*.c src/pipeline/*.c src/vcs/*.c src/artifacts/*.c src/exec/*.c src/expr/*.c src/registry/*.c src/chart/*.c src/compare/*.c src/monitor/*.c)
PLOT_SRC   := $(wildcard src/plot/*.c)
CLI_SRC    := $(wildcard src/cli/*.c src/tui/*.c src/plot/*.c)
ENGINE_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ    := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC  := $(wildcard tests/bench/*.c)
BENCH_BIN  := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

.PHONY: all deps test check asan bench demo install uninstall clean format

all: $(BUILD)/mlwb

# V=1 shows the commands.
Q := $(if $(V),,@)

$(BUILD)/mlwb: $(CLI_OBJ) $(BUILD)/libmlwb.a
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(BUILD)/libmlwb.a $(PKG_LIBS) -lm

$(BUILD)/libmlwb.a: $(ENGINE_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	$(Q)ar rcs $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmlwb.a
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -o $@ $< $(BUILD)/libmlwb.a $(ENGINE_LIBS) $(TEST_LIBS) -lm

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libmlwb.a
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -o $@ $< $(BUILD)/libmlwb.a $(ENGINE_LIBS) -lm

-include $(shell find $(BUILD)/obj $(BUILD)/tests $(BUILD)/bench -name '*.d' 2>/dev/null)

# ---- set-up ----
deps:
	@if pkg-config --exists $(PKGS) cmocka 2>/dev/null && command -v cc >/dev/null \
	    && command -v python3 >/dev/null && command -v git >/dev/null && command -v tmux >/dev/null \
	    && /usr/bin/python3 -c "import numpy, scipy, pandas" 2>/dev/null; then \
		echo "deps: all libraries found"; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "deps: installing $(DEB_PKGS)"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_PKGS) >/dev/null; \
	else \
		echo "deps: missing libraries; run:"; \
		echo "  sudo apt-get install -y $(DEB_PKGS)"; \
		exit 1; \
	fi

# ---- tests ----
test: deps
	@$(MAKE) --no-print-directory check

check: $(BUILD)/mlwb $(UNIT_BIN)
	@sh tests/run-unit.sh $(BUILD)
	@MLWB=$(abspath $(BUILD)/mlwb) sh tests/cli/run.sh

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 check

bench: deps
	@$(MAKE) --no-print-directory OPT="-O2 -g -DNDEBUG" $(BENCH_BIN) $(BUILD)/mlwb
	@sh tests/bench/run.sh $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/mlwb
	@sh samples/demo.sh $(abspath $(BUILD)/mlwb)

# ---- install ----
install: $(BUILD)/mlwb
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/themes $(DESTDIR)$(DATADIR)/python $(DESTDIR)$(MANDIR)
	install -m 755 $(BUILD)/mlwb $(DESTDIR)$(BINDIR)/mlwb
	$(if $(wildcard themes/*.yaml),install -m 644 themes/*.yaml $(DESTDIR)$(DATADIR)/themes/)
	install -m 644 src/python/mlwb.py $(DESTDIR)$(DATADIR)/python/mlwb.py
	install -m 644 docs/mlwb.1 $(DESTDIR)$(MANDIR)/mlwb.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mlwb $(DESTDIR)$(MANDIR)/mlwb.1
	rm -f $(DESTDIR)$(DATADIR)/python/mlwb.py $(addprefix $(DESTDIR)$(DATADIR)/themes/,$(notdir $(wildcard themes/*.yaml)))
	-rmdir $(DESTDIR)$(DATADIR)/python $(DESTDIR)$(DATADIR)/themes $(DESTDIR)$(DATADIR) 2>/dev/null

format:
	clang-format -i $(ENGINE_SRC) $(CLI_SRC) include/mlwb/*.h tests/unit/*.c

clean:
	rm -rf build
