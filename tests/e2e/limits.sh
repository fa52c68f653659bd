#!/bin/sh
# Resource limits through the real program (tests/unit/test_limits.c has
# the forms engine and the inflation cap; `make bench-limits` a million
# visits):
#   - a form of 2,000 questions is checked, installed and a visit of it
#     submitted;
#   - a person with 10,000 visits: person show, the visit list, the
#     schedule (visit list --due) still work;
#   - normal commands run under a 256 MB address-space limit (ulimit -v),
#     the store of 10,000 visits included (skipped for a sanitizer or
#     valgrind build, whose shadow memory alone is larger);
#   - a bundle file over 1 GiB (sparse: nothing is written) is refused
#     before it is read.
. "$FV_SRCDIR/tests/e2e/lib.sh"
cd "$TMP" || exit 1
export FIELDVISIT_TEST_FAST_KDF=1 FIELDVISIT_NOW=2026-11-23T10:00:00
export XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config"
unset FIELDVISIT_STORE FIELDVISIT_PASSPHRASE FIELDVISIT_FAULT 2> /dev/null
echo 'correct horse battery' > pass
W="--store w.fv --passphrase-file pass"

# the address-space limit, when this build can run under it at all
limit=262144
# (a shell of its own reports the abort of a sanitizer build, silently;
# valgrind starts under the limit but runs out of memory later)
if [ "${FV_VALGRIND:-}" != 1 ] &&
	sh -c 'ulimit -v "$1" && "$2" --version' sh $limit "$FV_BIN" > /dev/null 2>&1; then
	limited() { (ulimit -v $limit && "$FV_BIN" "$@"); }
	skip_limit=""
else
	limited() { "$FV_BIN" "$@"; }
	skip_limit=" # SKIP this build cannot run under ulimit -v $limit (sanitizer or valgrind)"
fi

run limited init --role worker --name 王芳 --store w.fv --passphrase-file pass --recovery-key w.key
ok $rc "init under ulimit -v $limit$skip_limit"
run limited person add $W --name 张三 --id 11010519491231002X --sex female --birth 1949-12-31 \
	--village 东村 --category gaoling
P=$out
ok $rc "person add under the limit$skip_limit"

# A form of 2,000 questions: the generated form of bench_form (see
# tests/bench/bench.h), integers and select_ones in groups of 25, each
# relevant on the one before, a running total chained through all of them.
awk -v sq="'" 'BEGIN {
	q = 2000; g = 25
	print "survey,type,name,label,required,constraint,relevant,calculation"
	for (i = 1; i <= q; i++) {
		if ((i - 1) % g == 0) {
			n = (i - 1) / g + 1
			printf ",begin_group,g_%d,Section %d,,,", n, n
			if (n > 1) printf "${s_%d} < 100000", i - 1
			print ","
		}
		req = i % 5 == 0 ? "yes" : ""
		if (i % 2) printf ",integer,q_%d,Question %d: how many days?,%s,. >= 0 and . <= 99,", i, i, req
		else printf ",select_one scale,q_%d,Question %d: how often?,%s,,", i, i, req
		if (i > 1) printf "${q_%d} != 99", i - 1
		print ","
		if (i == 1) print ",calculate,s_1,,,,,\"coalesce(${q_1}, 0)\""
		else printf ",calculate,s_%d,,,,,\"${s_%d} + coalesce(${q_%d}, 0)\"\n", i, i - 1, i
		if (i % g == 0) print ",end_group,,,,,,"
	}
	printf ",calculate,score,Total,,,,${s_%d}\n", q
	printf ",calculate,band,Band,,,${score} != %s%s,", sq, sq
	printf "\"if(${score} >= 1000, %shigh%s, if(${score} >= 500, %smedium%s, %slow%s))\"\n", sq, sq, sq, sq, sq, sq
	print "choices,list_name,name,label"
	print ",scale,0,Never\n,scale,1,Sometimes\n,scale,2,Often\n,scale,3,Always\n,scale,99,Refused"
	print "settings,form_id,version\n,big,1"
}' > big.csv
# the required ones (every fifth) answered 1: a score of 400
awk 'BEGIN { printf "{"; for (i = 5; i <= 2000; i += 5) printf "%s\"q_%d\":\"1\"", (i > 5 ? "," : ""), i; print "}" }' > big.json
run fv form check big.csv
is "$rc $out$err" "0 " "form check of a 2,000-question form"
run limited visit submit ./big.csv --person "$P" --answers big.json $W
V=$out
ok $rc "a visit of the 2,000-question form is submitted (under the limit)$skip_limit"
run fv visit show "$V" --json $W
has "$out" '"score": 400' "... with its score"

