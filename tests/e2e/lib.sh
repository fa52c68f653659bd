# Shared by the shell tests: TAP output and paths.
#   FV_BIN     the fieldvisit binary under test
#   FV_SRCDIR  the source tree (forms, corpora, golden files)
# Each check prints "ok N - what" or "not ok N - what"; finish with tap_done.
set -u
: "${FV_BIN:?run through make check}"
: "${FV_SRCDIR:?run through make check}"
export LC_ALL=C.UTF-8 TZ=Asia/Shanghai
tap_n=0
tap_failed=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fvtest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ok() {  # ok CONDITION-STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# is GOT EXPECTED DESCRIPTION: string equality with a diff on failure
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '%s\n' "$1" > "$TMP/got"
		printf '%s\n' "$2" > "$TMP/want"
		diff -u "$TMP/want" "$TMP/got" | sed 's/^/# /'
	fi
}

# fv ARGS...: the binary under test
fv() { "$FV_BIN" "$@"; }
# run CMD...: $out is stdout, $err stderr, $rc the exit status
run() {
	"$@" > "$TMP/run.out" 2> "$TMP/run.err"
	rc=$?
	out=$(cat "$TMP/run.out")
	err=$(cat "$TMP/run.err")
}
# has TEXT PATTERN DESCRIPTION: grep -q as a test
has() {
	printf '%s\n' "$1" | grep -q -- "$2"
	ok $? "$3"
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
