#!/bin/sh
# fieldvisit report through the real binary:
#   tests/corpus/report/bad_args.tsv   ARGUMENTS<TAB>ERROR: each bad command line
#                                      gives exactly that one line and exit 2
#   a small store: --out writes the file and prints its path, the default
#   period is this month, and the numbers agree between formats.
. "$FV_SRCDIR/tests/e2e/lib.sh"
export FIELDVISIT_NOW=2026-11-23T10:00:00 FIELDVISIT_TEST_FAST_KDF=1
export FIELDVISIT_PASSPHRASE='correct horse battery' FIELDVISIT_STORE="$TMP/s.fv"

# a store, so that arguments checked against its rule tables (--caller)
# are checked too
"$FV_BIN" init --role supervisor --name sup --recovery-key "$TMP/rk" >/dev/null 2>&1

tab=$(printf '\t')
while IFS="$tab" read -r args want; do
	case "$args" in "#"*) continue ;; -) args= ;; esac
	# shellcheck disable=SC2086
	got=$("$FV_BIN" report $args 2>&1 >/dev/null)
	rc=$?
	is "$got (exit $rc)" "$want (exit 2)" "report $args"
done < "$FV_SRCDIR/tests/corpus/report/bad_args.tsv"

"$FV_BIN" generate --persons 30 --visits 300 --seed 2 >/dev/null 2>&1
ok $? "a store with generated data"

got=$("$FV_BIN" report coverage --format json --out "$TMP/cov.json")
is "$got" "$TMP/cov.json" "--out prints the path of the file written"
grep -q '"period": "2026-11"' "$TMP/cov.json"
ok $? "... the default period is this month"
[ "$(stat -c %a "$TMP/cov.json")" = 600 ]
ok $? "... readable by its owner only (it names people)"

# the summary's numbers in JSON, CSV and text are the same
"$FV_BIN" report coverage --format csv --bom --out "$TMP/cov.csv" >/dev/null
[ "$(head -c 3 "$TMP/cov.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ]
ok $? "--bom starts the CSV with a UTF-8 BOM"
csv=$(tr -d '\r' < "$TMP/cov.csv" | awk -F, '/^summary/{s=1;next} s&&/^all,/{print $2" "$3" "$4; exit}')
json=$(tr -d ' \n' < "$TMP/cov.json" | sed 's/.*"summary"//' |
	grep -o '{"rule":"all","due":[0-9]*,"done":[0-9]*,"percent":[0-9.]*' |
	sed 's/.*"due":\([0-9]*\),"done":\([0-9]*\),"percent":\([0-9.]*\)/\1 \2 \3/')
text=$("$FV_BIN" report coverage | awk '$1=="all"{print $2" "$3" "$4; exit}')
[ -n "$csv" ] && [ "$csv" = "$json" ] && [ "$csv" = "$text" ]
ok $? "coverage in CSV, JSON and text: the same numbers ($csv | $json | $text)"

"$FV_BIN" report anomalies --format html --out "$TMP/a.html" >/dev/null
! grep -qi '<script' "$TMP/a.html" && grep -q '<svg' "$TMP/a.html" && grep -q '@page { size: A4' "$TMP/a.html"
ok $? "HTML: inline SVG, A4, no script"

"$FV_BIN" report services --out "$TMP/no/such/dir/x.txt" >/dev/null 2>"$TMP/err"
rc=$?
[ "$rc" -eq 4 ] && [ "$(wc -l < "$TMP/err")" -eq 1 ]
ok $? "--out into a missing folder: exit 4, one line"

"$FV_BIN" report --help | grep -q 'anomalies'
ok $? "report --help"
"$FV_BIN" --help | grep -q '^  report'
ok $? "report is in fieldvisit --help"
tap_done
