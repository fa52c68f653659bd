#!/bin/sh
# Alerts through the real binary: a PHQ-9 raises item9, the follow-up
# shows in the due list, the referral is recorded, the alert closes only
# after a follow-up visit.
. "$FV_SRCDIR/tests/e2e/lib.sh"
cd "$TMP" || exit 1

export FIELDVISIT_TEST_FAST_KDF=1 FIELDVISIT_PASSPHRASE=correct-horse-1
export FIELDVISIT_FORMS_DIR="$FV_SRCDIR/forms" FIELDVISIT_STORE="$TMP/s.fv"
unset FIELDVISIT_ASSETS_DIR

FIELDVISIT_NOW=2026-11-20T09:00:00; export FIELDVISIT_NOW
fv init --role worker --name 王芳 --store "$TMP/s.fv" > /dev/null 2>&1
P=$(fv person add --name 张大爷 --id 11010519491231002X --sex female --birth 1949-12-31 \
	--village 东村 2>/dev/null)
printf '%s\n' "$P" | grep -q '^[0-9a-f-]\{36\}$'
ok $? "a person"
cat > q9.json <<'EOF'
{"q1": 1, "q2": 2, "q3": 1, "q4": 1, "q5": 0, "q6": 1, "q7": 0, "q8": 0, "q9": 1}
EOF
run fv visit submit phq9 --person "$P" --answers q9.json
is "$rc" 0 "a PHQ-9 with item 9 answered 1"
has "$err" "^fieldvisit: alert item9: " "the alert is told"

run fv alert list
is "$rc" 0 "alert list"
A=$(printf '%s\n' "$out" | awk 'NR == 2 {print $1}')
is "$(printf '%s\n' "$out" | awk 'NR == 2 {print $2, $3, $4, $5}')" "2026-11-20 item9 open $P" \
	"one open alert: raised, kind, state, person"
run fv visit list --due
has "$out" "^2026-11-27  *due  .*follow-up of alert item9 ($A)$" "its follow-up is due within 7 days"

run fv alert close "$A"
is "$rc $err" "1 fieldvisit: alert $A: record what was done and the referral first" \
	"not closed before the referral"
run fv alert refer "$A" --to 县精神卫生中心 --on 2026-11-19 --done 陪同就诊
is "$rc $err" "1 fieldvisit: referral date 2026-11-19 is before the alert (2026-11-20)" \
	"a referral before the alert is refused"
run fv alert refer "$A" --on 2026-11-20
is "$rc" 1 "a referral without where and what"
has "$err" "^fieldvisit: referred to is required$" "... says where is missing"
has "$err" "^fieldvisit: what was done is required$" "... and what"
run fv alert refer "$A" --to 县精神卫生中心心理门诊 --on 2026-11-20 --follow-up 2026-11-27 \
	--done "已告知家属，陪同就诊"
is "$rc" 0 "the referral is recorded"
printf '%s\n' "$out" | grep -q '^[0-9a-f-]\{36\}$'
ok $? "... and its id printed"
run fv alert list --json
printf '%s' "$out" | tr -d ' \n' | grep -q "\"state\":\"referred\",\"raised_at\":\"2026-11-20T09:00:00.000+08:00\",\"closed_at\":null,\"referrals\":\[{\"id\":\"[0-9a-f-]*\",\"referred_to\":\"县精神卫生中心心理门诊\",\"referred_on\":\"2026-11-20\",\"follow_up_on\":\"2026-11-27\""
ok $? "alert list --json: referred, with its referral"
run fv alert close "$A"
is "$rc $err" "1 fieldvisit: alert $A: no follow-up visit after 2026-11-20 yet" \
	"not closed without a follow-up visit"

FIELDVISIT_NOW=2026-11-24T10:00:00
cat > ok.json <<'EOF'
{"q1": 0, "q2": 1, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 0, "q9": 0}
EOF
run fv visit submit phq9 --person "$P" --answers ok.json --checkin 2026-11-24T09:00 \
	--checkout 2026-11-24T09:30
is "$rc" 0 "a follow-up visit four days on"
run fv visit list --due
is "$out" "" "the follow-up visit took it off the due list"
run fv alert close "$A"
is "$rc $out$err" "0 " "then the alert closes"
run fv alert list
is "$out" "" "no open alert"
run fv alert list --all
is "$(printf '%s\n' "$out" | awk 'NR == 2 {print $4}')" "closed" "--all shows it closed"

run fv alert
is "$rc" 2 "alert without a subcommand"
run fv alert open
is "$rc $err" "2 fieldvisit: alert: unknown subcommand 'open' (list, refer or close)" "an unknown subcommand"
run fv alert close
is "$rc $err" "2 fieldvisit: alert close: give the alert's id (see 'fieldvisit alert list')" \
	"close without an id"
run fv alert list --to x
is "$rc $err" "2 fieldvisit: alert list: --to does not go with this subcommand (see 'fieldvisit alert --help')" \
	"an option of another subcommand"
run fv alert close nope
is "$rc $err" "1 fieldvisit: no alert nope" "an unknown alert"

tap_done
