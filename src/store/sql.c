/* fieldvisit store: small helpers for statements and units of work, shared
 * by the table code (forms, person, visit, audit). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

void store_sql_now(char out[static 40])
{
	fv_datetime_format(fv_clock_now(), out);
}

int32_t store_sql_today(void)
{
	return (int32_t)floor(fv_clock_now() / 86400.0);
}

char *store_sql_text(sqlite3_stmt *st, int col)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	return fv_xstrdup(v ? v : "");
}

void store_sql_bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

fv_status store_sql_done(fv_store *s, sqlite3_stmt *st, const char *what, fv_errors *err)
{
	int rc;
	if (!st)
		return FV_EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? FV_OK : store_error(s, rc, what, err);
}

fv_status store_sql_begin(fv_store *s, fv_errors *err)
{
	int rc = sqlite3_exec(s->db, "SAVEPOINT fv_unit", NULL, NULL, NULL);
	return rc == SQLITE_OK ? FV_OK : store_error(s, rc, "starting a change", err);
}

fv_status store_sql_end(fv_store *s, fv_status st, fv_errors *err)
{
	if (st == FV_OK) {
		int rc = sqlite3_exec(s->db, "RELEASE fv_unit", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return FV_OK;
		st = store_error(s, rc, "saving", err);
	}
	/* after an error SQLite may have rolled the whole transaction back
	 * already; then there is no savepoint left and these fail harmlessly */
	sqlite3_exec(s->db, "ROLLBACK TO fv_unit", NULL, NULL, NULL);
	sqlite3_exec(s->db, "RELEASE fv_unit", NULL, NULL, NULL);
	return st;
}

/* ---- functions the triggers call ----------------------------------- */

uint64_t store_sql_hash(const unsigned char *t, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= t[i];
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

static void fn_day(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const unsigned char *t = sqlite3_value_text(argv[0]);
	char day[11];
	int32_t d;
	(void)argc;
	if (!t || sqlite3_value_bytes(argv[0]) < 10)
		return;   /* NULL */
	memcpy(day, t, 10);
	day[10] = '\0';
	if (fv_date_parse(day, &d))
		sqlite3_result_int(cx, d);
}

static void fn_time(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const char *t = (const char *)sqlite3_value_text(argv[0]);
	double v;
	(void)argc;
	if (t && fv_datetime_parse(t, &v))
		sqlite3_result_double(cx, v);
}

static void fn_hash(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const unsigned char *t = sqlite3_value_text(argv[0]);
	(void)argc;
	if (t)
		sqlite3_result_int64(cx, (sqlite3_int64)store_sql_hash(
						 t, (size_t)sqlite3_value_bytes(argv[0])));
}

int store_sql_functions(sqlite3 *db)
{
	static const struct {
		const char *name;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} fns[] = {{"fv_day", fn_day}, {"fv_time", fn_time}, {"fv_hash", fn_hash}};
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		int rc = sqlite3_create_function(db, fns[i].name, 1,
						 SQLITE_UTF8 | SQLITE_DETERMINISTIC |
							 SQLITE_INNOCUOUS,
						 NULL, fns[i].fn, NULL, NULL);
		if (rc != SQLITE_OK)
			return rc;
	}
	return store_sched_functions(db);
}
