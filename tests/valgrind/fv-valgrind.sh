#!/bin/sh
# memcheck for `make valgrind` (tests/campaign.am, HACKING.md "Tests").
#
#   fv-valgrind.sh -- PROGRAM ARGS...   PROGRAM under memcheck (a unit test:
#                                       make check's LOG_COMPILER)
#   fv-valgrind.sh ARGS...              $FV_VALGRIND_PROG (the fieldvisit
#                                       binary) under memcheck: this script
#                                       is FV_BIN for the shell tests
#
# Every process writes its report to $FV_VALGRIND_LOGS/PID.log (standard
# error stays the program's own, which the shell tests compare); `make
# valgrind` reads them all at the end.  A memory error or a definite or
# indirect leak makes the process exit 99, so a test that expects success
# fails at once; one that expects a refusal is caught by the logs.  Children
# of fork() without exec (the store's crash tests) are not followed: they
# are copies that _exit with everything still allocated on purpose.
logs=${FV_VALGRIND_LOGS:?run through make valgrind}
supp=$(dirname "$0")/fieldvisit.supp
if [ "${1-}" = "--" ]; then
	shift
else
	set -- "${FV_VALGRIND_PROG:?run through make valgrind}" "$@"
fi
exec valgrind --quiet --tool=memcheck --error-exitcode=99 \
	--leak-check=full --errors-for-leak-kinds=definite,indirect \
	--show-leak-kinds=definite,indirect --num-callers=30 \
	--child-silent-after-fork=yes --suppressions="$supp" \
	--log-file="$logs/%p.log" "$@"
