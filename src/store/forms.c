/*
 * fieldvisit store: installed forms.  The form table keeps the CSV text of
 * each (form_id, version) exactly as it was installed; loading a form runs
 * it through the forms engine again, so a stored form is checked by the
 * same code as a file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

/* Install one form from its CSV text, in the caller's transaction.  The
 * same (form_id, version) with the same text is a no-op; with other text
 * it is refused. */
static fv_status install_text(fv_store *s, const char *name, const char *data, size_t len,
			      int *was_there, fv_errors *err)
{
	fv_form *f = NULL;
	sqlite3_stmt *st;
	char now[40];
	fv_status status = fv_form_load_buffer(name, data, len, &f, err);
	int rc;

	if (status != FV_OK)
		return status;
	st = store_prepare(s, "SELECT csv FROM form WHERE form_id = ?1 AND version = ?2", err);
	if (!st) {
		fv_form_free(f);
		return FV_EIO;
	}
	sqlite3_bind_text(st, 1, f->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, f->version, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int same = (size_t)sqlite3_column_bytes(st, 0) == len &&
			   memcmp(sqlite3_column_blob(st, 0), data, len) == 0;
		sqlite3_finalize(st);
		if (was_there)
			*was_there = 1;
		if (!same)
			fv_errors_add(err, name, 0,
				      "form '%s' version %s is installed already with other content;"
				      " give the new one a new version", f->id, f->version);
		fv_form_free(f);
		return same ? FV_OK : FV_EINVAL;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fv_form_free(f);
		return store_error(s, rc, "reading the forms", err);
	}
	st = store_prepare(s, "INSERT INTO form(form_id, version, csv, installed_at)"
			      " VALUES (?1, ?2, ?3, ?4)", err);
	if (st) {
		store_sql_now(now);
		sqlite3_bind_text(st, 1, f->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, f->version, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, data, (int)len, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
	}
	status = store_sql_done(s, st, "installing a form", err);
	if (status == FV_OK)
		status = store_audit(s, "form.install", f->id, f->version, err);
	fv_form_free(f);
	return status;
}

static fv_status install_file(fv_store *s, const char *path, fv_errors *err)
{
	char *data;
	size_t len;
	fv_status st = fv_read_file(path, &data, &len, err);
	if (st != FV_OK)
		return st;
	if (len > (size_t)INT32_MAX) {
		fv_errors_add(err, path, 0, "too big for a form");
		st = FV_ERANGE;
	} else {
		st = install_text(s, path, data, len, NULL, err);
	}
	free(data);
	return st;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

fv_status store_forms_install_dir(fv_store *s, const char *dir, fv_errors *err)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	fv_status st = FV_OK;

	if (!dir)
		return FV_OK;
	if (!(d = opendir(dir))) {
		fv_errors_add(err, dir, 0, "cannot read the forms folder: %s", strerror(errno));
		return FV_EIO;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0)
			continue;
		names = fv_xgrow(names, &cap, n + 1, sizeof *names);
		names[n++] = fv_xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	/* every form is checked, so that one run shows every problem */
	for (size_t i = 0; i < n; i++) {
		fv_status one = install_file(s, names[i], err);
		if (st == FV_OK)
			st = one;
		free(names[i]);
	}
	free(names);
	return st;
}

fv_status fv_store_form_install(fv_store *s, const char *path, fv_errors *err)
{
	fv_status st = store_sql_begin(s, err);
	if (st != FV_OK)
		return st;
	return store_sql_end(s, install_file(s, path, err), err);
}

/* Digits only (a pyxform-style version such as 2026112301). */
static int all_digits(const char *v)
{
	if (!*v)
		return 0;
	for (; *v; v++)
		if (*v < '0' || *v > '9')
			return 0;
	return 1;
}

/* 1 when version a comes after version b: as numbers when both are
 * digits only, else as text. */
static int newer(const char *a, const char *b)
{
	if (all_digits(a) && all_digits(b)) {
		while (*a == '0' && a[1])
			a++;
		while (*b == '0' && b[1])
			b++;
		size_t la = strlen(a), lb = strlen(b);
		if (la != lb)
			return la > lb;
	}
	return strcmp(a, b) > 0;
}

fv_status fv_store_form_load_version(fv_store *s, const char *form_id, const char *version,
				     fv_form **out, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s,
		"SELECT version, csv FROM form WHERE form_id = ?1 AND (?2 IS NULL OR version = ?2)",
		err);
	char *best = NULL, *csv = NULL;
	int rc;
	fv_status status;

	*out = NULL;
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, form_id, -1, SQLITE_TRANSIENT);
	store_sql_bind_opt(st, 2, version);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		if (best && !newer(v, best))
			continue;
		free(best);
		free(csv);
		best = store_sql_text(st, 0);
		csv = store_sql_text(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		status = store_error(s, rc, "reading the forms", err);
	} else if (!best) {
		if (version)
			fv_errors_add(err, NULL, 0, "form '%s' version %s is not installed", form_id,
				      version);
		else
			fv_errors_add(err, NULL, 0, "no form '%s' is installed", form_id);
		status = FV_ENOTFOUND;
	} else {
		char *name = fv_xasprintf("%s@%s", form_id, best);
		status = fv_form_load_buffer(name, csv, strlen(csv), out, err);
		free(name);
	}
	free(best);
	free(csv);
	return status;
}

