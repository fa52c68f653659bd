#!/bin/sh
# A form killed in the middle: the real `fieldvisit --demo --lang en` in a
# detached 80x24 tmux session, a visit with the consent and two PHQ-9
# answers, then SIGKILL (a power cut as the program sees it).  Opened
# again, the visit goes on and the PHQ-9 resumes at its third question
# with both answers.  Skipped without tmux.
. "$FV_SRCDIR/tests/e2e/lib.sh"
unset FIELDVISIT_STORE FIELDVISIT_ASSETS_DIR FIELDVISIT_FORMS_DIR NO_COLOR
export XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data" TMPDIR="$TMP/tmp"
mkdir -p "$TMPDIR"

if ! command -v tmux > /dev/null 2>&1; then
	echo "ok 1 # SKIP tmux is not installed (scripts/install-deps installs it)"
	echo "1..1"
	exit 0
fi

sock="$TMP/tmux.sock"
t() { tmux -S "$sock" -f /dev/null "$@"; }
screen() { t capture-pane -p -t "$S" 2> /dev/null; }
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "# the screen never showed '$1'; it shows:"
	screen | sed 's/^/# |/'
	return 1
}
keys() { for k in "$@"; do t send-keys -t "$S" "$k"; sleep 0.05; done; }
S=fv
trap 't kill-server > /dev/null 2>&1; rm -rf "$TMP"' EXIT

t new-session -d -s fv -x 80 -y 24 \
	"env TERM=screen LC_ALL=C.UTF-8 '$FV_BIN' --demo --lang en; echo \$? > '$TMP/exit'; sleep 60"
wait_for "Demo passphrase:"
ok $? "the demo starts"
pass=$(screen | sed -n 's/.*Demo passphrase: \([0-9-]*\).*/\1/p')
demo=$(ls -d "$TMPDIR"/fieldvisit-demo-* 2> /dev/null)
t send-keys -t "$S" -l "$pass"
keys Enter
wait_for "Hello, demo"
ok $? "unlocked"
keys v Enter
wait_for "Checked in at"
ok $? "v starts a visit, Enter checks in"
keys Down Enter Enter 1 Enter 1 Enter Enter
wait_for "Consent to psychological assessment         complete"
ok $? "the consent is given"
keys Down Enter Enter 2 Enter 3
wait_for "(*) 3. More than half the days"
ok $? "two PHQ-9 questions answered"

# the program itself, not the shell of the pane
pane=$(t list-panes -t fv -F '#{pane_pid}')
pid=$(pgrep -P "$pane" | head -1)
[ -n "$pid" ] && kill -KILL "$pid"
i=0
while [ ! -s "$TMP/exit" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
is "$(cat "$TMP/exit" 2> /dev/null)" 137 "SIGKILL ends it at once"

# a new program on the same store, in a second session
S=fv2
t new-session -d -s fv2 -x 80 -y 24 \
	"env TERM=screen LC_ALL=C.UTF-8 '$FV_BIN' --store '$demo/demo.fv' --lang en 2> '$TMP/stderr2'; echo \$? > '$TMP/exit2'"
wait_for "Passphrase:" || cat "$TMP/stderr2" "$TMP/exit2" 2>/dev/null | sed "s/^/# /"
ok $? "the store opens again"
t send-keys -t "$S" -l "$pass"
keys Enter
wait_for "Drafts 2 · "
ok $? "the today screen counts the two drafts"
keys v
wait_for "Going on with the visit checked in today"
ok $? "the visit goes on"
screen | grep -q "PHQ-9 (Patient Health Questionnaire-9)      draft, 2/9 answered"
ok $? "... with the PHQ-9 draft, both answers in it"
keys Down Down Enter
wait_for "Trouble falling or staying asleep"
ok $? "the PHQ-9 resumes at the third question"
screen | grep -q "Step 4/11 · answered 2/9"
ok $? "... with the progress of the two answers"
keys PgUp
wait_for "(*) 3. More than half the days"
ok $? "... and the answer given last before the kill"
keys Escape q
wait_for "A form is not submitted"
ok $? "q asks first with a visit open"
keys y
i=0
while [ ! -s "$TMP/exit2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
is "$(cat "$TMP/exit2" 2> /dev/null)" 0 "y quits"
tap_done
