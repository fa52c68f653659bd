#!/bin/sh
# fieldvisit generate: fictional people and visits through the same checks
# as real input, the same from the same seed, and its usage errors.
. "$FV_SRCDIR/tests/e2e/lib.sh"
export FIELDVISIT_TEST_FAST_KDF=1 FIELDVISIT_PASSPHRASE='correct horse battery'
export XDG_DATA_HOME="$TMP" FIELDVISIT_NOW=2026-11-23T10:00:00
unset FIELDVISIT_STORE FIELDVISIT_ASSETS_DIR FIELDVISIT_FORMS_DIR
cd "$TMP" || exit 1

# JSON arrays of `person list --json` / `visit list --json` as sorted text
# lines of the fields that do not depend on random ids (perl's JSON::PP
# comes with perl).
count() {
	perl -MJSON::PP -e 'print scalar @{decode_json(join "", <STDIN>)}, "\n"'
}
people() {  # people STORE: one line per person
	"$FV_BIN" person list --json --store "$1" | perl -MJSON::PP -e '
		binmode STDOUT, ":utf8";
		for my $p (@{decode_json(join "", <STDIN>)}) {
			print join("|", @$p{qw(name sex birth resident_id phone village household)},
				join(" ", @{$p->{categories}}),
				map({ $_->{name} . " " . $_->{phone} } @{$p->{contacts}}),
				$p->{last_visit} // ""), "\n";
		}' | LC_ALL=C sort
}
visits() {  # visits STORE: one line per visit, the person by resident ID
	"$FV_BIN" person list --json --store "$1" > "$TMP/people.json"
	"$FV_BIN" visit list --json --store "$1" | perl -MJSON::PP -e '
		open my $f, "<", $ARGV[0] or die;
		my %rid = map { $_->{id} => $_->{resident_id} } @{decode_json(join "", <$f>)};
		for my $v (@{decode_json(join "", <STDIN>)}) {
			print join("|", $rid{$v->{person}}, @$v{qw(form_id form_version state checkin
				checkout duration)}, join(" ", @{$v->{services}}),
				$v->{score} // "", $v->{band} // "", join(" ", @{$v->{alerts}}),
				$v->{id}), "\n";
		}' "$TMP/people.json" | LC_ALL=C sort
}
answers() {  # answers STORE ID: the stored answers, keys sorted
	"$FV_BIN" visit show "$2" --json --store "$1" |
		perl -MJSON::PP -e 'print JSON::PP->new->canonical->encode(
			decode_json(join "", <STDIN>)->{answers}), "\n"'
}

"$FV_BIN" generate --help | grep -q '^Usage: fieldvisit generate'
ok $? "generate --help"

# ---- usage errors: exit 2, nothing asked, nothing opened
usage() {  # usage DESCRIPTION ARGS...
	what=$1; shift
	err=$("$FV_BIN" generate "$@" 2>&1); rc=$?
	is "$rc" 2 "usage: $what"
}
usage "no arguments"
usage "no --visits" --persons 5
usage "no --persons" --visits 5
usage "a negative count" --persons -1 --visits 5
usage "a count that is not a number" --persons five --visits 5
usage "a count past the limit" --persons 1000001 --visits 5
usage "a fraction" --persons 2.5 --visits 5
usage "a seed that is not a number" --persons 1 --visits 1 --seed x
usage "an unknown option" --persons 1 --visits 1 --bogus
usage "an extra argument" --persons 1 --visits 1 extra
usage "an option without its value" --persons
err=$("$FV_BIN" generate --persons 1 --visits 1 --bogus 2>&1)
is "$err" "fieldvisit: generate: unknown option '--bogus' (see 'fieldvisit generate --help')" \
	"an unknown option is named"
err=$("$FV_BIN" generate --persons x --visits 1 2>&1)
is "$err" "fieldvisit: generate: --persons wants a whole number from 0 to 1000000, not 'x'" \
	"a bad count is named"

# ---- a store in the default folder, filled
"$FV_BIN" init --role worker --name alice > /dev/null 2>&1
ok $? "init a store"
out=$("$FV_BIN" generate --persons 50 --visits 200 --seed 7 2> "$TMP/err"); rc=$?
is "$rc" 0 "generate 50 people and 200 visits"
case "$out" in
"generated 50 people in "*" villages and 200 visits (phq9 "*", gad7 "*") with seed 7")
	ok 0 "one summary line" ;;
*)	ok 1 "one summary line"; echo "# $out" ;;
esac
is "$(cat "$TMP/err")" "" "nothing on stderr when it is not a terminal (no progress)"
A="$TMP/fieldvisit/alice.fv"
is "$("$FV_BIN" person list --json --store "$A" | count)" 50 "person list has 50 people"
is "$("$FV_BIN" visit list --json --store "$A" | count)" 200 "visit list has 200 visits"

people "$A" > "$TMP/a.people"
visits "$A" > "$TMP/a.visits"
is "$(cut -d'|' -f4 "$TMP/a.people" | sort -u | wc -l | tr -d ' ')" 50 \
	"50 different resident IDs (each checked by the store)"
bad=$(cut -d'|' -f6 "$TMP/a.people" | sort -u | while read -r v; do
	grep -q "^$v " "$FV_SRCDIR/assets/demo/villages.txt" || echo "$v"; done)
is "$bad" "" "every village comes from assets/demo/villages.txt"
is "$(cut -d'|' -f1 "$TMP/a.visits" | grep -c '^$')" 0 "every visit is about a person added"
is "$(cut -d'|' -f4 "$TMP/a.visits" | sort -u)" submitted "every visit is submitted"
is "$(cut -d'|' -f2 "$TMP/a.visits" | sort -u | tr '\n' ' ')" "gad7 phq9 " \
	"visits of the shipped PHQ-9 and GAD-7"
