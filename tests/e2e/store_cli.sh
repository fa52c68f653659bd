#!/bin/sh
# The store commands of the real binary: init, person, visit, export,
# passwd, recover; where passphrases come from, the terminal prompt, the
# store lock, exit codes and one-line errors.
. "$FV_SRCDIR/tests/e2e/lib.sh"
cd "$TMP" || exit 1
R=$(pwd -P)   # $TMP without symbolic links, as the program prints paths

export XDG_DATA_HOME="$R/data" FIELDVISIT_TEST_FAST_KDF=1 FIELDVISIT_NOW=2026-11-20T09:00:00
export FIELDVISIT_PASSPHRASE=correct-horse-1 FIELDVISIT_FORMS_DIR="$FV_SRCDIR/forms"
unset FIELDVISIT_STORE FIELDVISIT_NEW_PASSPHRASE
DIR=$R/data/fieldvisit
STORE=$DIR/王芳.fv
UUID='[0-9a-f]\{8\}-[0-9a-f]\{4\}-4[0-9a-f]\{3\}-[89ab][0-9a-f]\{3\}-[0-9a-f]\{12\}'


# ------------------------------------------------------------------ init
run fv init --role worker --name 王芳
is "$rc" 0 "init exits 0"
is "$out" "$STORE
$STORE.keys
$STORE.keys.bak
$R/fieldvisit-recovery-王芳.key" "init prints the store, its key files and the recovery key"
has "$err" "^fieldvisit: warning: FIELDVISIT_TEST_FAST_KDF is set: this store's passphrase is weakly protected (tests only)$" \
	"init warns about the fast KDF"
has "$err" "keep the recovery key fieldvisit-recovery-王芳.key on a separate USB stick, never with the laptop" \
	"init says where to keep the recovery key"
is "$(stat -c %a "$STORE" "$STORE.keys" fieldvisit-recovery-王芳.key | tr '\n' ' ')" "600 600 600 " \
	"the store, key file and recovery key are private (0600)"
is "$(head -1 fieldvisit-recovery-王芳.key)" "fieldvisit recovery key v1" "the recovery key file"

run fv init --role worker --name 王芳
is "$rc $err" "1 fieldvisit: $STORE: a store exists here already" "init refuses an existing store"
run fv init --role worker --name 李明 --recovery-key fieldvisit-recovery-王芳.key
is "$rc $err" "1 fieldvisit: fieldvisit-recovery-王芳.key: already exists (a recovery key is never overwritten)" \
	"init never overwrites a recovery key"
run env FIELDVISIT_PASSPHRASE=short "$FV_BIN" init --role worker --name 李明
is "$rc $err" "1 fieldvisit: the passphrase must have at least 8 characters" \
	"init refuses a short passphrase"
ls "$DIR/李明.fv" fieldvisit-recovery-李明.key > /dev/null 2>&1
is "$?" 2 "a refused init leaves no file behind"
run fv init --role boss --name 李明
is "$rc $err" "2 fieldvisit: init: --role is worker or supervisor, not 'boss'" "init: bad role"
run fv init --name 李明
is "$rc" 2 "init without --role is a usage error"
run fv init --role worker --name ../x
is "$rc $err" "1 fieldvisit: init: the name cannot hold '/' or start with '.' (it names files)" \
	"init: a name that would escape the store folder"
printf 'second-store-pass\r\n' > "$TMP/li.pass"
run fv init --role supervisor --name 李明 --recovery-key "$TMP/li.key" --passphrase-file "$TMP/li.pass"
is "$rc" 0 "a second store, passphrase from a file with CRLF"

run fv person list
is "$rc $err" "2 fieldvisit: several stores in $DIR (李明, 王芳): choose one with --store" \
	"two stores and no --store"
run fv person list --store "$DIR/李明.fv" --passphrase-file "$TMP/li.pass"
is "$rc $out" "0 " "--store and --passphrase-file choose the store (the file's CR is not part of it)"
run fv person list --store "$R/nope.fv"
is "$rc $err" "4 fieldvisit: $R/nope.fv: no such store" "a missing store (no passphrase asked)"
export FIELDVISIT_STORE="$STORE"

# ------------------------------------------------------------------ person add
run fv person add --name 张三丰 --id 11010519491231002X --sex female --birth 1949-12-31 \
	--village 东村 --category gaoling,shidu --contact '李四:13800138000'