# A person with 10,000 visits (the only active person: generate gives them
# every visit).
run fv generate --persons 0 --visits 10000 --seed 7 $W
has "$out" "and 10000 visits" "10,000 visits generated for one person"
run limited person show "$P" $W
has "$rc $out" "^0 id  *$P" "person show of a person with 10,000 visits$skip_limit"
run limited visit list --person "$P" $W
is "$rc $(printf '%s\n' "$out" | wc -l)" "0 10002" "visit list --person: every visit (under the limit)$skip_limit"
run limited visit list --due --person "$P" --date 2027-06-01 --json $W
has "$rc $out" "^0 \[" "visit list --due for that person (under the limit)$skip_limit"
has "$out" "\"person\": \"$P\"" "... and the person is due by then"
run limited visit list --due $W
ok $rc "visit list --due of the store (under the limit)$skip_limit"
run limited check $W
is "$rc $out" "0 ok" "check of the store (under the limit)$skip_limit"
run limited export --format csv --to out $W
ok $rc "export of 10,000 visits to CSV (under the limit)$skip_limit"
is "$(wc -l < out/visits.csv | tr -d ' ')" 10002 "... every visit in the file"

# more normal commands under the limit
echo '{"q1":1,"q2":1,"q3":1,"q4":1,"q5":1,"q6":1,"q7":1,"q8":1,"q9":2}' > p9.json
run limited visit submit phq9 --person "$P" --answers p9.json $W
ok $rc "visit submit raising an alert (under the limit)$skip_limit"
run limited alert list $W
ok $rc "alert list (under the limit)$skip_limit"
run limited person list $W
ok $rc "person list (under the limit)$skip_limit"
run limited report overdue --store w.fv --passphrase-file pass
ok $rc "report overdue (under the limit)$skip_limit"
echo 'another horse battery' > pass2
run limited passwd $W --new-passphrase-file pass2
ok $rc "passwd (under the limit)$skip_limit"
run limited person list --store w.fv --passphrase-file pass2
ok $rc "... and the store opens with the new one$skip_limit"

# a bundle file over 1 GiB, sparse: refused at once, without being read
truncate -s 1073741825 big.fvb 2> /dev/null || dd if=/dev/zero of=big.fvb bs=1 count=0 seek=1073741825 2> /dev/null
run limited bundle inspect big.fvb
is "$rc $err" "1 fieldvisit: big.fvb: too large (1073741825 bytes; at most 1073741824)" \
	"bundle inspect of a 1 GiB + 1 file is refused (under the limit)$skip_limit"
run limited bundle import big.fvb --store w.fv --passphrase-file pass2
is "$rc $err" "1 fieldvisit: big.fvb: too large (1073741825 bytes; at most 1073741824)" \
	"bundle import of it too$skip_limit"
rm -f big.fvb
# a file of exactly 1 GiB that is not a bundle: refused on its first bytes,
# the rest not read (under the limit it could not be)
truncate -s 1073741824 big.fvb 2> /dev/null || dd if=/dev/zero of=big.fvb bs=1 count=0 seek=1073741824 2> /dev/null
run limited bundle inspect big.fvb
is "$rc $err" "1 fieldvisit: big.fvb: not a fieldvisit bundle" \
	"bundle inspect of 1 GiB that is not a bundle: refused on its magic (under the limit)$skip_limit"
run limited bundle import big.fvb --store w.fv --passphrase-file pass2
is "$rc $err" "1 fieldvisit: big.fvb: not a fieldvisit bundle" \
	"bundle import of it too$skip_limit"
rm -f big.fvb
tap_done
