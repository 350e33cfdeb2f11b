# kblog: convenience targets.  The two commands in README.md
# (scripts/run and tests/run) are what users and CI call; they use these.

FLAVOR	?= dev
BUILD	 = build/$(FLAVOR)/kblog
CC	?= cc

# Pure code (src/lib/): no Kore headers, unit-tested and fuzzed on its
# own.
PURE_SRCS = $(wildcard src/lib/*.c)
PURE_OBJS = $(patsubst src/lib/%.c,build/unit/lib/%.o,$(PURE_SRCS))
PURE_OBJS_SAN = $(patsubst src/lib/%.c,build/unit-san/lib/%.o,$(PURE_SRCS))
UNIT_LIBS = -lcmocka -lpq -lcrypto -ljansson -lsodium -lcmark-gfm \
	    -lcmark-gfm-extensions -lcurl -lunistring -lz $(VIPS_FLAGS)
# libvips (src/lib/image.c): its headers need GLib's include folders.
VIPS_FLAGS := $(shell pkg-config --cflags --libs vips 2>/dev/null)
VIPS_CFLAGS := $(shell pkg-config --cflags vips 2>/dev/null)
# Real image files for tests/unit/test_image.c, made before the unit tests.
FIXTURES = build/fixtures/images/MANIFEST
UNIT_CFLAGS = -std=gnu99 -D_GNU_SOURCE -Wall -Wextra -Werror -g -Isrc \
	    -I/usr/include/postgresql
UNIT_TESTS = $(patsubst tests/unit/%.c,build/unit/%,$(wildcard tests/unit/test_*.c))
UNIT_TESTS_SAN = $(patsubst tests/unit/%.c,build/unit-san/%,$(wildcard tests/unit/test_*.c))
SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
      -fno-omit-frame-pointer

.PHONY: all build run test unit unit-san clean deps

all: build

# kodev names the module after the folder it runs in: build it in a folder
# called kblog whose src/, assets/, conf/ and sql/ link back here.
build:
	@mkdir -p $(BUILD)
	@for d in src assets conf sql; do \
		ln -sfn ../../../$$d $(BUILD)/$$d; done
	@cd $(BUILD) && if [ "$$(cat .flavor 2>/dev/null)" != "$(FLAVOR)" ]; \
		then kodev flavor $(FLAVOR) >/dev/null; fi
	@# kodev rebuilds a .c only when it changed, not when a header it
	@# includes did: after any header or build.conf change, rebuild all.
	@cd $(BUILD) && if [ -f kblog.so ] && [ -n "$$(find -L src conf \
		-newer kblog.so \( -name '*.h' -o -name build.conf \) \
		2>/dev/null)" ]; then kodev clean >/dev/null; fi
	@cd $(BUILD) && CFLAGS="$(strip $(CFLAGS) $(VIPS_CFLAGS))" kodev build

run:
	scripts/run

test:
	tests/run

unit: $(FIXTURES) $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done

unit-san: $(FIXTURES) $(UNIT_TESTS_SAN)
	@set -e; for t in $(UNIT_TESTS_SAN); do echo "== $$t (asan+ubsan)"; \
		ASAN_OPTIONS=detect_leaks=1 $$t; done

# The pure code is compiled once per flavor, then linked into each test.
build/unit/lib/%.o: src/lib/%.c $(wildcard src/lib/*.h)
	@mkdir -p build/unit/lib
	$(CC) $(UNIT_CFLAGS) $(VIPS_CFLAGS) -c -o $@ $<

build/unit-san/lib/%.o: src/lib/%.c $(wildcard src/lib/*.h)
	@mkdir -p build/unit-san/lib
	$(CC) $(UNIT_CFLAGS) $(VIPS_CFLAGS) $(SAN) -c -o $@ $<

build/unit/test_%: tests/unit/test_%.c $(PURE_OBJS) $(wildcard src/lib/*.h) \
		$(wildcard tests/unit/*.h)
	$(CC) $(UNIT_CFLAGS) $(VIPS_CFLAGS) -o $@ $< $(PURE_OBJS) $(UNIT_LIBS)

build/unit-san/test_%: tests/unit/test_%.c $(PURE_OBJS_SAN) \
		$(wildcard src/lib/*.h) $(wildcard tests/unit/*.h)
	$(CC) $(UNIT_CFLAGS) $(VIPS_CFLAGS) $(SAN) -o $@ $< $(PURE_OBJS_SAN) \
		$(UNIT_LIBS)

$(FIXTURES): tests/images/make_fixtures.py
	@/usr/bin/python3 tests/images/make_fixtures.py build/fixtures/images

# Time and memory of processing one image: build/bench/image_bench FILE.
build/bench/image_bench: tests/bench/image_bench.c src/lib/image.c \
		src/lib/imagefmt.c src/lib/image.h src/lib/imagefmt.h
	@mkdir -p build/bench
	$(CC) $(UNIT_CFLAGS) -O2 -o $@ tests/bench/image_bench.c \
		src/lib/image.c src/lib/imagefmt.c $(VIPS_FLAGS)

# The benchmark's SQL printer: the module's statements, for pgbench.
SQL_SRCS = $(filter-out src/db/db.c src/db/migrate.c,$(wildcard src/db/*.c))
build/bench/sqldump: tests/bench/sqldump.c $(SQL_SRCS) $(wildcard src/db/*.h)
	@mkdir -p build/bench
	$(CC) -DKORE_USE_PGSQL -DKORE_USE_TASKS -I/usr/include/postgresql \
		-Isrc -ffunction-sections -fdata-sections -Wl,--gc-sections \
		-o $@ tests/bench/sqldump.c $(SQL_SRCS)

clean:
	rm -rf build