P1=$out
is "$rc $err" "0 " "person add exits 0"
printf '%s\n' "$P1" | grep -qx "$UUID"; ok $? "person add prints the new id"
run fv person add --name Bob --id 320102198507150016 --sex male --birth 1985-07-15 \
	--village West --phone 13900000000 --json
P2=$(printf '%s\n' "$out" | sed -n 's/^  "id": "\(.*\)"$/\1/p')
is "$rc $(printf '%s' "$out" | tr -d ' \n')" "0 {\"id\":\"$P2\"}" "person add --json prints {\"id\": ...}"

run fv person add --name X --id 110105194912310021 --sex female --birth 1949-12-31 --village V
is "$rc $err" "1 fieldvisit: resident ID 110105194912310021: check digit should be X" \
	"a resident ID with a wrong check digit"
run fv person add --name X --id 11010519491231002 --sex female --birth 1949-12-31 --village V
is "$rc $err" "1 fieldvisit: resident ID 11010519491231002: must be 18 characters, not 17" \
	"a resident ID that is too short"
run fv person add --name X --id 320102198507150016 --sex male --birth 1985-07-15 --village V
is "$rc $err" "1 fieldvisit: resident ID 320102198507150016 is already registered (person $P2)" \
	"a resident ID registered already"
run fv person add --name X --id 11010519491231002x --sex female --birth 1949-12-31 --village V
is "$rc $err" "1 fieldvisit: resident ID 11010519491231002X is already registered (person $P1)" \
	"a lower-case x is the same ID"
run fv person add --name X --id 510107196003120022 --sex male --birth 1960-03-13 --village V
is "$rc" 1 "birth date and sex that do not fit the ID"
has "$err" "^fieldvisit: resident ID 510107196003120022: its birth date 1960-03-12 is not the birth date given (1960-03-13)$" \
	"... the birth date is named"
has "$err" "^fieldvisit: resident ID 510107196003120022: its 17th digit is for a woman, not a man$" \
	"... and the sex"
run fv person add --name X --id 510107196003120022 --sex female --village V
is "$rc $err" "2 fieldvisit: person add: --birth is required (see 'fieldvisit person --help')" \
	"person add without --birth"
run fv person add --name X --contact a:1 --contact b:2 --contact c:3
is "$rc $err" "2 fieldvisit: person add: at most two --contact" "at most two contacts"

# ------------------------------------------------------------------ person list
run fv person list
# ids are 36 characters: the same placeholder keeps the alignment
masked=$(printf '%s\n' "$out" | sed "s/$UUID/XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX/")
is "$masked" "ID                                    NAME    SEX     BIRTH       VILLAGE  STATUS  LAST VISIT
XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX  Bob     male    1985-07-15  West     active
XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX  张三丰  female  1949-12-31  东村     active" \
	"person list: columns aligned by display width (a Chinese character takes two)"
run fv person list --json
is "$(printf '%s\n' "$out" | grep -c '^  {"id":"')" 2 "person list --json: two people, one per line"
has "$out" '"categories":\["' "categories are an array"
has "$out" '"contacts":\[{"name":"李四",' "contacts are objects"
has "$out" '"last_visit":null,' "last_visit is null before any visit"
run fv person list --village 东村 --name 三
is "$(printf '%s\n' "$out" | sed 1d | cut -c39-)" "张三丰  female  1949-12-31  东村     active" \
	"person list --village --name"
run fv person list --status gone
is "$rc $err" "2 fieldvisit: person list: --status is active, moved, died or archived, not 'gone'" \
	"person list: bad --status"

# ------------------------------------------------------------------ edit, archive, show
run fv person edit "$P1" --phone 13800000001 --household hh-01 --json
is "$rc" 0 "person edit exits 0"
has "$out" '^  "phone": "13800000001",$' "edit --json shows the new phone"
has "$out" '^  "version": 2,$' "edit made version 2"
has "$out" '^  "household": "hh-01",$' "edit set the household"
run fv person edit "$P1" --phone ''
run fv person show "$P1" --json
has "$out" '^  "phone": null,$' "edit --phone '' clears the phone"
run fv person edit "$P1"
is "$rc $err" "2 fieldvisit: person edit: give a field to change (see 'fieldvisit person --help')" \
	"person edit without a field"
