#!/bin/sh
# Schedules on the command line: `visit list --due|--overdue [--date D]`
# and the next visit proposed after `visit submit`, over a store whose
# clock is pinned (FIELDVISIT_NOW).  Dates worked out by hand from the
# shipped rules (fieldvisit-rules(5)).
. "$FV_SRCDIR/tests/e2e/lib.sh"
cd "$TMP" || exit 1

export FIELDVISIT_TEST_FAST_KDF=1 FIELDVISIT_PASSPHRASE=correct-horse-1
export FIELDVISIT_FORMS_DIR="$FV_SRCDIR/forms" FIELDVISIT_STORE="$TMP/s.fv"
unset FIELDVISIT_ASSETS_DIR
at() { FIELDVISIT_NOW=$1; export FIELDVISIT_NOW; }

# registered on 1 September 2026
at 2026-09-01T09:00:00
fv init --role worker --name 王芳 --store "$TMP/s.fv" > /dev/null 2>&1
ok $? "a store"
A=$(fv person add --name 张大爷 --id 11010519491231002X --sex female --birth 1949-12-31 \
	--village 东村 --category zili 2>&1)
B=$(fv person add --name 李红 --id 320102199507150029 --sex female --birth 1995-07-15 \
	--village 西村 --category ec_user 2>&1)
C=$(fv person add --name 王叔 --id 320102195507150012 --sex male --birth 1955-07-15 \
	--village 东村 --category shidu 2>&1)
printf '%s\n%s\n%s\n' "$A" "$B" "$C" | grep -c '^[0-9a-f-]\{36\}$' | grep -qx 3
ok $? "three people: 自理, emergency contraception, 失独"

# a home visit of 70 minutes to A on 10 October: the next one is proposed
# 31 days on (October's length over its one visit), on 10 November
at 2026-10-10T12:00:00
cat > home.json <<'EOF'
{"checkin": "OK", "visit_type": "regular", "met": "self", "services": ["comfort", "errands"], "living": "alone", "health_change": "no", "emergency": "no", "checkout": "OK"}
EOF
run fv visit submit home_visit --person "$A" --answers home.json \
	--checkin 2026-10-10T09:00 --checkout 2026-10-10T10:10 --services comfort,errands
is "$rc" 0 "a home visit"
is "$err" "next visit proposed: 2026-11-10 (zili: 1 a month, at least 60 minutes each)" \
	"the next visit is proposed from the rules"
run fv visit submit home_visit --person "$A" --answers home.json \
	--checkin 2026-10-10T11:00 --checkout 2026-10-10T11:20 --json
printf '%s' "$out" | tr -d ' \n' | grep -q '"next_visit":{"date":"2026-11-10","for":{"type":"regular","state":"upcoming"'
ok $? "visit submit --json gives the proposal too"

# emergency contraception for B on 20 October, follow-up agreed for 31
# December: the 30-day rule wants it by 19 November
at 2026-10-20T15:00:00
cat > ec.json <<'EOF'
{"record_type": "give", "method": "emergency", "receiver": "self", "date_given": "2026-10-20", "quantity": 1, "unit": "box", "batch": "B2610-01", "informed": "OK", "adverse": "none", "followup_date": "2026-12-31"}
EOF
run fv visit submit contraceptive --person "$B" --answers ec.json
is "$rc" 0 "emergency contraception given"

has "$err" "^next visit proposed: 2026-11-19 (follow-up of contraceptive visit .* (emergency contraception))$" \
	"the follow-up is proposed for the day it is due"

