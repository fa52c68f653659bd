#!/bin/sh
# `make bench-limits`: the limits too slow for make check.
#   - test_limits in full (FV_LIMITS_FULL=1): a bundle inflating to 1 GiB
#     (make check runs the 2,000-question form and its draft resumed too);
#   - a store of FV_BENCH_LIMIT_VISITS visits (1,000,000 by default; 10,000
#     people) made by `fieldvisit generate` (kept in FV_BENCH_DIR/limits/
#     when FV_BENCH_DIR is set: making it takes long), then opened and
#     asked `visit list --due`, `person list` and `check` under
#     ulimit -v 262144 (256 MB), each with its time and peak RSS.
# Prints one line per figure; exits 1 when a command fails.
set -u
: "${FV_BIN:?}" "${FV_BUILDDIR:=.}"
visits=${FV_BENCH_LIMIT_VISITS:-1000000}
people=${FV_BENCH_LIMIT_PEOPLE:-10000}
limit=262144
export FIELDVISIT_NOW=2026-11-23T10:00:00 FIELDVISIT_TEST_FAST_KDF=1
unset FIELDVISIT_STORE FIELDVISIT_PASSPHRASE FIELDVISIT_FAULT 2> /dev/null
failed=0

echo "bench-limits: test_limits in full"
FV_LIMITS_FULL=1 "$FV_BUILDDIR/tests/unit/test_limits" > limits-full.log 2>&1 || failed=1
sed 's/^/bench-limits: /' limits-full.log

if [ -n "${FV_BENCH_DIR:-}" ]; then
	dir=$FV_BENCH_DIR/limits
	mkdir -p "$dir"
	keep=1
else
	dir=$(mktemp -d "${TMPDIR:-/tmp}/fvlimits.XXXXXX")
	keep=0
fi
store=$dir/v$visits.fv
echo 'correct horse battery' > "$dir/pass"
S="--store $store --passphrase-file $dir/pass"
# measure WHAT COMMAND...: wall seconds and peak RSS of the command, under the limit
measure() {
	what=$1; shift
	start=$(date +%s.%N)
	if command -v /usr/bin/time > /dev/null; then
		sh -c 'ulimit -v "$1"; shift; exec /usr/bin/time -f "%M" -o "$0" "$@"' \
			"$dir/rss" $limit "$@" > "$dir/out" 2> "$dir/err"
	else
		sh -c 'ulimit -v "$1"; shift; exec "$@"' sh $limit "$@" > "$dir/out" 2> "$dir/err"
		echo "?" > "$dir/rss"
	fi
	rc=$?
	end=$(date +%s.%N)
	printf 'bench-limits: %-40s exit %d, %6.2f s, peak RSS %s KB, %s lines out\n' "$what" $rc \
		"$(echo "$end - $start" | bc)" "$(tail -1 "$dir/rss")" "$(wc -l < "$dir/out")"
	[ $rc -eq 0 ] || { failed=1; head -3 "$dir/err"; }
}

if [ ! -f "$store" ]; then
	echo "bench-limits: making a store of $people people and $visits visits in $dir"
	"$FV_BIN" init --role worker --name bench $S --recovery-key "$dir/v$visits.key" \
		> /dev/null 2>&1 || { echo "bench-limits: init failed"; exit 1; }
	start=$(date +%s)
	"$FV_BIN" generate --persons "$people" --visits "$visits" --seed 11 $S || exit 1
	echo "bench-limits: generate took $(( $(date +%s) - start )) s; the store is $(du -m "$store" | cut -f1) MB"
fi
measure "visit list --due ($visits visits)" "$FV_BIN" visit list --due $S
measure "visit list --overdue --json" "$FV_BIN" visit list --overdue --json $S
measure "person list" "$FV_BIN" person list $S
measure "person show (first person)" "$FV_BIN" person show \
	"$("$FV_BIN" person list --json $S | sed -n 's/.*"id": *"\([0-9a-f-]*\)".*/\1/p' | head -1)" $S
measure "report overdue" "$FV_BIN" report overdue $S
measure "check" "$FV_BIN" check $S
[ "$keep" -eq 1 ] || rm -rf "$dir"
[ "$failed" -eq 0 ]