run fv person edit 00000000-0000-4000-8000-000000000000 --phone 13800000001
is "$rc $err" "1 fieldvisit: no person with id 00000000-0000-4000-8000-000000000000" \
	"person edit of an unknown id"
run fv person archive "$P2" --status moved --date 2026-11-01 --reason 'moved to town, with family'
is "$rc $out" "0 " "person archive"
run fv person archive "$P2" --status died --date 2026-11-02 --reason x
is "$rc $err" "1 fieldvisit: person $P2 is archived already (moved on 2026-11-01)" \
	"archiving twice is refused"
run fv person archive "$P2" --status moved
is "$rc" 2 "person archive without --date and --reason"
run fv person list --status moved
has "$out" "  Bob  " "person list --status moved"
run fv person show "$P1"
has "$out" '^name           张三丰$' "person show: name"
has "$out" '^contact 1      李四 13800138000$' "person show: contact"
has "$out" '^categories     shidu gaoling$' "person show: categories in their order"
run fv person show "$P2" --json
has "$out" '^  "status_reason": "moved to town, with family",$' "person show --json: the archive reason"

# ------------------------------------------------------------------ visits
printf '{"q1":1,"q2":2,"q3":"3","q4":0,"q5":0,"q6":0,"q7":0,"q8":0,"q9":1}' > phq9.json
run fv visit submit phq9 --person "$P1" --answers phq9.json --checkin 2026-11-20T08:30 \
	--checkout 2026-11-20T08:55 --services comfort,errands
V1=$out
is "$rc" 0 "visit submit of a valid PHQ-9"
printf '%s\n' "$V1" | grep -qx "$UUID"; ok $? "visit submit prints the visit's id"
has "$err" "^fieldvisit: alert item9: " "the item 9 alert is told on stderr"

printf '{"q1":1,"q2":7}' > bad.json
run fv visit submit phq9 --person "$P1" --answers - < bad.json
is "$rc" 1 "invalid answers exit 1"
is "$(printf '%s\n' "$err" | sed -n '1,2p')" "fieldvisit: q2: '7' is not a choice of list 'freq'
fieldvisit: q3: this question is required" "every problem, one line each, named by question"
is "$(printf '%s\n' "$err" | wc -l)" 8 "... all eight of them"
printf '{"q1":' > broken.json
run fv visit submit phq9 --person "$P1" --answers - < broken.json
is "$rc" 1 "answers that are not JSON"
has "$err" '^fieldvisit: <stdin>:1: bad JSON' "... with the place"
run fv visit submit phq9 --person "$P2" --answers phq9.json
is "$rc $err" "1 fieldvisit: person $P2 is not active (moved on 2026-11-01)" "no visit to an archived person"
run fv visit submit nosuch --person "$P1" --answers phq9.json
is "$rc $err" "1 fieldvisit: no form 'nosuch' is installed" "an unknown form id"
run fv visit submit phq9 --answers phq9.json
is "$rc" 2 "visit submit without --person"

printf '{"q1":0,"q2":1,"q3":0,"q4":0,"q5":0,"q6":0,"q7":2}' > gad7.json
cp "$FV_SRCDIR/forms/gad7.csv" ./gad7.csv
run fv visit submit ./gad7.csv --person "$P1" --answers gad7.json --json
V2=$(printf '%s\n' "$out" | sed -n 's/^  "id": "\(.*\)",$/\1/p')
is "$rc" 0 "visit submit with a form file"
has "$out" '^  "score": 3,$' "submit --json gives the score"
has "$out" '^  "band": "minimal",$' "... and the band"

run fv visit list
masked=$(printf '%s\n' "$out" | sed "s/$UUID/XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX/")
is "$masked" "ID                                    DATE        PERSON  FORM  STATE      SCORE  BAND
XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX  2026-11-20  张三丰  phq9  submitted  7      mild
XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX  2026-11-20  张三丰  gad7  submitted  3      minimal" \
	"visit list: a table, in order of check-in"
