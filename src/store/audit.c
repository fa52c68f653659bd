/* fieldvisit store: the audit log (who did what when), append-only. */
#include <stdlib.h>

#include "data_internal.h"

fv_status store_audit(fv_store *s, const char *action, const char *subject, const char *detail,
		      fv_errors *err)
{
	char now[40];
	sqlite3_stmt *st = store_prepare(s,
		"INSERT INTO audit(at, device, actor, action, subject, detail)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err);
	if (!st)
		return FV_EIO;
	store_sql_now(now);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, s->device, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, s->name ? s->name : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, subject ? subject : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, detail ? detail : "", -1, SQLITE_TRANSIENT);
	return store_sql_done(s, st, "writing the audit log", err);
}

fv_status fv_store_audit_note(fv_store *s, const char *action, const char *subject,
			      const char *detail, fv_errors *err)
{
	fv_status st;
	if (!action || !*action) {
		fv_errors_add(err, NULL, 0, "an audit entry needs an action");
		return FV_EINVAL;
	}
	if ((st = store_sql_begin(s, err)) != FV_OK)
		return st;
	return store_sql_end(s, store_audit(s, action, subject, detail, err), err);
}

fv_status fv_store_audit_list(fv_store *s, const char *subject, fv_audit_entry **out,
			      size_t *n, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s,
		"SELECT seq, at, device, actor, action, subject, detail FROM audit"
		" WHERE ?1 IS NULL OR subject = ?1 ORDER BY seq", err);
	fv_audit_entry *items = NULL;
	size_t cap = 0, count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!st)
		return FV_EIO;
	store_sql_bind_opt(st, 1, subject);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		items = fv_xgrow(items, &cap, count + 1, sizeof *items);
		fv_audit_entry *e = &items[count++];
		e->seq = sqlite3_column_int64(st, 0);
		e->at = store_sql_text(st, 1);
		e->device = store_sql_text(st, 2);
		e->actor = store_sql_text(st, 3);
		e->action = store_sql_text(st, 4);
		e->subject = store_sql_text(st, 5);
		e->detail = store_sql_text(st, 6);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fv_store_audit_list_free(items, count);
		return store_error(s, rc, "reading the audit log", err);
	}
	*out = items;
	*n = count;
	return FV_OK;
}

void fv_store_audit_list_free(fv_audit_entry *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].at);
		free(items[i].device);
		free(items[i].actor);
		free(items[i].action);
		free(items[i].subject);
		free(items[i].detail);
	}
	free(items);
}
