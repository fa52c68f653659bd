#!/bin/sh
# The KEYS section of fieldvisit(1) is the screens' action table: the man
# page and the table must not disagree (`make man-keys` rewrites it).
. "$FV_SRCDIR/tests/e2e/lib.sh"

"$FV_BIN" ui-keys-man > "$TMP/keys" 2> "$TMP/err"
ok $? "ui-keys-man prints the section"
grep -q '^\.TP' "$TMP/keys"
ok $? "the section lists keys"
awk '/^\.SH KEYS/ { on = 1 } on && /^\.SH / && !/^\.SH KEYS/ { on = 0 } on' \
	"$FV_SRCDIR/man/fieldvisit.1" > "$TMP/man"
is "$(cat "$TMP/man")" "$(cat "$TMP/keys")" \
	"man/fieldvisit.1 KEYS matches the action table (run 'make man-keys')"

# every key of the table's help line is named in the man page
for k in '\fBF12\fR' '\fBq\fR' '\fBEsc\fR' '\fBF1\fR'; do
	grep -qF "$k" "$FV_SRCDIR/man/fieldvisit.1"
	ok $? "man page names $k"
done
tap_done
