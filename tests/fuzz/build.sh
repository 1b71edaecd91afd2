#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/fuzz_*.c) with clang, linking
# the project's src/*.c except src/main.c, instrumented with libFuzzer,
# AddressSanitizer and UBSan (recoverable, so that run.sh can suppress findings
# already reported; run.sh and replay.sh set UBSAN_OPTIONS=halt_on_error=1).
#   FUZZ_BUILD       output folder (default build/fuzz)
#   CC               clang (default: clang)
#   FUZZ_SANITIZERS  default fuzzer,address,undefined
# Binaries: $FUZZ_BUILD/fuzz_{xml,csv,unpack,config}. A libFuzzer binary
# given files instead of folders runs each once (tests/fuzz/replay.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
OUT=${FUZZ_BUILD:-$ROOT/build/fuzz}
CC=${CC:-clang}
case $CC in *clang*) ;; *) CC=clang ;; esac
SAN=${FUZZ_SANITIZERS:-fuzzer,address,undefined}
PKGS="libxml-2.0 libxslt libexslt zlib libarchive sqlite3 inih libcrypto"
command -v "$CC" >/dev/null || { echo "fuzz-build: $CC not found (apt-get install clang)" >&2; exit 1; }
CFLAGS="-std=gnu11 -O1 -g -fno-omit-frame-pointer -fsanitize=$SAN
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
# -fsanitize=fuzzer-no-link coverage)
LIBSAN=${SAN/fuzzer/fuzzer-no-link}
objs=()
for c in "$ROOT"/src/*.c; do
	[ "$(basename "$c")" = main.c ] && continue
	o="$OUT/obj/$(basename "$c" .c).o"
	if [ ! -e "$o" ] || [ "$c" -nt "$o" ] || [ -n "$(find "$ROOT/src" -name '*.h' -newer "$o" | head -1)" ]; then
		echo "  CC      $c"
		# shellcheck disable=SC2086
		$CC ${CFLAGS/-fsanitize=$SAN/-fsanitize=$LIBSAN} -c "$c" -o "$o"
	fi
	objs+=("$o")
done
for h in "$here"/fuzz_*.c; do
	name=$(basename "$h" .c)
	echo "  LINK    $OUT/$name"
	# shellcheck disable=SC2086
	$CC $CFLAGS "$h" "${objs[@]}" $LIBS -o "$OUT/$name"
done
echo "fuzz-build: $(ls "$OUT"/fuzz_* | wc -l) harnesses in $OUT"
