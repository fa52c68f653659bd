#!/bin/sh
# A field day through the real program, in English and in Chinese: a
# fresh worker store (`fieldvisit init`), `fieldvisit --store S --lang L`
# in a detached 80x24 tmux session, unlock, register a person with the
# register_person form (n), then a home visit of that person: check in,
# the consent, a PHQ-9 with item 9 above 0 (the crisis screen comes at
# once), the home visit record, check out and submit, the referral
# recorded on the crisis screen, quit.  Then the commands must find the
# three visits submitted and the alert referred with the text typed.
# Every key waits for the screen it leads to (no sleeps); the texts
# waited for come from assets/i18n/ui.L.tsv.  Skipped without tmux.
. "$FV_SRCDIR/tests/e2e/lib.sh"
unset FIELDVISIT_STORE FIELDVISIT_ASSETS_DIR FIELDVISIT_PASSPHRASE NO_COLOR
export FIELDVISIT_TEST_FAST_KDF=1 FIELDVISIT_NOW=2026-11-23T10:00:00
export FIELDVISIT_FORMS_DIR="$FV_SRCDIR/forms"
export XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data" TMPDIR="$TMP/tmp"
mkdir -p "$TMPDIR"

if ! command -v tmux > /dev/null 2>&1; then
	echo "ok 1 # SKIP tmux is not installed (scripts/install-deps installs it)"
	echo "1..1"
	exit 0
fi

