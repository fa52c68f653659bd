#!/bin/sh
# Bad input at every door: each command of 'fieldvisit --help' with missing
# and bad arguments, files that are not there or not what they should be,
# bad dates and numbers, a store without its key file.  Each case must end
# with its exit status (2 usage, 1 rejected input, 3 wrong passphrase, 4 file
# or store error), nothing on standard output, and exactly one line on
# standard error that starts with "fieldvisit: " and says what is wrong (a
# pattern of the case); never a crash.  The parsers' own corpora
# (tests/corpus/) hold the bad files' contents; this is the command line.
. "$FV_SRCDIR/tests/e2e/lib.sh"
cd "$TMP" || exit 1
export FIELDVISIT_TEST_FAST_KDF=1 FIELDVISIT_NOW=2026-11-23T10:00:00
export XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config"
unset FIELDVISIT_STORE FIELDVISIT_PASSPHRASE FIELDVISIT_NEW_PASSPHRASE FIELDVISIT_INVITE_CODE \
	FIELDVISIT_FAULT 2> /dev/null

# The fixture: a worker's store with a person, a visit and an alert; a
# supervisor's store; files of every wrong kind.
echo 'correct horse battery' > pass
echo 'a wrong passphrase' > wrongpass
echo 'short' > short
: > empty
echo '{"q1":0,"q2":0}' > a.json
echo '{"q1":1,"q2":1,"q3":1,"q4":1,"q5":1,"q6":1,"q7":1,"q8":1,"q9":2}' > p9.json
mkdir folder
fv init --role worker --name 王芳 --store w.fv --passphrase-file pass \
	--recovery-key w.key > /dev/null 2>&1
ok $? "a worker's store is made"
fv init --role supervisor --name 张主任 --store s.fv --passphrase-file pass \
	--recovery-key s.key > /dev/null 2>&1
ok $? "a supervisor's store is made"
W="--store w.fv --passphrase-file pass"
S="--store s.fv --passphrase-file pass"
P=$(fv person add $W --name 张三 --id 11010519491231002X --sex female --birth 1949-12-31 \
	--village 东村 2> /dev/null)
V=$(fv visit submit phq2 --person "$P" --answers a.json $W 2> /dev/null)
fv visit submit phq9 --person "$P" --answers p9.json $W > /dev/null 2>&1
A=$(fv alert list --json $W | sed -n 's/.*"id": *"\([0-9a-f-]*\)".*/\1/p' | head -1)
[ -n "$P" ] && [ -n "$V" ] && [ -n "$A" ]
ok $? "a person, a visit and an alert"
cp w.fv nokeys.fv
cp w.fv badkeys.fv && head -c 100 /dev/urandom > badkeys.fv.keys && cp badkeys.fv.keys badkeys.fv.keys.bak
cp w.fv.keys lonely.fv.keys
before=$(ls | sort)

# EXIT|PATTERN|ARGUMENTS: ARGUMENTS are shell words ($W, $S, $P, $V, $A);
# PATTERN an extended regular expression the error line must match.
n=0
while IFS='|' read -r want pattern args; do
	case "$want" in '' | '#'*) continue ;; esac
	n=$((n + 1))
	eval "set -- $args"
	"$FV_BIN" "$@" > out 2> err < /dev/null
	rc=$?
	lines=$(wc -l < err)
	first=$(head -1 err)
	why=""
	[ "$rc" -eq "$want" ] || why="exit $rc, not $want"
	[ "$rc" -lt 128 ] || why="killed by signal $((rc - 128))"
	[ -s out ] && why="${why:+$why; }output on stdout"
	[ "$lines" -eq 1 ] || why="${why:+$why; }$lines lines on stderr"
	case "$first" in "fieldvisit: "*) ;; *) why="${why:+$why; }not 'fieldvisit: ...'" ;; esac
	printf '%s\n' "$first" | grep -qE -- "$pattern" || why="${why:+$why; }no /$pattern/"
	if [ -z "$why" ]; then
		ok 0 "$want: fieldvisit $args"
	else
		ok 1 "$want: fieldvisit $args: $why"
		sed 's/^/# stderr: /' err | head -5
	fi
