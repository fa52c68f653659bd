/*
 * Replays every fuzz target's seed corpus (tests/fuzz/corpus/TARGET/) and
 * regression inputs (tests/fuzz/regressions/TARGET/, when present) through
 * the entry points libFuzzer calls, so that a plain `make check` (and an
 * ASan/UBSan build of it) runs them too.  One test per directory, with the
 * number of inputs; a crash, a sanitizer report or a non-zero return fails.
 *
 * The source tree is $FV_SRCDIR (set by make check), else the FV_SRCDIR the
 * program was compiled with.  Before each input its path is written to
 * stderr, so the test log names the input that crashed.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L   /* opendir, stat */
#endif
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fieldvisit/core.h"
#include "../fuzz/fuzz.h"
#include "tap.h"

#ifndef FV_SRCDIR
#define FV_SRCDIR "."
#endif

static const struct target {
	const char *name;
	int (*run)(const uint8_t *data, size_t size);
} targets[] = {
	{"csv", fuzz_csv},
	{"expr", fuzz_expr},
	{"answers", fuzz_answers},
	{"keyfile", fuzz_keyfile},
	{"rules", fuzz_rules},
	{"bundle", fuzz_bundle},
	{"records", fuzz_records},
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Regular files of dir (not hidden), sorted by name; *n their count.
 * Returns NULL with errno set when dir cannot be opened. */
static char **list_files(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t cap = 0;
	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		struct stat sb;
		if (de->d_name[0] == '.')
			continue;
		char *path = fv_xasprintf("%s/%s", dir, de->d_name);
		int regular = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
		free(path);
		if (!regular)
			continue;
		names = fv_xgrow(names, &cap, *n + 1, sizeof *names);
		names[(*n)++] = fv_xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof *names, cmp_str);
	else
		names = fv_xgrow(names, &cap, 1, sizeof *names);
	return names;
}

/* Read path into a buffer of exactly its size (plus nothing: a read past
 * the end is caught by ASan, as under libFuzzer).  Returns 0 on failure. */
static int read_exact(const char *path, uint8_t **data, size_t *len)
{
	char *text;
	fv_errors err;
	fv_errors_init(&err);
	fv_status st = fv_read_file(path, &text, len, &err);
	for (size_t i = 0; i < err.n; i++)
		diag("%s", err.lines[i]);
	fv_errors_release(&err);
	if (st != FV_OK)
		return 0;
	*data = fv_xmalloc(*len ? *len : 1);
	memcpy(*data, text, *len);
	free(text);
	return 1;
}

/* Run every file of dir through t.  required: a missing or empty dir
 * fails (a seed corpus); otherwise it is skipped (regressions). */
static void replay(const char *srcdir, const char *kind, const struct target *t, int required)
{
	char *dir = fv_xasprintf("%s/tests/fuzz/%s/%s", srcdir, kind, t->name);
	size_t n, failed = 0;
	char **names = list_files(dir, &n);

	if (!names) {
		if (required)
			ok(0, "%s/%s: cannot open %s: %s", kind, t->name, dir, strerror(errno));
		else
			diag("%s/%s: none (%s)", kind, t->name, dir);
		free(dir);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char *path = fv_xasprintf("%s/%s", dir, names[i]);
		uint8_t *data;
		size_t len;
		fprintf(stderr, "replaying %s\n", path);
		if (!read_exact(path, &data, &len)) {
			failed++;
		} else {
			int rc = t->run(data, len);
			if (rc != 0) {
				diag("%s: returned %d", path, rc);
				failed++;
			}
			free(data);
		}
		free(path);
		free(names[i]);
	}
	free(names);
	if (required && n == 0)
		ok(0, "%s/%s: no inputs in %s", kind, t->name, dir);
	else
		ok(failed == 0, "%s/%s: %zu inputs replayed, %zu failed", kind, t->name, n, failed);
	free(dir);
}

int main(void)
{
	const char *srcdir = getenv("FV_SRCDIR");
	if (!srcdir || !*srcdir)
		srcdir = FV_SRCDIR;
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		replay(srcdir, "corpus", &targets[i], 1);
		replay(srcdir, "regressions", &targets[i], 0);
	}
	return done_testing();
}
