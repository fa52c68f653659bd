#!/bin/sh
# Each outside library is included by exactly one module (STYLE.md), and
# every module's header stands on its own.
. "$FV_SRCDIR/tests/e2e/lib.sh"
cd "$FV_SRCDIR" || exit 1

check() {  # PATTERN ALLOWED-DIR NAME
	hits=$(grep -rlE --include='*.[ch]' "#[[:space:]]*include[[:space:]]*[<\"]($1)[>\"]" src include |
		grep -v "^src/$2/")
	is "$hits" "" "$3 is included only in src/$2/"
}
check 'sqlite3\.h' store sqlite3.h
check 'sodium\.h|sodium/[a-z_]+\.h' vault sodium.h
check 'zlib\.h' sync zlib.h
check 'n?curses(w)?\.h|ncursesw/[a-z]+\.h' ui curses.h

# libsodium's prefix is its own: our wrappers are vault_*.
hits=$(grep -rnE --include='*.[ch]' '^[a-z_ *]*[[:space:]*]crypto_[a-z0-9_]+\(' src include | grep -v '^src/vault/')
is "$hits" "" "no crypto_* functions defined outside src/vault"

# Every public header compiles on its own.
for h in include/fieldvisit/*.h; do
	printf '#include "%s"\n' "${h#include/}" > "$TMP/h.c"
	${CC:-cc} -std=gnu11 -fsyntax-only -Wall -Wextra -Iinclude "$TMP/h.c" 2> "$TMP/err"
	ok $? "header $h is self-contained"
	sed 's/^/# /' "$TMP/err"
done

# C code holds no Chinese strings: texts live in forms/ and assets/.
hits=$(grep -rlP --include='*.[ch]' '[\x{4e00}-\x{9fff}]' src include 2>/dev/null)
is "$hits" "" "no Chinese text in C sources"

tap_done