done <<'EOF'
# the program
2|unknown command|frobnicate
2|--lang is zh or en|--lang fr
2|need a terminal|--store nostore.fv
2|unknown command '--frob'|--frob
# init
2|give --role and --name|init
2|--role is worker or supervisor|init --role boss --name X --store n1.fv --passphrase-file pass
2|give --role and --name|init --role worker --store n1.fv --passphrase-file pass
1|a store exists here already|init --role worker --name X --store w.fv --passphrase-file pass
4|nofile: cannot open|init --role worker --name X --store n1.fv --passphrase-file nofile
1|at least 8 characters|init --role worker --name X --store n1.fv --passphrase-file short
1|passphrase|init --role worker --name X --store n1.fv --passphrase-file empty
1|never overwritten|init --role worker --name X --store n1.fv --passphrase-file pass --recovery-key w.key
4|nofile.fvi: cannot open|init --join nofile.fvi --code 1234 --to . --store n1.fv --passphrase-file pass
1|not a fieldvisit invitation|init --join a.json --code 1234 --to . --store n1.fv --passphrase-file pass
4|folder|init --join folder --code 1234 --to . --store n1.fv --passphrase-file pass
2|unknown option|init --role worker --name X --frob
# opening a store
4|nostore.fv: no such store|person list --store nostore.fv --passphrase-file pass
4|cannot open|person list --store folder --passphrase-file pass
4|damaged|person list --store a.json --passphrase-file pass
4|key file|person list --store nokeys.fv --passphrase-file pass
4|key file|person list --store badkeys.fv --passphrase-file pass
4|no such store|person list --store lonely.fv --passphrase-file pass
4|nofile: cannot open|person list --store w.fv --passphrase-file nofile
4|folder|person list --store w.fv --passphrase-file folder
3|wrong passphrase|person list --store w.fv --passphrase-file wrongpass
3|wrong passphrase|person list --store w.fv --passphrase-file empty
# person
2|unknown subcommand 'frob'|person frob
2|give the person's id|person show
2|unexpected argument|person show $P extra $W
1|no person with id nosuch|person show nosuch $W
1|no person with id nosuch|person edit nosuch $W --name 王五
1|birth date '1949-13-31' is not a date|person add $W --name 李四 --id 11010519491231002X --sex female --birth 1949-13-31 --village 东村
1|birth date '1949-02-30' is not a date|person add $W --name 李四 --id 11010519491231002X --sex female --birth 1949-02-30 --village 东村
1|birth date 2030-12-31 is in the future|person add $W --name 李四 --id 11010519491231002X --sex female --birth 2030-12-31 --village 东村
1|birth date 'yesterday' is not a date|person edit $P $W --birth yesterday
1|must be 18 characters|person add $W --name 李四 --id 123 --sex female --birth 1949-12-31 --village 东村
1|sex must be female or male|person add $W --name 李四 --id 11010519491231002X --sex other --birth 1949-12-31 --village 东村
1|name is required|person add $W --name "" --id 11010519491231002X --sex female --birth 1949-12-31 --village 东村
1|phone '12'|person edit $P $W --phone 12
1|unknown category 'nosuch'|person edit $P $W --category nosuch
2|--id is required|person add $W --name 李四
1|archive as moved, died or archived|person archive $P $W --status gone --date 2026-11-01 --reason x
1|archive date '2026-11-31' is not a date|person archive $P $W --status moved --date 2026-11-31 --reason x
1|archive date 2027-01-01 is in the future|person archive $P $W --status moved --date 2027-01-01 --reason x
2|give --status, --date and --reason|person archive $P $W --status moved --date 2026-11-01
2|--status is active, moved, died or archived|person list $W --status nosuch
# visit
2|give the form|visit submit
2|unknown subcommand|visit frob
4|nofile.json: cannot open|visit submit phq2 --person $P --answers nofile.json $W
4|folder|visit submit phq2 --person $P --answers folder $W
1|bad JSON|visit submit phq2 --person $P --answers pass $W
1|no form 'nosuchform' is installed|visit submit nosuchform --person $P --answers a.json $W
4|nofile.csv: cannot open|visit submit ./nofile.csv --person $P --answers a.json $W
1|no person with id nosuch|visit submit phq2 --person nosuch --answers a.json $W
1|check-in '2026-11-40T10:00' is not a date-time|visit submit phq2 --person $P --answers a.json --checkin 2026-11-40T10:00 $W
1|check-out .* is before check-in|visit submit phq2 --person $P --answers a.json --checkin 2026-11-20T10:00 --checkout 2026-11-20T09:00 $W
1|unknown service 'nosuch'|visit submit phq2 --person $P --answers a.json --services nosuch $W
2|no state 'nosuch'|visit list --state nosuch $W
2|--date: '2026-13-01' is not a date|visit list --due --date 2026-13-01 $W
2|--date: '2026-02-29' is not a date|visit list --due --date 2026-02-29 $W
2|--date: 'tomorrow' is not a date|visit list --overdue --date tomorrow $W
1|no visit with id nosuch|visit show nosuch $W
2|give the visit's id|visit show
# alert
2|unknown subcommand 'open'|alert open
2|give the alert's id|alert close
2|does not go with this subcommand|alert close $A --to x $W
1|no alert nosuch|alert close nosuch $W
1|no alert nosuch|alert refer nosuch --to 医院 --on 2026-11-23 --done x $W
1|referral date is required|alert refer $A --to 医院 --done 陪同就诊 $W
1|referral date '2026-02-30' is not a date|alert refer $A --to 医院 --on 2026-02-30 --done 陪同就诊 $W
1|referral date 2026-11-20 is before the alert|alert refer $A --to 医院 --on 2026-11-20 --done 陪同就诊 $W
1|follow-up date '2026-99-01' is not a date|alert refer $A --to 医院 --on 2026-11-23 --done 陪同就诊 --follow-up 2026-99-01 $W
1|record what was done and the referral first|alert close $A $W
# review
2|give VISIT and approve or return|review
2|only a supervisor's store reviews visits|review $V approve $W
2|approve or return, not 'maybe'|review $V maybe $S
1|no visit with id nosuch|review nosuch approve $S
1|needs a comment|review nosuch return $S
# bundle, team
2|give --to DIR|bundle export $W
2|no team|bundle export --to folder $W
2|give the bundle files|bundle import $W
4|nofile.fvb: cannot open|bundle import nofile.fvb $W
1|not a fieldvisit bundle|bundle import a.json $W
1|not a fieldvisit bundle|bundle import empty $W
4|not a file|bundle import folder $W
2|give one bundle file|bundle inspect
4|nofile.fvb: cannot open|bundle inspect nofile.fvb
1|not a fieldvisit bundle|bundle inspect pass
4|not a file|bundle inspect /dev/null
2|unexpected argument 'extra'|bundle conflicts extra $W
2|unknown subcommand|bundle frob
2|give NAME and --to DIR|team invite $S
4|nodir|team invite 小王 --to nodir $S
2|only a supervisor invites workers|team invite 小王 --to folder $W
# form, rules
2|give at least one form file|form check
4|nofile.csv: cannot open|form check nofile.csv
4|folder: cannot read: Is a directory|form check folder
4|nofile.csv: cannot open|form fill nofile.csv
4|nofile.json: cannot open|form fill "$FV_SRCDIR/forms/phq2.csv" --answers nofile.json
2|unknown subcommand 'export'|form export
4|cannot open the rules folder|rules check nodir
4|cannot open the rules folder|rules check pass
2|unknown subcommand 'frob'|rules frob
# export, passwd, recover, check
2|give --format and --to|export $W
2|--format is csv or jsonl, not 'xml'|export --format xml --to out $W
4|a.json: not a folder|export --format csv --to a.json $W
4|nofile: cannot open|passwd $W --new-passphrase-file nofile
1|at least 8 characters|passwd $W --new-passphrase-file short
4|no such store|passwd --store nostore.fv --passphrase-file pass --new-passphrase-file pass
3|wrong passphrase|passwd --store w.fv --passphrase-file wrongpass --new-passphrase-file pass
2|give --recovery-key|recover
4|nofile.key: cannot read|recover --recovery-key nofile.key --store w.fv --new-passphrase-file pass
1|not a fieldvisit recovery key|recover --recovery-key a.json --store w.fv --new-passphrase-file pass
3|does not belong to this store|recover --recovery-key s.key --store w.fv --new-passphrase-file pass
4|no such store|check --store nostore.fv --passphrase-file pass
3|wrong passphrase|check --store w.fv --passphrase-file wrongpass
2|unexpected argument 'extra'|check extra $W
# report, generate
2|give the report's name|report
2|no report 'nosuch'|report nosuch $S
2|--period: '2026-13' is not a month|report coverage --period 2026-13 $S
2|--period: '2026Q5' is not a month|report coverage --period 2026Q5 $S
2|--format: 'pdf' is not text, csv, json or html|report coverage --format pdf $S
2|--caller: 'nobody' is not provider or district|report callbacks --caller nobody $S
4|nodir/x.txt|report coverage --out nodir/x.txt $S
2|give --persons N and --visits N|generate
2|--persons wants a whole number from 0 to 1000000, not '-1'|generate --persons -1 --visits 0 $W
2|--persons wants a whole number from 0 to 1000000, not 'x'|generate --persons x --visits 0 $W
2|--persons wants a whole number from 0 to 1000000, not '2000000'|generate --persons 2000000 --visits 0 $W
2|--visits wants a whole number|generate --persons 0 --visits 1e3 $W
4|no such store|generate --persons 1 --visits 1 --store nostore.fv --passphrase-file pass
EOF
ok $((n < 100)) "$n cases"

# A command group without its subcommand: the usage on stderr, exit 2.
for c in person visit alert bundle team form rules; do
	"$FV_BIN" $c > out 2> err < /dev/null
	rc=$?
	[ "$rc" -eq 2 ] && [ ! -s out ] && head -1 err | grep -q "^Usage: fieldvisit $c "
	ok $? "fieldvisit $c: its usage on stderr, exit 2"
done

# Nothing was made by a refused command, and the stores are whole.
is "$(ls | grep -v -e '^out$' -e '^err$' | sort)" "$(printf '%s\n' "$before" | grep -v -e '^out$' -e '^err$')" \
	"no file was left by a refused command"
run fv check $W
is "$rc $out" "0 ok" "the worker's store is whole"
run fv check $S
is "$rc $out" "0 ok" "the supervisor's store is whole"
tap_done