run fv visit list --person "$P1" --state submitted,approved --json
is "$(printf '%s\n' "$out" | grep -c '"state":"submitted",')" 2 "visit list --json --state"
has "$out" "\"person\":\"$P1\"," "visit list --json: the person"
has "$out" '"checkin":"2026-11-20T08:30:00.000+08:00",' "visit list --json: check-in"
has "$out" '"duration":25,' "visit list --json: duration"
run fv visit list --state draft
is "$rc $out" "0 " "visit list --state draft: none"
run fv visit list --state lost
is "$rc" 2 "visit list: unknown state"
run fv visit show "$V1"
has "$out" '^score       7$' "visit show: score"
has "$out" "^person      $P1 (张三丰)$" "visit show: the person's name"
has "$out" '^  q9           1$' "visit show: the answers"
run fv visit show "$V2" --json
has "$out" '^    "q7": "2",$' "visit show --json: the answers object"
has "$out" '^  "form_id": "gad7",$' "visit show --json: the form installed from the file"
run fv person show "$P1" --json
has "$out" '^  "last_visit": "2026-11-20",$' "the person's last visit"
printf '{"name":"a\\u001b[31mb\\nc","age":40,"consent":"yes"}' > text.json
run fv visit submit "$FV_SRCDIR/tests/corpus/forms/good/all_types.csv" --person "$P1" --answers text.json
run fv visit show "$out"
has "$out" '^  name  *a\\x1b\[31mb\\x0ac$' "visit show: control characters of an answer are escaped"
printf '%s\n' "$out" | grep -q "$(printf '\033')"
is "$?" 1 "... no escape character reaches the terminal"

# ------------------------------------------------------------------ passphrases
run fv person list
before=$out
run env FIELDVISIT_PASSPHRASE=wrong-horse-1 "$FV_BIN" person list
is "$rc $err" "3 fieldvisit: wrong passphrase" "a wrong passphrase exits 3"
run fv person list
is "$rc $out" "0 $before" "after a wrong passphrase nothing changed"
printf 'correct-horse-1\n' > "$TMP/pass"
run env FIELDVISIT_PASSPHRASE=wrong-horse-1 "$FV_BIN" person list --passphrase-file "$TMP/pass"
is "$rc" 0 "--passphrase-file wins over FIELDVISIT_PASSPHRASE"
if command -v setsid > /dev/null; then
	run env FIELDVISIT_PASSPHRASE= setsid -w "$FV_BIN" person list < /dev/null
	is "$rc $err" "2 fieldvisit: no passphrase: set FIELDVISIT_PASSPHRASE or use --passphrase-file" \
		"no passphrase and no terminal"
else
	tap_n=$((tap_n + 1)); echo "ok $tap_n - # SKIP no setsid"
fi

if command -v flock > /dev/null; then
	run flock "$STORE" "$FV_BIN" person list
	is "$rc $err" "4 fieldvisit: $STORE: store in use by another fieldvisit" \
		"a store locked by another process: exit 4"
else
	tap_n=$((tap_n + 1)); echo "ok $tap_n - # SKIP no flock"
fi

# ------------------------------------------------------------------ passwd, recover
run env FIELDVISIT_NEW_PASSPHRASE=short "$FV_BIN" passwd
is "$rc $err" "1 fieldvisit: the passphrase must have at least 8 characters" "passwd: a short passphrase"
run fv person list
is "$rc" 0 "... changed nothing"
printf 'new-horse-22\n' > "$TMP/new"
run fv passwd --new-passphrase-file "$TMP/new"
is "$rc $out" "0 $STORE.keys
$STORE.keys.bak" "passwd prints the key files"
run fv person list
is "$rc $err" "3 fieldvisit: wrong passphrase" "after passwd the old passphrase fails"
run env FIELDVISIT_PASSPHRASE=new-horse-22 "$FV_BIN" person list
is "$rc $out" "0 $before" "... and the new one opens the store"

run fv recover --recovery-key "$TMP/li.key"
is "$rc $err" "3 fieldvisit: this recovery key does not belong to this store" \
	"recover with another store's key"
run fv recover --recovery-key phq9.json
is "$rc $err" "1 fieldvisit: phq9.json: not a fieldvisit recovery key" "recover with a file that is no key"
run env FIELDVISIT_NEW_PASSPHRASE=recovered-33 "$FV_BIN" recover --recovery-key fieldvisit-recovery-王芳.key
is "$rc $out" "0 $STORE.keys
$STORE.keys.bak" "recover with the recovery key"
run env FIELDVISIT_PASSPHRASE=new-horse-22 "$FV_BIN" person list
is "$rc" 3 "after recover the passphrase before fails"
export FIELDVISIT_PASSPHRASE=recovered-33
run fv person list
is "$rc $out" "0 $before" "... and the new one opens the store"
run fv recover
is "$rc" 2 "recover without --recovery-key"

