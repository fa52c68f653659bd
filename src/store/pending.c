/*
 * fieldvisit store: drafts that belong to no one yet.  A registration has
 * no person to hang a visit draft on, so its answers are kept as JSON in
 * meta under "pending.NAME", inside the encrypted database.
 */
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"


static int pending_name_ok(const char *name, fv_errors *err)
{
	size_t n = name ? strlen(name) : 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || name[i] == '_'))
			n = 0;
	if (n == 0 || n > 32) {
		fv_errors_add(err, NULL, 0, "a pending draft's name is a short word, not '%s'",
			      name ? name : "");
		return 0;
	}
	return 1;
}

fv_status fv_store_pending_put(fv_store *s, const char *name, const fv_answers *a,
			       fv_errors *err)
{
	if (!pending_name_ok(name, err))
		return FV_EINVAL;
	char *key = fv_xasprintf("pending.%s", name);
	char *json = a && a->n ? fv_answers_to_json(a) : NULL;
	sqlite3_stmt *st = store_prepare(s, json
		? "INSERT INTO meta(key, value) VALUES (?1, ?2)"
		  " ON CONFLICT(key) DO UPDATE SET value = excluded.value"
		: "DELETE FROM meta WHERE key = ?1", err);
	if (st) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
		if (json)
			sqlite3_bind_text(st, 2, json, -1, SQLITE_TRANSIENT);
	}
	fv_status rc = store_sql_done(s, st, "saving a draft", err);
	free(json);
	free(key);
	return rc;
}

fv_status fv_store_pending_get(fv_store *s, const char *name, fv_answers *out, fv_errors *err)
{
	memset(out, 0, sizeof *out);
	if (!pending_name_ok(name, err))
		return FV_EINVAL;
	char *key = fv_xasprintf("pending.%s", name);
	sqlite3_stmt *st = store_prepare(s, "SELECT value FROM meta WHERE key = ?1", err);
	fv_status rc = FV_EIO;
	if (st) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
		int r = sqlite3_step(st);
		if (r == SQLITE_ROW) {
			const char *v = (const char *)sqlite3_column_text(st, 0);
			rc = fv_answers_parse(key, v ? v : "{}", v ? strlen(v) : 2, out, err);
		} else {
			rc = r == SQLITE_DONE ? FV_OK : store_error(s, r, "reading a draft", err);
		}
		sqlite3_finalize(st);
	}
	free(key);
	return rc;
}