fv_status fv_store_form_load(fv_store *s, const char *form_id, fv_form **out, fv_errors *err)
{
	return fv_store_form_load_version(s, form_id, NULL, out, err);
}

fv_status store_forms_installed(fv_store *s, const char *form_id, const char *version,
				int *yes, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s,
		"SELECT 1 FROM form WHERE form_id = ?1 AND version = ?2", err);
	int rc;
	*yes = 0;
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, form_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, version, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		*yes = 1;
	else if (rc != SQLITE_DONE)
		return store_error(s, rc, "reading the forms", err);
	return FV_OK;
}

/* ------------------------------------------------------------------ */
/* For sync                                                            */

fv_status fv_store_form_install_text(fv_store *s, const char *name, const char *csv, size_t len,
				     fv_apply *out, fv_errors *err)
{
	int there = 0;
	fv_status st;
	if (len > (size_t)INT32_MAX) {
		fv_errors_add(err, name, 0, "too big for a form");
		return FV_EINVAL;
	}
	if ((st = store_sql_begin(s, err)) != FV_OK)
		return st;
	st = store_sql_end(s, install_text(s, name, csv, len, &there, err), err);
	*out = there ? FV_APPLY_SAME : FV_APPLY_ADDED;
	return st;
}

fv_status store_form_cached(fv_store *s, const char *form_id, const char *version,
			    const fv_form **out, fv_errors *err)
{
	fv_form *f;
	fv_status st;
	for (size_t i = 0; i < s->nforms; i++) {
		if (strcmp(s->forms[i]->id, form_id) == 0 &&
		    strcmp(s->forms[i]->version, version) == 0) {
			*out = s->forms[i];
			return FV_OK;
		}
	}
	if ((st = fv_store_form_load_version(s, form_id, version, &f, err)) != FV_OK)
		return st;
	if (s->nforms == sizeof s->forms / sizeof s->forms[0]) {
		fv_form_free(s->forms[0]);
		memmove(s->forms, s->forms + 1, (s->nforms - 1) * sizeof s->forms[0]);
		s->nforms--;
	}
	s->forms[s->nforms++] = f;
	*out = f;
	return FV_OK;
}

fv_status fv_store_form_text(fv_store *s, const char *form_id, const char *version, char **csv,
			     fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s,
		"SELECT csv FROM form WHERE form_id = ?1 AND version = ?2", err);
	int rc;
	*csv = NULL;
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, form_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, version, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*csv = store_sql_text(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return FV_OK;
	if (rc != SQLITE_DONE)
		return store_error(s, rc, "reading the forms", err);
	fv_errors_add(err, NULL, 0, "form '%s' version %s is not installed", form_id, version);
	return FV_ENOTFOUND;
}

/* The latest version of each id of table tbl (form or rule). */
fv_status store_latest_versions(fv_store *s, const char *sql, char ***ids, char ***versions,
				size_t *n, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s, sql, err);
	char **a = NULL, **b = NULL;
	size_t cap_a = 0, cap_b = 0, count = 0;
	int rc;
	*ids = *versions = NULL;
	*n = 0;
	if (!st)
		return FV_EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);
		if (count && strcmp(a[count - 1], id) == 0) {
			if (newer(v, b[count - 1])) {
				free(b[count - 1]);
				b[count - 1] = fv_xstrdup(v);
			}
			continue;
		}
		a = fv_xgrow(a, &cap_a, count + 1, sizeof *a);
		b = fv_xgrow(b, &cap_b, count + 1, sizeof *b);
		a[count] = fv_xstrdup(id);
		b[count++] = fv_xstrdup(v);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		for (size_t i = 0; i < count; i++) {
			free(a[i]);
			free(b[i]);
		}
		free(a);
		free(b);
		return store_error(s, rc, "reading versions", err);
	}
	*ids = a;
	*versions = b;
	*n = count;
	return FV_OK;
}

fv_status fv_store_form_latest(fv_store *s, char ***ids, char ***versions, size_t *n,
			       fv_errors *err)
{
	return store_latest_versions(s, "SELECT form_id, version FROM form ORDER BY form_id",
				     ids, versions, n, err);
}
