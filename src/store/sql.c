/* fieldvisit store: small helpers for statements and units of work, shared
 * by the table code (forms, person, visit, audit). */
#include <math.h>
#include <stdlib.h>

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
