#!/bin/sh
# The end of `make valgrind`: read every process's memcheck report in
# LOGS (tests/valgrind/fv-valgrind.sh writes LOGS/PID.log, empty when the
# process had no error and no definite or indirect leak) and say what they
# hold.   report.sh LOGS SECONDS TESTS-RC
logs=$1 secs=$2 rc=$3
procs=$(find "$logs" -name '*.log' | wc -l)
bad=$(find "$logs" -name '*.log' -size +0c | sort)
nbad=$(printf '%s' "$bad" | grep -c .)
errors=0 leaks=0
for f in $bad; do
	e=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$f" | tail -1)
	errors=$((errors + ${e:-0}))
	l=$(grep -cE 'are definitely lost|are indirectly lost' "$f")
	leaks=$((leaks + l))
done
echo "make valgrind: $procs processes under memcheck in ${secs} s; $nbad with a report," \
	"$errors errors (leaks included), $leaks leak records; logs in $logs"
n=0
for f in $bad; do
	n=$((n + 1))
	[ $n -gt 5 ] && { echo "make valgrind: ... and more in $logs"; break; }
	echo "--- $f"
	head -60 "$f"
done
if [ "$nbad" -ne 0 ] || [ "$rc" -ne 0 ]; then
	[ "$rc" -ne 0 ] && echo "make valgrind: a test failed (see test-suite.log)"
	echo "make valgrind: FAILED"
	exit 1
fi
echo "make valgrind: 0 errors, 0 leaks"
