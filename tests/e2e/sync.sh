#!/bin/bash
# Sync end to end, through the real binary: a supervisor and three workers
# in temporary stores.  Invitations, hellos, visits, up-bundles, import,
# reviews, down-bundles, receipts, a second round: every visit arrives
# exactly once.  Then replays, out-of-order, duplicates, wrong recipient,
# another team, a wrong invitation code, and faults while writing a bundle
# and while importing one: each refused or failed with a clear message, the
# stores as they were.
. "$FV_SRCDIR/tests/e2e/lib.sh"
cd "$TMP" || exit 1
export XDG_DATA_HOME="$TMP/data" FIELDVISIT_TEST_FAST_KDF=1 FIELDVISIT_NOW=2026-11-20T09:00:00
export FIELDVISIT_PASSPHRASE=correct-horse-1 FIELDVISIT_FORMS_DIR="$FV_SRCDIR/forms"
export FIELDVISIT_ASSETS_DIR="$FV_SRCDIR/assets"
unset FIELDVISIT_STORE FIELDVISIT_FAULT
F=$FV_BIN
mkdir usb usb2 other

# a store's content, for "nothing changed": every visit and person as JSON
state() {  # state STORE
	"$F" visit list --store "$1" --json 2> /dev/null
	"$F" person list --store "$1" --json 2> /dev/null
	"$F" bundle log --store "$1" 2> /dev/null | cut -c32-
}

"$F" init --role supervisor --name Boss --store sup.fv > out 2> err
ok $? "init --role supervisor makes a team"
grep -q 'your team is ready; your fingerprint is [0-9a-f-]\{19\}' err
ok $? "the supervisor's fingerprint is shown"
sup_fp=$(sed -n 's/.*your fingerprint is \([0-9a-f-]*\).*/\1/p' err)

# people of two villages in the supervisor's ledger
"$F" person add --store sup.fv --name 'Li Xiuying' --id 11010519491231002X --sex female \
	--birth 1949-12-31 --village Dongcun --category gaoling > p1 2> err
ok $? "a person of Dongcun"
"$F" person add --store sup.fv --name 'Wang Jun' --id 110105194912310038 --sex male \
	--birth 1949-12-31 --village Xicun --category zili > p2 2> err
ok $? "a person of Xicun"

# ------------------------------------------------------------------ enrolment
for w in w1 w2 w3; do
	v=Dongcun; [ "$w" = w3 ] && v=Xicun
	"$F" team invite "$w" --village "$v" --to usb --store sup.fv > out 2> err
	is "$(cat out)" "usb/invite-$w.fvi" "team invite $w prints the invitation's path"
	code=$(sed -n "s/.*invitation code for $w: \([A-Z0-9-]*\) .*/\1/p" err)
	echo "$code" > "code-$w"
	"$F" init --join "usb/invite-$w.fvi" --code "$code" --to usb --store "$w.fv" > out 2> err
	ok $? "init --join: $w joins the team"
	is "$(sed -n 4p out | sed 's/-[0-9a-f]*-[0-9a-f]*-000001/-X-Y-000001/')" \
		"usb/hello-X-Y-000001.fvb" "$w: the hello bundle's path is printed"
	grep -q "joined the team of Boss (fingerprint $sup_fp)" err
	ok $? "$w sees the supervisor's fingerprint"
	fp=$(sed -n 's/.*your fingerprint is \([0-9a-f-]*\).*/\1/p' err)
	"$F" bundle import usb/hello-*"-000001.fvb" --store sup.fv > out 2> err
	grep -q "enrolled $w, fingerprint $fp" out
	ok $? "the supervisor imports $w's hello and shows the same fingerprint"
	rm -f usb/hello-*
done
"$F" person list --store w1.fv --json | grep -c '"id"' > n
is "$(cat n)" 1 "w1 got the roster of Dongcun only"
"$F" person list --store w3.fv | grep -q 'Wang Jun'
ok $? "w3 got the roster of Xicun"

