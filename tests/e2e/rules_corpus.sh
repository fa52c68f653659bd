#!/bin/sh
# The rule tables and `fieldvisit rules check`:
#   tests/corpus/rules/NAME/      a complete rule set with one broken table:
#                                 `rules check NAME` prints NAME.err exactly
#                                 and exits 1
#   assets/rules/                 the shipped tables load (exit 0), found by
#                                 default, by $FIELDVISIT_ASSETS_DIR or by DIR
#   unreadable folders and files  exit 4; command line mistakes exit 2
. "$FV_SRCDIR/tests/e2e/lib.sh"
unset FIELDVISIT_ASSETS_DIR

cd "$FV_SRCDIR/tests/corpus/rules" || exit 1
n=0
for d in */; do
	name=${d%/}
	got=$("$FV_BIN" rules check "$name" 2>&1)
	rc=$?
	want=$(cat "$name.err")
	is "$got (exit $rc)" "$want (exit 1)" "bad rules $name"
	n=$((n + 1))
done
[ "$n" -ge 20 ]
ok $? "the corpus has at least 20 cases ($n)"

tables='visit_frequency festivals satisfaction callbacks services hotlines settings'
listing=$(printf 'TABLE            VERSION  EFFECTIVE\n'
	for t in $tables; do printf '%-16s 1        2026-01-01\n' "$t"; done)

got=$("$FV_BIN" rules check "$FV_SRCDIR/assets/rules" 2>&1)
is "$got (exit $?)" "$listing (exit 0)" "the shipped tables load"
got=$("$FV_BIN" rules check 2>&1)
is "$got (exit $?)" "$listing (exit 0)" "... and are found by default"

mkdir -p "$TMP/assets/rules"
cp "$FV_SRCDIR"/assets/rules/*.csv "$TMP/assets/rules/"
sed 's/^settings,1,/settings,2,/' "$FV_SRCDIR/assets/rules/settings.csv" \
	> "$TMP/assets/rules/settings.csv"
got=$(FIELDVISIT_ASSETS_DIR="$TMP/assets" "$FV_BIN" rules check 2>&1)
is "$(printf '%s\n' "$got" | grep '^settings')" "settings         2        2026-01-01" \
	"FIELDVISIT_ASSETS_DIR gives another rules folder"

rm "$TMP/assets/rules/hotlines.csv"
got=$("$FV_BIN" rules check "$TMP/assets/rules" 2>&1)
is "$got (exit $?)" \
	"fieldvisit: $TMP/assets/rules/hotlines.csv: cannot open: No such file or directory (exit 4)" \
	"a missing table: exit 4, naming the file"
got=$("$FV_BIN" rules check "$TMP/nowhere" 2>&1)
is "$got (exit $?)" \
	"fieldvisit: $TMP/nowhere: cannot open the rules folder: No such file or directory (exit 4)" \
	"a missing folder: exit 4, one line"

"$FV_BIN" rules > /dev/null 2>&1
is "$?" 2 "rules without a subcommand: exit 2"
"$FV_BIN" rules list > /dev/null 2>&1
is "$?" 2 "an unknown subcommand: exit 2"
got=$("$FV_BIN" rules check a b 2>&1)
is "$got (exit $?)" \
	"fieldvisit: rules check: unexpected argument 'b' (see 'fieldvisit rules check --help') (exit 2)" \
	"two folders: exit 2"
got=$("$FV_BIN" rules check --strict 2>&1)
is "$got (exit $?)" \
	"fieldvisit: rules check: unknown option '--strict' (see 'fieldvisit rules check --help') (exit 2)" \
	"an unknown option: exit 2"
"$FV_BIN" rules check --help | grep -q '^Usage: fieldvisit rules check \[DIR\]'
ok $? "rules check --help"
"$FV_BIN" --help | grep -q '^  rules  *check rule tables'
ok $? "rules is in fieldvisit --help"

tap_done
