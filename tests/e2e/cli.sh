#!/bin/sh
# The command line: exit codes, error lines, --help, --version, form fill
# of the shipped forms.
. "$FV_SRCDIR/tests/e2e/lib.sh"
cd "$FV_SRCDIR" || exit 1

out=$("$FV_BIN" --version); rc=$?
case "$out" in "fieldvisit "[0-9]*) r=0 ;; *) r=1 ;; esac
ok $((r + rc)) "--version prints the version"

"$FV_BIN" --help | grep -q '^Usage: fieldvisit'
ok $? "--help prints usage on stdout"
"$FV_BIN" form --help | grep -q 'form fill'
ok $? "form --help lists fill"

"$FV_BIN" > /dev/null 2>&1; is "$?" 2 "no command is a usage error (2)"
err=$("$FV_BIN" frobnicate 2>&1); rc=$?
is "$err (exit $rc)" "fieldvisit: unknown command 'frobnicate' (see 'fieldvisit --help') (exit 2)" \
	"unknown command"
err=$("$FV_BIN" form fill 2>&1); rc=$?
is "$rc" 2 "form fill without a form is a usage error"
err=$("$FV_BIN" form fill forms/phq9.csv --bogus 2>&1); is "$?" 2 "unknown option is a usage error"
err=$("$FV_BIN" form fill forms/phq9.csv --lang fr 2>&1); rc=$?
is "$err (exit $rc)" "fieldvisit: form fill: unknown language 'fr' (the form has zh, en) (exit 2)" \
	"unknown language"
err=$("$FV_BIN" form check /nonexistent.csv 2>&1); rc=$?
is "$err (exit $rc)" "fieldvisit: /nonexistent.csv: cannot open: No such file or directory (exit 4)" \
	"missing form file"
err=$("$FV_BIN" form check "$TMP" 2>&1); rc=$?
is "$err (exit $rc)" "fieldvisit: $TMP: cannot read: Is a directory (exit 4)" \
	"a directory is not a form"

out=$("$FV_BIN" form check forms/*.csv 2>&1); rc=$?
is "$out (exit $rc)" " (exit 0)" "every shipped form passes form check"

# A full PHQ-9 from standard input.
out=$(printf '{"q1":1,"q2":2,"q3":"3","q4":0,"q5":0,"q6":0,"q7":0,"q8":0,"q9":1}' |
	"$FV_BIN" form fill forms/phq9.csv --answers - --lang en); rc=$?
is "$rc" 0 "form fill of a complete PHQ-9 exits 0"
echo "$out" | grep -q '"score": "7"'; ok $? "PHQ-9 score 7"
echo "$out" | grep -q '"band": "mild"'; ok $? "PHQ-9 band mild"
echo "$out" | grep -q '"name": "item9"'; ok $? "PHQ-9 item 9 alert raised"
echo "$out" | grep -q '"valid": true'; ok $? "valid is true"

# Missing answers: exit 1 and errors naming the questions.
out=$(printf '{"q1":1}' | "$FV_BIN" form fill forms/gad7.csv --answers -); rc=$?
is "$rc" 1 "incomplete GAD-7 exits 1"
echo "$out" | grep -q '"name": "q2"'; ok $? "the error names q2"
echo "$out" | grep -q '"valid": false'; ok $? "valid is false"
echo "$out" | grep -q '"score"'; ok $? "score is still reported"

out=$(printf '{"q1":7}' | "$FV_BIN" form fill forms/gad7.csv --answers -); rc=$?
echo "$out" | grep -q "'7' is not a choice of list"; ok $? "an answer outside the list is an error"
out=$(printf '{"nosuch":1}' | "$FV_BIN" form fill forms/gad7.csv --answers -)
echo "$out" | grep -q 'no such question in the form'; ok $? "unknown answer names are errors"

tap_done