# a wrong code is refused and leaves nothing
"$F" team invite w4 --to usb --store sup.fv > /dev/null 2>&1
"$F" init --join usb/invite-w4.fvi --code AAAAA-AAAAA-AAAAA-AAAAA-AAAAA --store w4.fv \
	> out 2> err
is "$?:$(cat err)" "3:fieldvisit: usb/invite-w4.fvi: wrong invitation code (or the file was changed)" \
	"a wrong invitation code: exit 3"
ok "$([ ! -e w4.fv ] && echo 0 || echo 1)" "and no store is made"

# ------------------------------------------------------------------ round 1
printf '{"q1":1,"q2":0,"q3":2,"q4":0,"q5":1,"q6":0,"q7":0}' > gad.json
submit() {  # submit STORE -> prints the visit id
	local p
	p=$("$F" person list --store "$1" --json | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
	"$F" visit submit gad7 --person "$p" --answers gad.json --store "$1" \
		--checkin 2026-11-19T09:00 --checkout 2026-11-19T10:05 --services comfort 2> /dev/null
}
: > sent
for w in w1 w2 w3; do
	for i in 1 2; do submit "$w.fv" >> sent; done
done
is "$(wc -l < sent)" 6 "six visits submitted by three workers"
"$F" person add --store w2.fv --name 'Zhou Min' --id 110105198001010016 --sex male \
	--birth 1980-01-01 --village Dongcun > /dev/null 2>&1
ok $? "w2 registers a new person"

for w in w1 w2 w3; do
	"$F" bundle export --to usb --store "$w.fv" > "up-$w" 2> err
	ok $? "$w writes an up-bundle"
	is "$(wc -l < "up-$w")" 1 "$w: one path printed"
	n=$("$F" visit list --store "$w.fv" --state sent | tail -n +2 | wc -l)
	is "$n" 2 "$w: its visits are sent"
done
ls usb/*.part > /dev/null 2>&1
ok "$([ $? -ne 0 ] && echo 0 || echo 1)" "no .part file is left"

# out of order: w3 first, then w1, then w2 in one command
"$F" bundle import $(cat up-w3 up-w1 up-w2) --store sup.fv > out 2> err
ok $? "the supervisor imports the three up-bundles"
is "$("$F" visit list --store sup.fv --state received | tail -n +2 | wc -l)" 6 \
	"six visits received"
"$F" person list --store sup.fv | grep -q 'Zhou Min'
ok $? "the new person arrived"

# replay and duplicates change nothing
state sup.fv > before
"$F" bundle import $(cat up-w1) --store sup.fv > out 2> err
is "$?" 1 "importing a bundle again: exit 1"
grep -q "replayed: this bundle was imported on" err
ok $? "... says it was replayed"
state sup.fv > after
cmp -s before after
ok $? "... and changes nothing"

# a second up-bundle re-sends the unacknowledged visits: no duplicates
submit w1.fv >> sent
"$F" bundle export --to usb --store w1.fv > up2-w1 2> err
"$F" bundle import $(cat up2-w1) --store sup.fv > out 2> err
ok $? "a second up-bundle of w1 (re-sending what has no receipt)"
grep -q "3 records, 1 new, 2 here already" out
ok $? "... the two re-sent visits are here already, one is new"
is "$("$F" visit list --store sup.fv | tail -n +2 | wc -l)" 7 "seven visits, each once"

# reviews down
v1=$(head -1 sent); v2=$(sed -n 2p sent)
"$F" review "$v1" approve --store sup.fv > /dev/null 2>&1
ok $? "the supervisor approves a visit of w1"
"$F" review "$v2" return --comment 'the care level is missing' --store sup.fv > /dev/null 2>&1
ok $? "... and returns another"
"$F" review "$v2" return --comment again --store sup.fv > /dev/null 2> err
is "$?:$(cat err)" "1:fieldvisit: visit $v2 is returned: only a received visit is reviewed" \
	"a visit is reviewed once"
"$F" bundle export --to usb2 --store sup.fv > down 2> err
ok $? "the supervisor writes the down-bundles"
is "$(wc -l < down)" 3 "one down-bundle per worker"

for w in w1 w2 w3; do
	f=$(grep -- "-$("$F" team list --store sup.fv | awk -v w=$w '$1==w {print $3}' | tr -d -)-" down)
	"$F" bundle import "$f" --store "$w.fv" > out 2> err
	ok $? "$w imports its down-bundle"
done
is "$("$F" visit list --store w1.fv --state approved | tail -n +2 | wc -l)" 1 "w1: one approved"
is "$("$F" visit list --store w1.fv --state returned | tail -n +2 | wc -l)" 1 "w1: one returned"
is "$("$F" visit list --store w1.fv --state received | tail -n +2 | wc -l)" 1 "w1: one received"
is "$("$F" visit list --store w2.fv --state received | tail -n +2 | wc -l)" 2 "w2: both received"

# ------------------------------------------------------------------ round 2
# w2 acknowledges the down-bundle it imported, then has nothing to send
"$F" bundle export --to usb --store w2.fv > ack 2> err
"$F" bundle import $(cat ack) --store sup.fv > out 2> err
grep -q "0 records, 0 new" out
ok $? "w2's next up-bundle carries only its acknowledgement"
"$F" bundle export --to usb --store w2.fv > out 2> err
is "$(cat out):$(cat err)" ":fieldvisit: nothing to send: every record has been acknowledged" \
	"then w2 has nothing unacknowledged: no file"
submit w2.fv >> sent
"$F" bundle export --to usb --store w2.fv > up3 2> err
"$F" bundle import $(cat up3) --store sup.fv > out 2> err
grep -q "1 records, 1 new, 0 here already" out
ok $? "round 2: only w2's new visit travels (and its acknowledgement)"
# every visit submitted arrived exactly once
"$F" visit list --store sup.fv --json | grep -o '^  {"id":"[^"]*"' | cut -d'"' -f4 | sort > have
sort sent > want
cmp -s have want
ok $? "every visit submitted is at the supervisor exactly once ($(wc -l < want))"

# ------------------------------------------------------------------ a correction
# w1 corrects the visit returned to it: its version 2 (one answer
# changed, the times and services kept) travels up, is received there,
# approved, and reaches w1 approved
"$F" visit correct "$v1" --store w1.fv > out 2> err
is "$?:$(cat err)" "1:fieldvisit: visit $v1 is approved: only a visit returned by the supervisor is corrected" \
	"only a returned visit is corrected"
printf '{"q3":0}' > fix.json
"$F" visit correct "$v2" --answers fix.json --store w1.fv --json > out 2> err
ok $? "w1 corrects the returned visit"
grep -q '"version": *2' out
ok $? "... as its version 2"
"$F" visit show "$v2" --json --store w1.fv > out 2> err
grep -q '"q3": *"0"' out && grep -q '"q1": *"1"' out && grep -q '"score": *2' out &&
	grep -q '"checkout": *"2026-11-19T10:05' out && grep -q '"state": *"submitted"' out
ok $? "... the answer changed, the others kept, the score again, the check-out kept"
"$F" bundle export --to usb --store w1.fv > up-fix 2> err
"$F" bundle import $(cat up-fix) --store sup.fv > out 2> err
ok $? "the supervisor imports the correction"
"$F" visit show "$v2" --json --store sup.fv > out 2> err
grep -q '"version": *2' out && grep -q '"state": *"received"' out
ok $? "... received as version 2"
"$F" review "$v2" approve --store sup.fv > /dev/null 2>&1
ok $? "... and approves it"
"$F" bundle export --to usb2 --worker w1 --store sup.fv > down-fix 2> err
"$F" bundle import $(cat down-fix) --store w1.fv > out 2> err
ok $? "w1 imports the review"
"$F" visit show "$v2" --json --store w1.fv > out 2> err
grep -q '"version": *2' out && grep -q '"state": *"approved"' out
ok $? "the corrected visit is approved on w1's laptop"
is "$("$F" visit list --store sup.fv | tail -n +2 | wc -l)" 8 "eight visits, each once"

# ------------------------------------------------------------------ wrong bundles
"$F" bundle import $(cat up3) --store w1.fv > out 2> err
grep -q "not for this store (it is for $sup_fp)" err
ok $? "a bundle for another store: not for this store"
"$F" init --role supervisor --name Other --store other.fv > /dev/null 2>&1
"$F" team invite x --to other --store other.fv > /dev/null 2> err
code=$(sed -n "s/.*invitation code for x: \([A-Z0-9-]*\) .*/\1/p" err)
"$F" init --join other/invite-x.fvi --code "$code" --to other --store x.fv > /dev/null 2>&1
ok $? "a worker of another team"
"$F" bundle import other/hello-* --store sup.fv > out 2> err
grep -q "not for this store" err
ok $? "its hello is not for this supervisor"
state w1.fv > before
"$F" person add --store x.fv --name 'Sun Li' --id 110105198001010016 --sex male \
	--birth 1980-01-01 --village Beicun > /dev/null 2>&1
"$F" bundle export --to other --store x.fv > /dev/null 2>&1
"$F" bundle import other/up-* --store w1.fv > out 2> err
is "$?:$(sed 's/(it is for .*)/(it is for X)/' err)" \
	"1:fieldvisit: $(ls other/up-*): not for this store (it is for X)" \
	"another team's bundle is refused"
state w1.fv > after
cmp -s before after
ok $? "... and changes nothing"

# inspect without a store, and with it
"$F" bundle inspect "$(cat up3)" > out 2> err
ok $? "bundle inspect without a store"
grep -q '^signature: valid$' out && grep -q '^kind: up$' out && grep -q '^sequence: 4$' out
ok $? "... shows kind, sequence and a valid signature"
"$F" bundle inspect --open "$(cat up3)" --store sup.fv > out 2> err
grep -q '^visit: 1$' out && grep -q '^form gad7 ' out
ok $? "... with the recipient's store, the contents counted"
cp "$(cat up3)" tampered.fvb
printf '\x01' | dd of=tampered.fvb bs=1 seek=300 conv=notrunc 2> /dev/null
"$F" bundle inspect tampered.fvb > out 2> err
is "$?:$(grep signature out)" "1:signature: NOT VALID" "a changed byte: signature not valid"

# ------------------------------------------------------------------ faults
# writing: every fault leaves no file and the visit submitted
submit w3.fv >> sent
state w3.fv > before
for fault in bwrite:1 bwrite:3 bsync:1 bsync:2 bfull:1 bfull:2 bread:1; do
	mkdir -p "f-$fault"
	FIELDVISIT_FAULT=$fault "$F" bundle export --to "f-$fault" --store w3.fv > out 2> err
	rc=$?
	state w3.fv > after
	is "$rc:$(ls "f-$fault" | wc -l)" "4:0" "export with fault $fault: exit 4, no file"
	cmp -s before after
	ok $? "... the store is as it was (nothing marked sent)"
	grep -q 'nothing was changed' err
	ok $? "... and says so: $(head -c 120 err)"
done
FIELDVISIT_FAULT=bfull:1 "$F" bundle export --to f-bfull:1 --store w3.fv 2>&1 >/dev/null |
	grep -q 'No space left on device'
ok $? "a full stick is named as such"
"$F" bundle export --to usb --store w3.fv > up4 2> err
ok $? "without a fault the export works"

# importing: a store write fault at any point leaves the supervisor as it was
state sup.fv > before
for n in 1 2 3 5 8; do
	FIELDVISIT_FAULT=write:$n "$F" bundle import $(cat up4) --store sup.fv > out 2> err
	rc=$?
	state sup.fv > after
	if [ "$rc" -ne 0 ]; then
		cmp -s before after
		ok $? "import with store fault write:$n failed (exit $rc) and changed nothing"
	else
		ok 0 "import with store fault write:$n: the fault fell outside the import"
		state sup.fv > before
	fi
done
"$F" bundle import $(cat up4) --store sup.fv > out 2> err
rc=$?
grep -q "replayed" err && rc=0
ok $rc "after the faults the bundle imports (or was imported once)"
is "$("$F" visit list --store sup.fv | tail -n +2 | wc -l)" "$(wc -l < sent)" \
	"still every visit exactly once"
"$F" check --store sup.fv > /dev/null 2>&1
ok $? "the supervisor's store passes its integrity check"

# a person registered twice (w3 does not have Li Xiuying in its roster):
# the person and its visit are kept aside, the rest of the bundle imports
submit w3.fv >> sent
p=$("$F" person add --store w3.fv --name 'Li Xiuying' --id 11010519491231002X --sex female \
	--birth 1949-12-31 --village Xicun 2> /dev/null)
"$F" visit submit gad7 --person "$p" --answers gad.json --store w3.fv > /dev/null 2>&1
"$F" bundle export --to usb --store w3.fv > up5 2> err
"$F" bundle import "$(cat up5)" --store sup.fv > out 2> err
ok $? "a bundle with a person registered twice imports"
grep -q "4 records, 1 new, 1 here already, 0 older, 2 conflicts" out
ok $? "... the person and its visit are conflicts, the other visit is new"
is "$(grep -c 'conflict: ' err)" 2 "... each noted"
"$F" bundle conflicts --store sup.fv > out 2> err
grep -q "its resident ID is registered here for another person" out &&
	grep -q "its person is kept aside as a conflict" out
ok $? "bundle conflicts lists both, with why"
"$F" bundle import "$(cat up5)" --store sup.fv > /dev/null 2>&1
"$F" bundle conflicts --store sup.fv | tail -n +2 | wc -l > n
is "$(cat n)" 2 "a conflict is kept once"

# retention: long after their receipt, a worker's visits lose their answers
v3=$(sed -n 3p sent)
"$F" review "$v3" approve --store sup.fv > /dev/null 2>&1
"$F" bundle export --to usb2 --worker w2 --store sup.fv > down2 2> err
ok $? "a down-bundle to w2 only"
is "$(wc -l < down2)" 1 "... one file"
FIELDVISIT_NOW=2027-06-01T09:00:00 "$F" bundle import "$(cat down2)" --store w2.fv > out 2> err
grep -q "2 visits acknowledged long ago no longer keep their answers here" err
ok $? "w2 drops the answers of its two visits received 90+ days ago"
"$F" visit show "$v3" --json --store w2.fv > out 2> /dev/null
grep -q '"answers": {}' out && grep -q '"state": "approved"' out && grep -q '"score": 4' out
ok $? "... keeping the state, the score and what schedules read"
"$F" visit list --store w2.fv --person "$("$F" person list --store w2.fv --json |
	grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)" | tail -n +2 | wc -l > n
