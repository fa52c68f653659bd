#!/bin/bash
# Crash test of the real binary: `fieldvisit visit submit` is killed with
# SIGKILL at random moments, at least 100 times.  After each kill the store
# opens, passes `fieldvisit check` (SQLite's integrity check over every
# page), and holds every visit whose submit command had exited 0.
. "$FV_SRCDIR/tests/e2e/lib.sh"
cd "$TMP" || exit 1
export XDG_DATA_HOME="$TMP/data" FIELDVISIT_TEST_FAST_KDF=1 FIELDVISIT_NOW=2026-11-20T09:00:00
export FIELDVISIT_PASSPHRASE=correct-horse-1 FIELDVISIT_FORMS_DIR="$FV_SRCDIR/forms"
unset FIELDVISIT_STORE
KILLS=${FV_CRASH_KILLS:-100}
RANDOM=${FV_CRASH_SEED:-4242}
echo "# seed ${FV_CRASH_SEED:-4242}, $KILLS kills"

"$FV_BIN" init --role worker --name crash > /dev/null 2>&1
ok $? "init a store"
person=$("$FV_BIN" person add --name Test --id 11010519491231002X --sex female \
	--birth 1949-12-31 --village West 2> "$TMP/err")
ok $? "add a person"
printf '{"q1":1,"q2":0,"q3":2,"q4":0,"q5":1,"q6":0,"q7":0}' > answers.json

# How long one submit takes here (a sanitizer build is several times
# slower): kills land anywhere from the start to a little past the end.
t0=$(date +%s%N)
"$FV_BIN" visit submit gad7 --person "$person" --answers answers.json > /dev/null 2>&1
ok $? "one submit without a kill"
span=$(( ($(date +%s%N) - t0) / 1000000 * 3 / 2 + 1 ))   # milliseconds
echo "# one submit: about $((span * 2 / 3)) ms; kills within $span ms"

: > acked
kills=0 bad=0 lost=0
while [ "$kills" -lt "$KILLS" ]; do
	# a submit in the background, killed at a random moment unless done
	( exec "$FV_BIN" visit submit gad7 --person "$person" --answers answers.json > out 2>&1 ) &
	pid=$!
	ms=$((RANDOM % span))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	if kill -KILL "$pid" 2> /dev/null; then
		kills=$((kills + 1))
	fi
	wait "$pid" 2> /dev/null
	rc=$?
	[ "$rc" -eq 0 ] && cat out >> acked   # exited 0: its id must survive
	# after each kill: the store opens, is sound, and every acknowledged
	# visit is there
	if ! "$FV_BIN" check > /dev/null 2> err || ! "$FV_BIN" visit list --json > list 2> err; then
		bad=$((bad + 1))
		sed 's/^/# open failed: /' err
		continue
	fi
	grep -o '^  {"id":"[^"]*"' list | cut -d'"' -f4 | sort > have
	sort acked | comm -23 - have > missing
	if [ -s missing ]; then
		lost=$((lost + $(wc -l < missing)))
		sed 's/^/# lost /' missing
	fi
done
is "$bad" 0 "after $kills kills the store always opened and listed"
is "$lost" 0 "no visit whose submit exited 0 was lost"
n=$(wc -l < acked)
ok "$([ "$n" -gt 0 ] && echo 0 || echo 1)" "some submits completed between kills ($n)"
tap_done
