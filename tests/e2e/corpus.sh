#!/bin/sh
# Bad inputs, each with its expected one-line error:
#   tests/corpus/forms/NAME.csv      `form check` prints NAME.err exactly, exits 1
#   tests/corpus/forms/good/*.csv    `form check` prints nothing, exits 0
#   tests/corpus/answers/NAME.json   `form fill form.csv` prints NAME.err, exits 1
#   tests/corpus/expr/bad.tsv        EXPRESSION<TAB>ERROR: a calculate with that
#                                    expression fails `form check` with ERROR
. "$FV_SRCDIR/tests/e2e/lib.sh"

cd "$FV_SRCDIR/tests/corpus/forms" || exit 1
for f in *.csv; do
	got=$("$FV_BIN" form check "$f" 2>&1)
	rc=$?
	want=$(cat "${f%.csv}.err")
	is "$got (exit $rc)" "$want (exit 1)" "bad form $f"
done
for f in good/*.csv; do
	got=$("$FV_BIN" form check "$f" 2>&1)
	rc=$?
	is "$got (exit $rc)" " (exit 0)" "good form $f"
done

cd "$FV_SRCDIR/tests/corpus/answers" || exit 1
for f in *.json; do
	got=$("$FV_BIN" form fill form.csv --answers "$f" 2>&1 >/dev/null)
	rc=$?
	want=$(cat "${f%.json}.err")
	is "$got (exit $rc)" "$want (exit 1)" "bad answers $f"
done

tab=$(printf '\t')
while IFS="$tab" read -r expr err; do
	case "$expr" in ''|'#'*) continue ;; esac
	{
		printf 'survey,type,name,label,calculation\n'
		printf ',integer,age,Age,\n,text,name,Name,\n'
		printf ',calculate,c,,"%s"\n' "$(printf '%s' "$expr" | sed 's/"/""/g')"
		printf 'settings,form_id,version\n,t,1\n'
	} > "$TMP/expr.csv"
	got=$(cd "$TMP" && "$FV_BIN" form check expr.csv 2>&1)
	rc=$?
	is "$got (exit $rc)" "fieldvisit: expr.csv:4: calculation: $err (exit 1)" "bad expression: $expr"
done < "$FV_SRCDIR/tests/corpus/expr/bad.tsv"

tap_done