is "$(cat n)" 3 "... and the visits themselves"

# ------------------------------------------------------------------ rules in the store
# The rule tables came with the invitation: a worker's schedules follow
# them, whatever the assets folder of the laptop says.
mkdir -p mod
cp -r "$FV_SRCDIR/assets/rules" mod/
sed -i 's/^zili,1,month/zili,3,month/' mod/rules/visit_frequency.csv
for w in w1 w2 w3; do
	FIELDVISIT_ASSETS_DIR="$TMP/mod" "$F" visit list --due --date 2026-12-10 --store $w.fv
done > due 2> err
grep -q "zili: 1 a month" due && ! grep -q "zili: 3 a month" due
ok $? "a worker's schedule follows the rule tables its store holds"
"$F" init --role worker --name Solo --store solo.fv > /dev/null 2>&1
"$F" person add --store solo.fv --name 'Wang Jun' --id 110105194912310038 --sex male \
	--birth 1949-12-31 --village Xicun --category zili > /dev/null 2>&1
FIELDVISIT_ASSETS_DIR="$TMP/mod" "$F" visit list --due --date 2026-12-10 --store solo.fv > due 2> err
grep -q "zili: 3 a month" due
ok $? "a store without rule tables (not in a team) follows the assets folder"

# --help everywhere
for c in "bundle" "bundle export" "team" "review"; do
	"$F" $c --help > /dev/null 2>&1
	ok $? "$c --help"
done
tap_done
