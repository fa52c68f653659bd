/*
 * fieldvisit store: alerts (raised by submitted visits, see visit.c),
 * the referrals recorded for them, and closing them after a follow-up.
 * Also the supervisor's latest review of a visit, which the worker's
 * screens show with a returned visit.
 */
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

#define REFERRED_TO_MAX 200
#define OUTCOME_MAX 1000

#define ALERT_COLUMNS                                                                  \
	"id, version, author, visit_id, visit_version, person_id, kind, message, state," \
	" raised_at, closed_at"

static void row_to_alert(sqlite3_stmt *st, fv_alert *a)
{
	a->id = store_sql_text(st, 0);
	a->version = sqlite3_column_int(st, 1);
	a->author = store_sql_text(st, 2);
	a->visit = store_sql_text(st, 3);
	a->visit_version = sqlite3_column_int(st, 4);
	a->person = store_sql_text(st, 5);
	a->kind = store_sql_text(st, 6);
	a->message = store_sql_text(st, 7);
	a->state = store_sql_text(st, 8);
	a->raised_at = store_sql_text(st, 9);
	a->closed_at = store_sql_text(st, 10);
}

static void alert_release(fv_alert *a)
{
	free(a->id);
	free(a->author);
	free(a->visit);
	free(a->person);
	free(a->kind);
	free(a->message);
	free(a->state);
	free(a->raised_at);
	free(a->closed_at);
	memset(a, 0, sizeof *a);
}

void fv_alert_list_free(fv_alert *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		alert_release(&items[i]);
	free(items);
}

