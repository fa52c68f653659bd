#!/bin/sh
# The real program in a terminal: `fieldvisit --demo --lang en` in a
# detached 80x24 tmux session, unlocked with the passphrase it shows, a few
# keys, the screen read back with capture-pane; quitting removes the demo
# folder.  Without a terminal the screens refuse with one line.
. "$FV_SRCDIR/tests/e2e/lib.sh"
unset FIELDVISIT_STORE FIELDVISIT_ASSETS_DIR FIELDVISIT_FORMS_DIR NO_COLOR
export XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data" TMPDIR="$TMP/tmp"
mkdir -p "$TMPDIR"

"$FV_BIN" < /dev/null > "$TMP/out" 2> "$TMP/err"
is "$?" 2 "no terminal: exit 2"
is "$(wc -l < "$TMP/err")" 1 "... with one line"
grep -q 'need a terminal' "$TMP/err"
ok $? "... that says a terminal is needed"
"$FV_BIN" --lang fr < /dev/null > /dev/null 2> "$TMP/err"
is "$?" 2 "--lang fr is a usage error"

if ! command -v tmux > /dev/null 2>&1; then
	echo "ok 5 # SKIP tmux is not installed (scripts/install-deps installs it)"
	echo "1..5"
	exit 0
fi

sock="$TMP/tmux.sock"
t() { tmux -S "$sock" -f /dev/null "$@"; }
screen() { t capture-pane -p -t fv 2> /dev/null; }
# wait_for TEXT: until the screen shows TEXT (10 s at most)
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
trap 't kill-server > /dev/null 2>&1; rm -rf "$TMP"' EXIT

t new-session -d -s fv -x 80 -y 24 \
	"env TERM=screen LC_ALL=C.UTF-8 '$FV_BIN' --demo --lang en 2> '$TMP/stderr'; echo \$? > '$TMP/exit'"
wait_for "Demo passphrase:"
ok $? "the unlock screen shows the demo passphrase"
pass=$(screen | sed -n 's/.*Demo passphrase: \([0-9-]*\).*/\1/p')
demo=$(ls -d "$TMPDIR"/fieldvisit-demo-* 2> /dev/null)
ok $? "a demo folder was made ($demo)"
is "$(stat -c %a "$demo" 2> /dev/null)" 700 "... private to the user"

t send-keys -t fv -l "wrong-passphrase"
t send-keys -t fv Enter
wait_for "Wrong passphrase"
ok $? "a wrong passphrase is refused"
t send-keys -t fv -l "$pass"
t send-keys -t fv Enter
wait_for "Open alerts ("
ok $? "the passphrase shown opens today's screen"
screen | head -1 | grep -q 'Overdue [0-9]* · Due [0-9]* · Alerts [0-9]*'
ok $? "the title bar counts who is overdue and due"
screen | tail -1 | grep -q '? Help.*F12 Lock'
ok $? "the help line is at the bottom"

t send-keys -t fv '?'
wait_for "Keys on the Today screen"
ok $? "? shows the keys"
t send-keys -t fv Escape
wait_for "Hello, demo"
ok $? "Esc goes back"
t send-keys -t fv F12
wait_for "Locked. The data is encrypted"
ok $? "F12 locks"
screen | grep -q 'People' && ok 1 "nothing of the store shows while locked" ||
	ok 0 "nothing of the store shows while locked"
t send-keys -t fv -l "$pass"
t send-keys -t fv Enter
wait_for "Hello, demo"
ok $? "the passphrase unlocks to the same screen"

t send-keys -t fv q
wait_for "Quit? The demo store"
ok $? "q asks before deleting the demo"
t send-keys -t fv y
i=0
while [ ! -s "$TMP/exit" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
is "$(cat "$TMP/exit" 2> /dev/null)" 0 "y quits with exit status 0"
[ ! -e "$demo" ]
ok $? "the demo folder is gone"
is "$(ls -A "$TMPDIR")" "" "nothing is left in TMPDIR"
tap_done
