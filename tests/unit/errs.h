/*
 * The error list the store tests share: err collects what the function
 * under test reports; reset() empties it before the next call.  Include
 * after tap.h.
 */
#ifndef FV_TEST_ERRS_H
#define FV_TEST_ERRS_H

#include <string.h>

#include "fieldvisit/core.h"

static fv_errors err;

static void reset(void)
{
	fv_errors_release(&err);
}

__attribute__((unused))
static const char *first(void)
{
	return err.n ? err.lines[0] : "";
}

/* Show every error line as a TAP comment (after a failed match). */
static void show_errors(const char *what)
{
	diag("no error line %s:", what);
	for (size_t i = 0; i < err.n; i++)
		diag("  %s", err.lines[i]);
	if (!err.n)
		diag("  (no error at all)");
}

/* 1 when some error line equals want; shows the lines when not. */
__attribute__((unused))
static int has_line(const char *want)
{
	for (size_t i = 0; i < err.n; i++)
		if (strcmp(err.lines[i], want) == 0)
			return 1;
	show_errors("is the expected one");
	return 0;
}

/* 1 when some error line contains part; shows the lines when not. */
__attribute__((unused))
static int has_part(const char *part)
{
	for (size_t i = 0; i < err.n; i++)
		if (strstr(err.lines[i], part))
			return 1;
	show_errors("contains the expected text");
	return 0;
}

#endif