fv_status fv_alert_list(fv_store *s, const char *person, int open_only, fv_alert **out,
			size_t *n, fv_errors *err)
{
	fv_alert *items = NULL;
	size_t cap = 0, count = 0;
	int rc;
	sqlite3_stmt *st = store_prepare(s,
		"SELECT " ALERT_COLUMNS " FROM alert"
		" WHERE (?1 IS NULL OR person_id = ?1) AND (?2 = 0 OR state <> 'closed')"
		" ORDER BY raised_at DESC, id", err);

	*out = NULL;
	*n = 0;
	if (!st)
		return FV_EIO;
	store_sql_bind_opt(st, 1, person);
	sqlite3_bind_int(st, 2, open_only != 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		items = fv_xgrow(items, &cap, count + 1, sizeof *items);
		row_to_alert(st, &items[count++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fv_alert_list_free(items, count);
		return store_error(s, rc, "reading alerts", err);
	}
	*out = items;
	*n = count;
	return FV_OK;
}

/* Read alert id into *a; FV_ENOTFOUND "no alert ID". */
static fv_status alert_get(fv_store *s, const char *id, fv_alert *a, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " ALERT_COLUMNS " FROM alert WHERE id = ?1",
					 err);
	memset(a, 0, sizeof *a);
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, id ? id : "", -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_alert(st, a);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return FV_OK;
	if (rc == SQLITE_DONE) {
		fv_errors_add(err, NULL, 0, "no alert %s", id ? id : "");
		return FV_ENOTFOUND;
	}
	return store_error(s, rc, "reading an alert", err);
}

/* Move alert a to state (version + 1, this device), closed_at now when
 * closing. */
static fv_status alert_move(fv_store *s, const fv_alert *a, const char *state, const char *now,
			    fv_errors *err)
{
	sqlite3_stmt *up = store_prepare(s,
		"UPDATE alert SET state = ?1, version = version + 1, author = ?2,"
		" closed_at = CASE WHEN ?1 = 'closed' THEN ?3 ELSE closed_at END"
		" WHERE id = ?4 AND version = ?5", err);
	if (up) {
		sqlite3_bind_text(up, 1, state, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 2, s->device, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 3, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 4, a->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(up, 5, a->version);
	}
	fv_status st = store_sql_done(s, up, "changing an alert", err);
	if (st == FV_OK && sqlite3_changes(s->db) != 1) {
		fv_errors_add(err, NULL, 0, "alert %s changed meanwhile", a->id);
		st = FV_EINVAL;
	}
	return st;
}

/* The day an alert was raised (its raised_at's date). */
static int32_t raised_day(const fv_alert *a)
{
	char day[11];
	int32_t d = 0;
	snprintf(day, sizeof day, "%.10s", a->raised_at);
	(void)fv_date_parse(day, &d);
	return d;
}

static fv_status refer(fv_store *s, const char *id, const fv_referral_input *in,
		       const char *ref_id, fv_errors *err)
{
	fv_alert a;
	fv_status st = alert_get(s, id, &a, err);
	size_t before = err->n;
	char *to = NULL, *outcome = NULL, now[40], on[16], next[16] = "";
	int32_t on_day = 0, next_day = 0;

	if (st != FV_OK)
		return st;
	if (strcmp(a.state, "closed") == 0) {
		fv_errors_add(err, NULL, 0, "alert %s is closed", id);
		alert_release(&a);
		return FV_EINVAL;
	}
	(void)store_check_text("referred to", in->referred_to, 1, REFERRED_TO_MAX, &to, err);
	(void)store_check_text("what was done", in->outcome, 1, OUTCOME_MAX, &outcome, err);
	if (store_check_date("referral date", in->referred_on, &on_day, err) &&
	    on_day < raised_day(&a)) {
		fv_date_format(on_day, on);
		fv_errors_add(err, NULL, 0, "referral date %s is before the alert (%.10s)", on,
			      a.raised_at);
	}
	if (in->follow_up_on && *in->follow_up_on) {
		if (!fv_date_parse(in->follow_up_on, &next_day))
			fv_errors_add(err, NULL, 0, "follow-up date '%s' is not a date (YYYY-MM-DD)",
				      in->follow_up_on);
		else if (err->n == before && next_day < on_day)
			fv_errors_add(err, NULL, 0, "follow-up date %s is before the referral date",
				      in->follow_up_on);
		else
			fv_date_format(next_day, next);
	}
	if (err->n != before) {
		free(to);
		free(outcome);
		alert_release(&a);
		return FV_EINVAL;
	}
	fv_date_format(on_day, on);
	store_sql_now(now);
	sqlite3_stmt *ins = store_prepare(s,
		"INSERT INTO referral(id, version, author, person_id, alert_id, referred_to,"
		" referred_on, follow_up_on, outcome, state, created_at, updated_at)"
		" VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9, ?9)", err);
	if (ins) {
		sqlite3_bind_text(ins, 1, ref_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 2, s->device, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 3, a.person, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 4, a.id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 5, to, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 6, on, -1, SQLITE_TRANSIENT);
		store_sql_bind_opt(ins, 7, next);
		sqlite3_bind_text(ins, 8, outcome, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 9, now, -1, SQLITE_TRANSIENT);
	}
	st = store_sql_done(s, ins, "saving a referral", err);
	if (st == FV_OK && strcmp(a.state, "referred") != 0)
		st = alert_move(s, &a, "referred", now, err);
	if (st == FV_OK)
		st = store_audit(s, "alert.refer", a.id, a.kind, err);
	free(to);
	free(outcome);
	alert_release(&a);
	return st;
}

fv_status fv_alert_refer(fv_store *s, const char *id, const fv_referral_input *in,
			 char ref_id[FV_ID_BYTES], fv_errors *err)
{
	char new_id[FV_ID_BYTES];
	fv_status st = store_sql_begin(s, err);
	ref_id[0] = '\0';
	if (st != FV_OK)
		return st;
	vault_uuid(new_id);
	st = store_sql_end(s, refer(s, id, in, new_id, err), err);
	if (st == FV_OK)
		memcpy(ref_id, new_id, FV_ID_BYTES);
	return st;
}

static fv_status close_alert(fv_store *s, const char *id, fv_errors *err)
{
	fv_alert a;
	char now[40], day[16];
	fv_status st = alert_get(s, id, &a, err);
	if (st != FV_OK)
		return st;
	if (strcmp(a.state, "closed") == 0) {
		fv_errors_add(err, NULL, 0, "alert %s is closed already", id);
		alert_release(&a);
		return FV_EINVAL;
	}
	if (strcmp(a.state, "referred") != 0) {
		fv_errors_add(err, NULL, 0,
			      "alert %s: record what was done and the referral first", id);
		alert_release(&a);
		return FV_EINVAL;
	}
	/* a follow-up: a visit that counts, after the day of the alert */
	fv_date_format(raised_day(&a), day);
	sqlite3_stmt *q = store_prepare(s,
		"SELECT 1 FROM visit_fact WHERE person_id = ?1 AND visit_date > ?2 LIMIT 1", err);
	int found = 0, rc = SQLITE_DONE;
	if (q) {
		sqlite3_bind_text(q, 1, a.person, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 2, day, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(q);
		found = rc == SQLITE_ROW;
		sqlite3_finalize(q);
	}
	if (!q || (rc != SQLITE_ROW && rc != SQLITE_DONE)) {
		alert_release(&a);
		return q ? store_error(s, rc, "reading visits", err) : FV_EIO;
	}
	if (!found) {
		fv_errors_add(err, NULL, 0, "alert %s: no follow-up visit after %s yet", id, day);
		alert_release(&a);
		return FV_EINVAL;
	}
	store_sql_now(now);
	st = alert_move(s, &a, "closed", now, err);
	if (st == FV_OK) {
		sqlite3_stmt *up = store_prepare(s,
			"UPDATE referral SET state = 'closed', version = version + 1, author = ?1,"
			" updated_at = ?2 WHERE alert_id = ?3 AND state = 'open'", err);
		if (up) {
			sqlite3_bind_text(up, 1, s->device, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(up, 2, now, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(up, 3, a.id, -1, SQLITE_TRANSIENT);
		}
		st = store_sql_done(s, up, "closing referrals", err);
	}
	if (st == FV_OK)
		st = store_audit(s, "alert.close", a.id, a.kind, err);
	alert_release(&a);
	return st;
}

fv_status fv_alert_close(fv_store *s, const char *id, fv_errors *err)
{
	fv_status st = store_sql_begin(s, err);
	if (st != FV_OK)
		return st;
	return store_sql_end(s, close_alert(s, id, err), err);
}

void fv_referral_list_free(fv_referral *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fv_referral *r = &items[i];
		free(r->id);
		free(r->author);
		free(r->person);
		free(r->alert);
		free(r->referred_to);
		free(r->referred_on);
		free(r->follow_up_on);
		free(r->outcome);
		free(r->state);
		free(r->created_at);
		free(r->updated_at);
	}
	free(items);
}

fv_status fv_referral_list(fv_store *s, const char *person, fv_referral **out, size_t *n,
			   fv_errors *err)
{
	fv_referral *items = NULL;
	size_t cap = 0, count = 0;
	int rc;
	sqlite3_stmt *st = store_prepare(s,
		"SELECT id, version, author, person_id, alert_id, referred_to, referred_on,"
		" follow_up_on, outcome, state, created_at, updated_at FROM referral"
		" WHERE ?1 IS NULL OR person_id = ?1 ORDER BY referred_on DESC, created_at DESC, id",
		err);

	*out = NULL;
	*n = 0;
	if (!st)
		return FV_EIO;
	store_sql_bind_opt(st, 1, person);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		items = fv_xgrow(items, &cap, count + 1, sizeof *items);
		fv_referral *r = &items[count++];
		r->id = store_sql_text(st, 0);
		r->version = sqlite3_column_int(st, 1);
		r->author = store_sql_text(st, 2);
		r->person = store_sql_text(st, 3);
		r->alert = store_sql_text(st, 4);
		r->referred_to = store_sql_text(st, 5);
		r->referred_on = store_sql_text(st, 6);
		r->follow_up_on = store_sql_text(st, 7);
		r->outcome = store_sql_text(st, 8);
		r->state = store_sql_text(st, 9);
		r->created_at = store_sql_text(st, 10);
		r->updated_at = store_sql_text(st, 11);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fv_referral_list_free(items, count);
		return store_error(s, rc, "reading referrals", err);
	}
	*out = items;
	*n = count;
	return FV_OK;
}

fv_status fv_visit_review_get(fv_store *s, const char *id, int version, char **decision,
			  char **comment, fv_errors *err)
{
	*decision = *comment = NULL;
	sqlite3_stmt *st = store_prepare(s,
		"SELECT decision, comment FROM review WHERE visit_id = ?1"
		" AND (?2 <= 0 OR visit_version = ?2)"
		" ORDER BY visit_version DESC, reviewed_at DESC, version DESC LIMIT 1", err);
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, id ? id : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, version);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*decision = store_sql_text(st, 0);
		*comment = store_sql_text(st, 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return FV_OK;
	if (rc == SQLITE_DONE) {
		fv_errors_add(err, NULL, 0, "visit %s has no review", id ? id : "");
		return FV_ENOTFOUND;
	}
	return store_error(s, rc, "reading a review", err);
}