# on 20 November: B's follow-up is overdue (first), A owes November's
# visit, C owes the fourth quarter's
at 2026-11-20T09:00:00
run fv visit list --due
is "$rc" 0 "visit list --due"
is "$(printf '%s\n' "$out" | awk 'NR > 1 {print $1, $2, $4, $5}')" "2026-11-19 overdue 李红 西村
2026-11-30 due 张大爷 东村
2026-12-31 due 王叔 东村" "due list: overdue first, then by due date"
has "$(printf '%s\n' "$out" | sed -n 1p)" "^DUE  *STATE  *PERSON  *NAME  *VILLAGE  *WHY$" "with a header"
has "$out" "shidu: 1 a quarter, 0 done$" "each row says why"
run fv visit list --overdue
is "$(printf '%s\n' "$out" | awk 'NR > 1 {print $1, $2, $4}')" "2026-11-19 overdue 李红" \
	"visit list --overdue: only the late ones"

run fv visit list --due --json --person "$B"
is "$rc" 0 "visit list --due --json --person"
printf '%s' "$out" | tr -d ' \n' > b.json
grep -q '"next_due":"2026-11-19","items":\[{"type":"followup","state":"overdue","from":"2026-10-20","due":"2026-11-19","needed":1,"done":0,' b.json
ok $? "JSON: the follow-up with its window"
grep -q '"category":"ec_user","rule_line":[0-9]*,"form_id":"contraceptive","source":"' b.json
ok $? "JSON: and what asks for it"

# the same day seen from 5 December: A's November is missed and made up
# in December
run fv visit list --overdue --date 2026-12-05
is "$(printf '%s\n' "$out" | awk 'NR > 1 {print $1, $2, $4}')" "2026-11-19 overdue 李红
2026-12-31 overdue 张大爷" "--date: A's November is overdue as a make-up in December"
has "$out" "zili: make-up of the month from 2026-11-01, 0 of 1 done" "... said so"

# the follow-up done on 22 November: B is no longer overdue
at 2026-11-22T10:00:00
cat > ecf.json <<'EOF'
{"record_type": "followup", "method": "emergency", "date_followup": "2026-11-22", "followup_mode": "phone", "adverse": "none", "ec_outcome": "period"}
EOF
run fv visit submit contraceptive --person "$B" --answers ecf.json
is "$rc" 0 "the follow-up"
run fv visit list --overdue
is "$out" "" "nobody is overdue"

# A dies on 23 November: no schedule from that day
at 2026-11-23T10:00:00
fv person archive "$A" --status died --date 2026-11-23 --reason 病故 > /dev/null 2>&1
ok $? "A archived"
run fv visit list --due
is "$(printf '%s\n' "$out" | awk 'NR > 1 {print $4}')" "王叔" "archived people are not due"
run fv visit list --due --date 2026-11-22
is "$(printf '%s\n' "$out" | awk 'NR > 1 {print $4}' | tr '\n' ' ')" "张大爷 王叔 " \
	"... but were the day before"

# usage errors
run fv visit list --due --date 2026-02-30
is "$rc $err" "2 fieldvisit: visit list: --date: '2026-02-30' is not a date (YYYY-MM-DD)" "a bad --date"
run fv visit list --date 2026-11-20
is "$rc $err" "2 fieldvisit: visit list: --date goes with --due or --overdue" "--date alone"
run fv visit list --due --state submitted
is "$rc $err" "2 fieldvisit: visit list: --state cannot go with --due or --overdue" "--state with --due"
run fv visit list --due --person 00000000-0000-4000-8000-000000000000
is "$rc $err" "1 fieldvisit: visit list: no person 00000000-0000-4000-8000-000000000000" "an unknown person"

# a broken rule table: refused with its line, nothing listed
mkdir -p assets/rules
cp "$FV_SRCDIR"/assets/rules/*.csv assets/rules/
sed -i 's/^zili,1,month/zili,one,month/' assets/rules/visit_frequency.csv
run env FIELDVISIT_ASSETS_DIR="$TMP/assets" "$FV_BIN" visit list --due
is "$rc" 1 "a bad rule table: exit 1"
has "$err" "visit_frequency.csv:[0-9]*: visits: 'one'" "... naming the file, line and cell"
is "$out" "" "... and nothing listed"

tap_done
