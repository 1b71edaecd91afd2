#!/usr/bin/env bash
# Builds the fuzz harnesses (tests/fuzz/fuzz_*.c), linking the project's
# src/*.c except src/main.c, with AddressSanitizer and UBSan.
#   FUZZ_ENGINE=libfuzzer (default): clang, instrumented with libFuzzer; UBSan
#       recoverable, so that run.sh can suppress findings already reported
#       (run.sh and replay.sh set UBSAN_OPTIONS=halt_on_error=1).
#   FUZZ_ENGINE=standalone: the system compiler (gcc; FUZZ_CC to change it),
#       no libFuzzer: tests/fuzz/standalone.c is the main(), running each
#       file named once; every sanitizer fatal. No dependency beyond
#       build-essential: this is what `make check` replays with.
#   FUZZ_BUILD       output folder (default build/fuzz, or build/fuzz-standalone)
#   CC               clang (default: clang; libfuzzer only)
#   FUZZ_SANITIZERS  default fuzzer,address,undefined (standalone: address,undefined)
# Binaries: $FUZZ_BUILD/fuzz_{xml,csv,unpack,config}. Either kind given
# files instead of folders runs each once (tests/fuzz/replay.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
ENGINE=${FUZZ_ENGINE:-libfuzzer}
PKGS="libxml-2.0 libxslt libexslt zlib libarchive sqlite3 inih libcrypto"
if [ "$ENGINE" = standalone ]; then
	OUT=${FUZZ_BUILD:-$ROOT/build/fuzz-standalone}
	CC=${FUZZ_CC:-cc}
	SAN=${FUZZ_SANITIZERS:-address,undefined}
	MAIN="$here/standalone.c"
	EXTRA="-fno-sanitize-recover=all"
else
	OUT=${FUZZ_BUILD:-$ROOT/build/fuzz}
	CC=${CC:-clang}
	case $CC in *clang*) ;; *) CC=clang ;; esac
	SAN=${FUZZ_SANITIZERS:-fuzzer,address,undefined}
	MAIN=
	EXTRA=
fi
command -v "$CC" >/dev/null || { echo "fuzz-build: $CC not found (apt-get install clang)" >&2; exit 1; }
CFLAGS="-std=gnu11 -O1 -g -fno-omit-frame-pointer -fsanitize=$SAN $EXTRA
        -DOG_VERSION=\"0.1.0\" -DOG_DATADIR=\"$ROOT\" -I$ROOT/src $(pkg-config --cflags $PKGS)"
LIBS=$(pkg-config --libs $PKGS)
mkdir -p "$OUT/obj"
# objects built with other flags are rebuilt
if [ "$(cat "$OUT/obj/flags" 2>/dev/null)" != "$CC $CFLAGS" ]; then
	rm -f "$OUT"/obj/*.o
	echo "$CC $CFLAGS" > "$OUT/obj/flags"
fi
# the engine, compiled once with the same instrumentation (libFuzzer's main
# comes from -fsanitize=fuzzer at link time, so src/*.c carry only
# -fsanitize=fuzzer-no-link coverage); FUZZ_JOBS compilers at once
LIBSAN=${SAN/fuzzer/fuzzer-no-link}
JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
objs=()
for c in "$ROOT"/src/*.c; do
	[ "$(basename "$c")" = main.c ] && continue
	o="$OUT/obj/$(basename "$c" .c).o"
	if [ ! -e "$o" ] || [ "$c" -nt "$o" ] || [ -n "$(find "$ROOT/src" -name '*.h' -newer "$o" | head -1)" ]; then
		echo "  CC      $c"
		rm -f "$o"
		while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
		# shellcheck disable=SC2086
		{ $CC ${CFLAGS/-fsanitize=$SAN/-fsanitize=$LIBSAN} -c "$c" -o "$o.tmp" && mv "$o.tmp" "$o"; } &
	fi
	objs+=("$o")
done
wait
# a failed compile leaves no object
for o in "${objs[@]}"; do [ -e "$o" ] || { echo "fuzz-build: $o was not built" >&2; exit 1; }; done
for h in "$here"/fuzz_*.c; do
	name=$(basename "$h" .c)
	echo "  LINK    $OUT/$name"
	# shellcheck disable=SC2086
	$CC $CFLAGS "$h" $MAIN "${objs[@]}" $LIBS -o "$OUT/$name"
done
if [ "$ENGINE" = standalone ]; then
	# replay.sh's proof that the sanitizers bite (tests/fuzz/selftest.c)
	# shellcheck disable=SC2086
	$CC $CFLAGS "$here/selftest.c" $MAIN -o "$OUT/selftest"
fi
echo "fuzz-build: $(ls "$OUT"/fuzz_* | wc -l) harnesses in $OUT"
