#!/bin/sh
# Run one libFuzzer target for FUZZ_SECONDS, starting from its seed corpus,
# and merge what it found into a work folder.  `make fuzz` runs this once
# per target (FUZZ_JOBS at a time); see HACKING.md, "Fuzzing".
#
#   run.sh TARGET      (in the build folder; FV_SRCDIR is the source tree)
#
# Environment: FUZZ_SECONDS (600), FUZZ_WORK (fuzz-work), FUZZ_MAX_LEN (4096),
# FV_SRCDIR.  Everything of TARGET goes to FUZZ_WORK/TARGET/:
#
#   new/      inputs the run added to the corpus
#   merged/   the seed corpus and new/ minimised by -merge=1: copy it over
#             tests/fuzz/corpus/TARGET/ to keep what the run found
#   fuzz.log  libFuzzer's output; merge.log the merge's
#   crash-*, leak-*, timeout-*, oom-*   inputs that failed, to turn into
#             regression files in tests/fuzz/regressions/TARGET/
#
# One line goes to FUZZ_WORK/TARGET/result (and standard output):
#   TARGET SECONDS EXECS CRASHES SEED_FILES MERGED_FILES
# Exits 1 when the target crashed, leaked, timed out or ran out of memory.
set -u
t=$1
secs=${FUZZ_SECONDS:-600}
work=${FUZZ_WORK:-fuzz-work}
max_len=${FUZZ_MAX_LEN:-4096}
src=${FV_SRCDIR:-.}
bin=./tests/fuzz/fuzz_$t
seeds=$src/tests/fuzz/corpus/$t
dir=$work/$t

if [ ! -x "$bin" ]; then
	echo "fuzz: $bin is not built" >&2
	exit 1
fi
rm -rf "$dir"
mkdir -p "$dir/new" "$dir/merged"
start=$(date +%s)
# -detect_leaks=1 (LeakSanitizer at the end of each input that grew memory);
# a crash stops the run: -error_exitcode is libFuzzer's 77 for any failure
"$bin" -max_total_time="$secs" -max_len="$max_len" -detect_leaks=1 -timeout=25 \
	-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/" \
	"$dir/new" "$seeds" > "$dir/fuzz.log" 2>&1
rc=$?
end=$(date +%s)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" | tail -1)
[ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$dir/fuzz.log" | tail -1)
crashes=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
	-o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
	crashes=1   # failed without leaving an input (the log says why)
fi
"$bin" -merge=1 -max_len="$max_len" "$dir/merged" "$seeds" "$dir/new" > "$dir/merge.log" 2>&1 ||
	echo "fuzz $t: the merge failed (see $dir/merge.log)" >&2
nseeds=$(find "$seeds" -type f | wc -l)
nmerged=$(find "$dir/merged" -type f | wc -l)
echo "$t $((end - start)) ${execs:-0} $crashes $nseeds $nmerged" | tee "$dir/result"
if [ "$crashes" -ne 0 ]; then
	echo "fuzz $t: FAILED (exit $rc); the log is $dir/fuzz.log" >&2
	grep -m 3 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$dir/fuzz.log" >&2
	for f in "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-*; do
		[ -f "$f" ] && echo "fuzz $t: input $f: fix it, then add it to tests/fuzz/regressions/$t/" >&2
	done
	exit 1
fi
exit 0