late=$(cut -d'|' -f5 "$TMP/a.visits" | awk '$0 >= "2026-11-23"')
is "$late" "" "every visit is in the past"
short=$(cut -d'|' -f7 "$TMP/a.visits" | awk '$0 == "" || $0 < 1')
is "$short" "" "every visit has a check-in, a check-out and a duration"

# ---- the same seed into another store: the same people and visits
B="$TMP/other/bob.fv"
mkdir -p "$TMP/other"
"$FV_BIN" init --role worker --name bob --store "$B" --recovery-key "$TMP/other/bob.key" \
	> /dev/null 2>&1
ok $? "init a second store"
"$FV_BIN" generate --persons 50 --visits 200 --seed 7 --store "$B" > /dev/null 2>&1
ok $? "generate with the same seed"
is "$(people "$B")" "$(cat "$TMP/a.people")" \
	"the same names, villages, resident IDs, households, categories, contacts"
visits "$B" > "$TMP/b.visits"
is "$(cut -d'|' -f1-11 "$TMP/b.visits")" "$(cut -d'|' -f1-11 "$TMP/a.visits")" \
	"the same visits: person, form, times, services, score, band, alerts"
same=0
for n in 1 50 100 150 200; do
	ida=$(sed -n "${n}p" "$TMP/a.visits" | cut -d'|' -f12)
	idb=$(sed -n "${n}p" "$TMP/b.visits" | cut -d'|' -f12)
	[ -n "$ida" ] && [ "$(answers "$A" "$ida")" = "$(answers "$B" "$idb")" ] ||
		same=1
done
ok $same "the same answers (five visits compared)"

# ---- another seed: other people
C="$TMP/other/carol.fv"
"$FV_BIN" init --role worker --name carol --store "$C" --recovery-key "$TMP/other/carol.key" \
	> /dev/null 2>&1
"$FV_BIN" generate --persons 50 --visits 0 --seed 8 --store "$C" > /dev/null 2>&1
ok $? "generate people only, another seed"
[ "$(cut -d'|' -f4 "$TMP/a.people")" != "$(people "$C" | cut -d'|' -f4)" ]
ok $? "another seed gives other people"
is "$("$FV_BIN" visit list --json --store "$C" | count)" 0 "--visits 0 adds no visits"

# ---- again into the same store: more people, never a resident ID twice
"$FV_BIN" generate --persons 50 --visits 10 --seed 7 --store "$B" > /dev/null 2> "$TMP/err"
ok $? "the same seed again into the same store"
is "$(people "$B" | cut -d'|' -f4 | sort -u | wc -l | tr -d ' ')" 100 \
	"100 people, 100 different resident IDs"

# ---- visits to the people already there
D="$TMP/other/dave.fv"
"$FV_BIN" init --role worker --name dave --store "$D" --recovery-key "$TMP/other/dave.key" \
	> /dev/null 2>&1
err=$("$FV_BIN" generate --persons 0 --visits 5 --store "$D" 2>&1); rc=$?
is "$rc" 1 "visits without anyone to visit are refused (exit 1)"
echo "$err" | grep -q 'no active people to visit'; ok $? "... saying why"
"$FV_BIN" generate --persons 3 --visits 0 --store "$D" > /dev/null 2>&1
"$FV_BIN" generate --persons 0 --visits 5 --store "$D" > /dev/null 2>&1
ok $? "visits to the people already there"
is "$("$FV_BIN" visit list --json --store "$D" | count)" 5 "... 5 visits"

# ---- the store and the data files
"$FV_BIN" generate --persons 1 --visits 1 --store "$TMP/nowhere.fv" > /dev/null 2>&1
is "$?" 4 "a missing store is a store error (exit 4)"
FIELDVISIT_PASSPHRASE='wrong passphrase' \
	"$FV_BIN" generate --persons 1 --visits 1 --store "$D" > /dev/null 2>&1
is "$?" 3 "a wrong passphrase exits 3"
mkdir -p "$TMP/assets/demo"
err=$(FIELDVISIT_ASSETS_DIR="$TMP/assets" "$FV_BIN" generate --persons 1 --visits 0 \
	--store "$D" 2>&1); rc=$?
is "$rc" 4 "missing data files: exit 4"
echo "$err" | grep -q "$TMP/assets/demo/surnames.txt: cannot open"
ok $? "... naming the file"
cp "$FV_SRCDIR"/assets/demo/*.txt "$TMP/assets/demo/"
printf '# comment\nvillage one 3\n' > "$TMP/assets/demo/villages.txt"
err=$(FIELDVISIT_ASSETS_DIR="$TMP/assets" "$FV_BIN" generate --persons 1 --visits 0 \
	--store "$D" 2>&1); rc=$?
is "$rc" 1 "a bad data file: exit 1"
echo "$err" | grep -q "^fieldvisit: $TMP/assets/demo/villages.txt:2: expected a name and a weight"
ok $? "... with FILE:LINE"
printf 'Hillside 2\nRiverside\n' > "$TMP/assets/demo/villages.txt"
FIELDVISIT_ASSETS_DIR="$TMP/assets" "$FV_BIN" generate --persons 4 --visits 0 --seed 3 \
	--store "$D" > /dev/null 2>&1
ok $? "FIELDVISIT_ASSETS_DIR gives other data files"
is "$(people "$D" | cut -d'|' -f6 | grep -c '^\(Hillside\|Riverside\)$')" 4 \
	"... its villages are used"

tap_done