# ------------------------------------------------------------------ export
run fv person add --name '=HYPERLINK("x")' --id 130102194002290044 --sex female \
	--birth 1940-02-29 --village '南,村'
run fv export --format csv --to "$R/out" --bom
is "$rc $out" "0 $R/out/persons.csv
$R/out/visits.csv" "export csv prints the files"
is "$err" "fieldvisit: warning: writing unencrypted data about people to $R/out; keep it safe and delete it when done" \
	"export warns"
is "$(stat -c %a "$R/out" "$R/out/persons.csv" "$R/out/visits.csv" | tr '\n' ' ')" "700 600 600 " \
	"the export folder and files are private"
is "$(head -c 3 "$R/out/persons.csv" | od -An -tx1 | tr -d ' ')" "efbbbf" "--bom starts with a UTF-8 BOM"
is "$(sed -n 1p "$R/out/persons.csv" | tr -d '\r' | cut -c4-)" \
	"id,version,author,name,sex,birth,resident_id,phone,village,household,categories,contact1_name,contact1_phone,contact2_name,contact2_phone,status,status_date,status_reason,last_visit,created_at,updated_at" \
	"persons.csv header"
is "$(grep -c "$(printf '\r$')" "$R/out/persons.csv")" 4 "CRLF line ends (a header and three people)"
has "$(cat "$R/out/persons.csv")" ',"moved to town, with family",' "a comma is quoted"
has "$(cat "$R/out/persons.csv")" ",\"'=HYPERLINK(\"\"x\"\")\",female," \
	"a formula is defused and quotes are doubled"
has "$(cat "$R/out/persons.csv")" ',"南,村",' "UTF-8 text with a comma"
has "$(cat "$R/out/visits.csv")" ',"{""q1"":""1"",""q2"":""2"",' "visits.csv holds the answers"
run fv export --format csv --to "$R/out2"
is "$(head -c 3 "$R/out2/persons.csv")" "id," "no BOM without --bom"
run fv export --format jsonl --to "$R/out"
is "$rc $out" "0 $R/out/persons.jsonl
$R/out/visits.jsonl" "export jsonl"
is "$(wc -l < "$R/out/persons.jsonl") $(wc -l < "$R/out/visits.jsonl")" "3 3" "one line per record"
has "$(cat "$R/out/visits.jsonl")" '"answers":{"q1":"1",' "visits.jsonl holds the answers"
run fv export --format jsonl --to "$R/out" --bom
is "$rc $err" "2 fieldvisit: export: --bom is for --format csv only" "--bom with jsonl"
run fv export --format xml --to "$R/out"
is "$rc" 2 "export: unknown format"
run fv export --format csv --to "$R/out/persons.csv"
is "$rc $err" "4 fieldvisit: $R/out/persons.csv: not a folder" "export to a file"

# ------------------------------------------------------------------ usage
for c in init person visit export passwd recover; do
	run fv $c --help
	case "$out" in "Usage: fieldvisit $c"*) r=0 ;; *) r=1 ;; esac
	is "$rc$r" 00 "$c --help"
done
run fv person add --help
is "$rc" 0 "person add --help"
run fv person
is "$rc" 2 "person without a subcommand"
run fv visit frob
is "$rc $err" "2 fieldvisit: visit: unknown subcommand 'frob' (submit, list, show or correct)" "visit frob"
run fv person list --bogus
is "$rc $err" "2 fieldvisit: person list: unknown option '--bogus' (see 'fieldvisit person list --help')" \
	"an unknown option"
run fv visit show
is "$rc $err" "2 fieldvisit: visit show: give the visit's id (see 'fieldvisit visit --help')" \
	"visit show without an id"
run fv export --to "$R/out" --format
is "$rc $err" "2 fieldvisit: export: option '--format' needs a value" "an option without its value"
run fv passwd extra
is "$rc" 2 "passwd: an extra argument"