PASS=correct-horse-battery-1
sock="$TMP/tmux.sock"
t() { tmux -S "$sock" -f /dev/null "$@"; }
screen() { t capture-pane -p -t "$S" 2> /dev/null; }
# wait_for TEXT: until the screen shows TEXT (10 s at most; its counter is w,
# not i, which the PHQ-9 loop counts with)
wait_for() {
	w=0
	while [ $w -lt 100 ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		w=$((w + 1))
	done
	echo "# the screen never showed '$1'; it shows:"
	screen | sed 's/^/# |/'
	return 1
}
# wait_title TITLE: until the title bar ends with the screen title TITLE
wait_title() {
	w=0
	while [ $w -lt 100 ]; do
		screen | head -1 | grep -qF -- " · $1 " && return 0
		screen | head -1 | grep -q -- " · $1\$" && return 0
		sleep 0.1
		w=$((w + 1))
	done
	echo "# the title bar never ended with '$1'; the screen shows:"
	screen | sed 's/^/# |/'
	return 1
}
keys() { for k in "$@"; do t send-keys -t "$S" "$k"; done; }
type_text() { t send-keys -t "$S" -l "$1"; }
# txt KEY [ARG...]: the screen text KEY in language $L with {1}.. filled
# in, cut before the first argument not given (and trailing blanks)
txt() {
	key=$1
	shift
	s=$(awk -F '\t' -v k="$key" '$1 == k { print $2; exit }' \
		"$FV_SRCDIR/assets/i18n/ui.$L.tsv")
	n=1
	for a in "$@"; do
		s=$(printf '%s\n' "$s" | awk -v p="{$n}" -v a="$a" \
			'{ i = index($0, p); if (i) $0 = substr($0, 1, i - 1) a substr($0, i + length(p)); print }')
		n=$((n + 1))
	done
	printf '%s\n' "${s%%\{*}" | sed 's/[[:space:]]*$//'
}
# step N TOTAL ANSWERED OF: the runner shows this progress
step() { wait_for "$(txt runner.progress "$@")"; }
summary() { wait_for "$(txt runner.summary_progress x x "$@")"; }
trap 't kill-server > /dev/null 2>&1; rm -rf "$TMP"' EXIT

# day LANG NAME VILLAGE REFERRED_TO WHAT_WAS_DONE
day() {
	L=$1 name=$2 village=$3 to=$4 done=$5
	S=$L
	dir="$TMP/$L"
	mkdir -p "$dir"
	store="$dir/s.fv"
	(cd "$dir" && FIELDVISIT_PASSPHRASE=$PASS "$FV_BIN" init --role worker --name 王芳 \
		--store "$store" > /dev/null 2>&1)
	ok $? "$L: a new worker store"

	t new-session -d -s "$S" -x 80 -y 24 \
		"env TERM=screen LC_ALL=C.UTF-8 '$FV_BIN' --store '$store' --lang $L \
		2> '$dir/stderr'; echo \$? > '$dir/exit'"
	wait_for "$(txt unlock.passphrase)"
	ok $? "$L: the unlock screen"
	type_text "$PASS"
	keys Enter
	wait_for "$(txt home.today 2026-11-23)"
	ok $? "$L: the passphrase opens today's screen"

	# register a person: n, the register_person form, its summary
	keys n
	step 1 16 0 14 && keys Enter && step 2 16 0 14
	ok $? "$L: n opens the register form"
	type_text "$name"
	keys Enter
	step 3 16 1 14 && keys 1 Enter && step 4 16 2 14
	ok $? "$L: name and sex"
	type_text 1950-03-08
	keys Enter
	step 5 17 3 15 && type_text 110105195003080022 && keys Enter && step 6 17 4 15
	ok $? "$L: birth date and resident ID"
	keys Enter && step 7 17 4 15 && type_text "$village" && keys Enter && step 8 17 5 15
	ok $? "$L: no phone, the village"
	keys Enter && step 9 17 5 15 && keys Enter && step 10 17 5 15 && keys Enter &&
		step 11 17 5 15 && keys Enter && step 12 17 5 15 && keys Enter &&
		step 13 17 5 15 && keys Enter && step 14 17 5 15 && keys Enter &&
		step 15 17 5 15 && keys Enter && step 16 17 5 15 && keys Enter &&
		step 17 17 5 15 && keys 1 Enter && summary 6 15
	ok $? "$L: the optional questions skipped, the consent given, the summary"
	wait_for "$(txt runner.ready_register)"
	ok $? "$L: ... with no problem left"
	keys Enter
	wait_for "$(txt register.done "$name")"
	ok $? "$L: Enter registers the person"

	# the person, from the list of people
	keys p
	wait_for "$(txt people.count 1)"
	ok $? "$L: p lists the one person"
	keys Enter
	wait_for "110105********0022"
	ok $? "$L: Enter opens the person"

	# the visit: check in, the forms
	keys v
	wait_title "$(txt title.visit)" && wait_for "$(txt visit.person "$name" "$village")"
	ok $? "$L: v starts a visit of the person"
	keys Enter
	wait_for "$(txt visit.checked_in 10:00)"
	ok $? "$L: Enter checks in"

	keys Down Enter
	step 1 2 0 1 && keys Enter && step 2 2 0 1 && keys 1 Enter && step 3 3 1 2 &&
		keys 1 Enter && summary 2 2 && keys Enter &&
		wait_title "$(txt title.visit)" && wait_for "$(txt visit.form_done)"
	ok $? "$L: the consent to the assessment"

	keys Down Enter
	step 1 11 0 9 && keys Enter && step 2 11 0 9
	ok $? "$L: the PHQ-9 opens once consent is given"
	i=1
	while [ $i -le 8 ]; do
		keys 1 Enter
		step $((i + 2)) 11 $i 9 || break
		i=$((i + 1))
	done
	is "$i" 9 "$L: items 1 to 8 answered 'not at all'"
	keys 2
	wait_title "$(txt title.crisis)"
	ok $? "$L: item 9 above 0: the crisis screen comes at once"
	keys PgDn PgDn PgDn
	wait_for 12356
	ok $? "$L: ... with the psychological assistance hotline"
	keys Enter
	step 10 11 9 9
	ok $? "$L: Enter goes back to the form, item 9 answered"
	keys Enter && step 11 11 9 9 && keys Enter && summary 9 9 &&
		wait_for "$(txt runner.alert)" && keys Enter &&
		wait_title "$(txt title.visit)"
	ok $? "$L: the PHQ-9 summary shows the alert; Enter completes it"

	# the home visit record (the first form of the list)
	keys Up Up Enter
	step 1 13 0 12 && keys Enter && step 2 13 0 12 && keys Enter && step 3 13 1 12 &&
		keys 1 Enter && step 4 13 2 12 && keys 1 Enter && step 5 13 3 12 &&
		keys 5 Enter && step 6 13 4 12 && keys Enter && step 7 13 4 12 &&
		keys Enter && step 8 13 4 12 && keys 2 Enter && step 9 13 5 12 &&
		keys Enter && step 10 13 5 12 && keys 2 Enter && step 11 13 6 12 &&
		keys 2 Enter && step 12 13 7 12 && keys Enter && step 13 13 7 12 &&
		keys Enter && summary 8 12 && keys Enter && wait_title "$(txt title.visit)"
	ok $? "$L: the home visit record, with the service given"

	# check out, submit, the referral
	keys o
	wait_for "$(txt visit.to_submit)"
	ok $? "$L: o checks out and lists the forms to submit"
	keys Enter
	wait_title "$(txt title.crisis)" && wait_for "$(txt crisis.record)"
	ok $? "$L: Enter submits, and the crisis screen asks for the referral"
	wait_for "$(txt crisis.state "$(txt crisis.open)")"
	ok $? "$L: ... the alert is open"
	type_text "$to"
	keys Tab Tab Tab
	type_text "$done"
	keys F2
	wait_for "$(txt crisis.referred)"
	ok $? "$L: F2 records the referral"
	wait_for "$(txt crisis.state "$(txt crisis.is_referred)")"
	ok $? "$L: ... the alert is referred"
	keys Escape
	wait_for "$(txt visit.next 2026-11-30)"
	ok $? "$L: Esc shows the visit submitted and the follow-up proposed"
	keys Escape
	wait_title "$(txt title.person)"
	ok $? "$L: Esc ends the visit"
	keys q
	i=0
	while [ ! -s "$dir/exit" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	is "$(cat "$dir/exit" 2> /dev/null)" 0 "$L: q quits with exit status 0"

	# what the store holds now
	export FIELDVISIT_PASSPHRASE=$PASS
	person=$("$FV_BIN" person list --json --store "$store" 2> /dev/null |
		grep -F "\"name\":\"$name\"" | sed 's/^ *{"id":"\([^"]*\)".*/\1/')
	printf '%s\n' "$person" | grep -q '^[0-9a-f-]\{36\}$'
	ok $? "$L: person list has the person registered ($person)"
	run "$FV_BIN" visit list --json --store "$store"
	is "$rc" 0 "$L: visit list --json"
	is "$(printf '%s\n' "$out" | grep -c '"id":')" 3 "$L: ... three visits"
	is "$(printf '%s\n' "$out" | grep -F "\"person\":\"$person\"" | grep -F '"state":"submitted"' |
		sed 's/.*"form_id":"\([^"]*\)".*/\1/' | sort | tr '\n' ' ')" \
		"home_visit phq9 psych_consent " "$L: ... the person's, all submitted"
	has "$(printf '%s\n' "$out" | grep -F '"form_id":"phq9"')" '"score":1,"band":"minimal","alerts":\["item9"\]' \
		"$L: ... the PHQ-9 scored 1 with the item-9 alert"
	has "$(printf '%s\n' "$out" | grep -F '"form_id":"home_visit"')" '"services":\["comfort"\]' \
		"$L: ... the home visit with its service"
	run "$FV_BIN" alert list --json --store "$store"
	is "$rc" 0 "$L: alert list --json"
	is "$(printf '%s\n' "$out" | grep -c '"kind": "item9"')" 1 "$L: ... one item-9 alert"
	has "$out" "\"person\": \"$person\"" "$L: ... about the person"
	has "$out" '^    "state": "referred",$' "$L: ... referred"
	has "$out" "\"referred_to\": \"$to\"" "$L: ... to where the worker typed"
	has "$out" "\"outcome\": \"$done\"" "$L: ... with what was done as typed"
	has "$out" '"follow_up_on": "2026-11-30"' "$L: ... the follow-up in 7 days"
	unset FIELDVISIT_PASSPHRASE
}

day en "Wang Xiuying" "Cloud Creek" "Township clinic, mental health desk" \
	"Stayed with her and called the hotline together"
day zh 王秀英 云溪村 镇卫生院心理门诊 陪同拨打心理援助热线，家属在场陪伴
tap_done