# ------------------------------------------------------------------ the terminal
# In a pseudo-terminal (script(1)): the passphrase is typed without echo,
# and ^C at the prompt ends the program with the terminal echoing again.
# Each line is typed once the prompt is on screen (the prompt comes after
# echo is off, and turning it off flushes what was typed before).
type_at() {  # TRANSCRIPT PROMPT TEXT [PROMPT TEXT]... then waits for "rc="
	ts=$1; shift
	while [ $# -ge 2 ]; do
		n=0
		until grep -q -- "$1" "$ts" 2> /dev/null || [ $n -ge 100 ]; do
			sleep 0.1; n=$((n + 1))
		done
		printf '%b' "$2"
		shift 2
	done
	n=0
	until grep -q 'rc=' "$ts" 2> /dev/null || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
}
if command -v script > /dev/null && command -v timeout > /dev/null &&
	script -qec true /dev/null > /dev/null 2>&1 < /dev/null; then
	unset FIELDVISIT_PASSPHRASE
	: > "$TMP/ts"
	type_at "$TMP/ts" "Passphrase for" 'recovered-33\n' |
		timeout 20 script -qfec "'$FV_BIN' person list --village West; echo rc=\$?" \
			"$TMP/ts" > /dev/null 2>&1
	ts=$(tr -d '\r' < "$TMP/ts")
	has "$ts" "^rc=0$" "a passphrase typed at the prompt opens the store"
	has "$ts" "  Bob  " "... and the command runs"
	printf '%s\n' "$ts" | grep -q recovered-33
	is "$?" 1 "the passphrase is not echoed"

	: > "$TMP/ts"
	type_at "$TMP/ts" "Passphrase for" 'abc\003' |
		timeout 20 script -qfec "sh -c 'trap : INT; \"$FV_BIN\" person list; echo rc=\$?; stty -a'" \
			"$TMP/ts" > /dev/null 2>&1
	ts=$(tr -d '\r' < "$TMP/ts")
	has "$ts" "^rc=130$" "^C at the prompt ends the program by SIGINT"
	printf '%s\n' "$ts" | grep -q -- '[^-]echo '
	ok $? "... and the terminal echoes again"

	: > "$TMP/ts"
	type_at "$TMP/ts" "New passphrase" 'tty-pass-44\n' "Type it again" 'tty-pass-45\n' |
		timeout 20 script -qfec "'$FV_BIN' init --role worker --name 赵 --store '$R/tty.fv' --recovery-key '$R/tty.key'; echo rc=\$?" \
			"$TMP/ts" > /dev/null 2>&1
	ts=$(tr -d '\r' < "$TMP/ts")
	has "$ts" "^fieldvisit: the two passphrases differ; nothing was changed$" \
		"a new passphrase is asked twice and must match"
	has "$ts" "^rc=1$" "... else exit 1"
	ls "$R/tty.fv" "$R/tty.key" > /dev/null 2>&1
	is "$?" 2 "... and nothing is created"
else
	for i in 1 2 3 4 5 6 7 8; do
		tap_n=$((tap_n + 1)); echo "ok $tap_n - # SKIP no pseudo-terminal (script)"
	done
fi

# ------------------------------------------------------------------ robustness
# a full disk must not stop reading: the unlock audit is best effort
run env FIELDVISIT_FAULT=full:1 FIELDVISIT_PASSPHRASE=recovered-33 "$FV_BIN" person list --json \
	--store "$STORE"
is "$rc" 0 "person list works on a full disk"
has "$err" "^fieldvisit: warning: the unlock could not be written to the audit log" \
	"... and warns that the unlock was not audited"
# answers quoted in errors cannot drive the terminal
printf '{"q1":"\\u001b[31m","q2":0,"q3":0,"q4":0,"q5":0,"q6":0,"q7":0}' > "$TMP/esc.json"
run env FIELDVISIT_PASSPHRASE=recovered-33 "$FV_BIN" visit submit gad7 --person "$P1" \
	--answers "$TMP/esc.json" --store "$STORE"
is "$rc" 1 "an answer with an escape sequence is refused"
printf '%s' "$err" | grep -q "$(printf '\033')"
is "$?" 1 "... and the error shows it escaped, never as a raw ESC"
has "$err" '\\x1b\[31m' "... as \\x1b"

tap_done
