/*
 * fieldvisit store: visits.
 *
 * A visit is one row per (id, version).  Answers always go through the
 * forms engine: a draft keeps whatever fits the question types, a submit
 * needs the whole form valid (fv_instance_report finds nothing).  What is
 * stored is the instance, not the input: the values of every relevant
 * question and every calculate, as a JSON object in form order, so that a
 * stored visit reads the same whichever program filled it.
 *
 * The state machine is in legal() below and, as a second guard, in the
 * visit_state trigger of the schema; a version that left the draft state
 * is guarded by the visit_immutable trigger.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

static const char *const state_names[] = {
	[FV_VISIT_DRAFT] = "draft",
	[FV_VISIT_SUBMITTED] = "submitted",
	[FV_VISIT_SENT] = "sent",
	[FV_VISIT_RECEIVED] = "received",
	[FV_VISIT_APPROVED] = "approved",
	[FV_VISIT_RETURNED] = "returned",
};
#define NSTATES (sizeof state_names / sizeof state_names[0])


const char *fv_visit_state_name(fv_visit_state st)
{
	return (unsigned)st < NSTATES ? state_names[st] : "?";
}

int fv_visit_state_parse(const char *s, fv_visit_state *out)
{
	for (size_t i = 0; i < NSTATES; i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*out = (fv_visit_state)i;
			return 1;
		}
	}
	return 0;
}

/* The states a visit may move to from `from`, as FV_VISIT_BIT()s. */
static unsigned next_states(fv_visit_state from)
{
	switch (from) {
	case FV_VISIT_DRAFT:
		return FV_VISIT_BIT(FV_VISIT_SUBMITTED);
	case FV_VISIT_SUBMITTED:
		return FV_VISIT_BIT(FV_VISIT_SENT);
	case FV_VISIT_SENT:
		return FV_VISIT_BIT(FV_VISIT_RECEIVED);
	case FV_VISIT_RECEIVED:
		return FV_VISIT_BIT(FV_VISIT_APPROVED) | FV_VISIT_BIT(FV_VISIT_RETURNED);
	case FV_VISIT_RETURNED:
		return FV_VISIT_BIT(FV_VISIT_DRAFT);
	case FV_VISIT_APPROVED:
		break;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

/* A submitted visit that a bundle carried reads as sent (schema 7). */
#define SENT_MARK "EXISTS (SELECT 1 FROM visit_sent t WHERE t.id = v.id AND t.version = v.version)"
#define VISIT_STATE "CASE WHEN v.state = 'submitted' AND " SENT_MARK " THEN 'sent' ELSE v.state END"
#define VISIT_COLUMNS                                                                   \
	"v.id, v.version, v.author, v.person_id, v.form_id, v.form_version, " VISIT_STATE "," \
	" v.checkin, v.checkout, v.duration, v.services, v.score, v.band, v.visit_date," \
	" v.created_at, v.updated_at, v.submitted_at,"                                   \
	" (SELECT group_concat(a.kind, ' ') FROM alert a"                                \
	"  WHERE a.visit_id = v.id)"   /* raised by any version (write_alerts) */
#define VISIT_NCOLUMNS 18

static void row_to_visit(sqlite3_stmt *st, fv_visit *v, int with_answers)
{
	int c = 0;
	v->id = store_sql_text(st, c++);
	v->version = sqlite3_column_int(st, c++);
	v->author = store_sql_text(st, c++);
	v->person = store_sql_text(st, c++);
	v->form_id = store_sql_text(st, c++);
	v->form_version = store_sql_text(st, c++);
	const char *state = (const char *)sqlite3_column_text(st, c++);
	v->state = FV_VISIT_DRAFT;
	if (state)
		(void)fv_visit_state_parse(state, &v->state);   /* the schema checks it */
	v->checkin = store_sql_text(st, c++);
	v->checkout = store_sql_text(st, c++);
	v->duration = sqlite3_column_type(st, c) == SQLITE_NULL ? -1 : sqlite3_column_int(st, c);
	c++;
	v->services = store_sql_text(st, c++);
	v->score = sqlite3_column_type(st, c) == SQLITE_NULL ? NAN : sqlite3_column_double(st, c);
	c++;
	v->band = store_sql_text(st, c++);
	v->visit_date = store_sql_text(st, c++);
	v->created_at = store_sql_text(st, c++);
	v->updated_at = store_sql_text(st, c++);
	v->submitted_at = store_sql_text(st, c++);
	v->alerts = store_sql_text(st, c++);
	v->answers = with_answers ? store_sql_text(st, c) : NULL;
}

void fv_visit_release(fv_visit *v)
{
	char **fields[] = {
		&v->id, &v->author, &v->person, &v->form_id, &v->form_version, &v->answers,
		&v->checkin, &v->checkout, &v->services, &v->band, &v->alerts, &v->visit_date,
		&v->created_at, &v->updated_at, &v->submitted_at,
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		free(*fields[i]);
		*fields[i] = NULL;
	}
}

void fv_visit_list_free(fv_visit *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fv_visit_release(&items[i]);
	free(items);
}

fv_status fv_visit_get(fv_store *s, const char *id, int version, fv_visit *out, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " VISIT_COLUMNS ", v.answers FROM visit v"
		" WHERE v.id = ?1 AND v.version = CASE WHEN ?2 > 0 THEN ?2"
		" ELSE (SELECT max(version) FROM visit WHERE id = ?1) END", err);
	int rc;
	memset(out, 0, sizeof *out);
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, version);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_visit(st, out, 1);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return FV_OK;
	if (rc != SQLITE_DONE)
		return store_error(s, rc, "reading visits", err);
	if (version > 0)
		fv_errors_add(err, NULL, 0, "no visit with id %s and version %d", id, version);
	else
		fv_errors_add(err, NULL, 0, "no visit with id %s", id);
	return FV_ENOTFOUND;
}

/* The conditions of q after "WHERE <latest version>" (fixed text only:
 * the values are bound by query_prepare); with_states: q->states too. */
static void query_where(const fv_visit_query *q, int with_states, fv_buf *sql)
{
	if (q->person)
		fv_buf_adds(sql, " AND v.person_id = ?1");
	if (q->form)
		fv_buf_adds(sql, " AND v.form_id = ?2");
	if (q->from)
		fv_buf_adds(sql, " AND v.visit_date >= ?3");
	if (q->to)
		fv_buf_adds(sql, " AND v.visit_date <= ?4");
	if (q->alerts)   /* from the few alerts to their visits, not each visit to its alerts */
		fv_buf_adds(sql, " AND v.rowid IN (SELECT w.rowid FROM alert a JOIN visit w"
			    " ON w.id = a.visit_id)");
	if (with_states && q->states) {
		/* the row's state, so that an index on it serves (VISIT_STATE
		 * would not): a visit that reads sent is 'sent' in its row, or
		 * 'submitted' with a mark */
		const unsigned sub = FV_VISIT_BIT(FV_VISIT_SUBMITTED), sent = FV_VISIT_BIT(FV_VISIT_SENT);
		unsigned rows = q->states | ((q->states & sent) ? sub : 0);
		const char *sep = " AND v.state IN (";
		for (size_t i = 0; i < NSTATES; i++) {
			if (rows & FV_VISIT_BIT(i)) {
				fv_buf_addf(sql, "%s'%s'", sep, state_names[i]);
				sep = ", ";
			}
		}
		fv_buf_adds(sql, ")");
		if ((q->states & sent) && !(q->states & sub))
			fv_buf_adds(sql, " AND (v.state <> 'submitted' OR " SENT_MARK ")");
		else if ((q->states & sub) && !(q->states & sent))
			fv_buf_adds(sql, " AND (v.state <> 'submitted' OR NOT " SENT_MARK ")");
	}
}

/* The statement of sql (released) with the values of q bound. */
static sqlite3_stmt *query_prepare(fv_store *s, fv_buf *sql, const fv_visit_query *q,
				   fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s, sql->s, err);
	fv_buf_release(sql);
	if (!st)
		return NULL;
	if (q->person)
		sqlite3_bind_text(st, 1, q->person, -1, SQLITE_TRANSIENT);
	if (q->form)
		sqlite3_bind_text(st, 2, q->form, -1, SQLITE_TRANSIENT);
	if (q->from)
		sqlite3_bind_text(st, 3, q->from, -1, SQLITE_TRANSIENT);
	if (q->to)
		sqlite3_bind_text(st, 4, q->to, -1, SQLITE_TRANSIENT);
	return st;
}

static int query_ok(const fv_visit_query *q, fv_errors *err)
{
	if (q->states >> NSTATES) {
		fv_errors_add(err, NULL, 0, "no such visit state in the query");
		return 0;
	}
	return 1;
}

/* the latest version of each visit (schema 6 keeps superseded) */
#define LATEST " WHERE v.superseded = 0"

fv_status fv_visit_list(fv_store *s, const fv_visit_query *q, fv_visit **out, size_t *n,
			fv_errors *err)
{
	static const fv_visit_query all;
	fv_visit *items = NULL;
	size_t cap = 0, count = 0;
	fv_buf sql;
	int rc;

	*out = NULL;
	*n = 0;
	if (!q)
		q = &all;
	if (!query_ok(q, err))
		return FV_EINVAL;
	fv_buf_init(&sql);
	/* ties (a visit's forms share its check-in) in the order they were made */
	const char *order = " ORDER BY coalesce(v.checkin, v.created_at), v.created_at, v.rowid";
	if (q->limit) {   /* the latest dated, then in the usual order */
		fv_buf_adds(&sql, "SELECT * FROM (SELECT " VISIT_COLUMNS ", v.rowid AS r,"
			    " coalesce(v.checkin, v.created_at) AS t1, v.created_at AS t2"
			    " FROM visit v" LATEST);
		query_where(q, 1, &sql);
		/* the order of the index visit_latest for one state, so that
		 * the first rows of it are read, not all of them */
		fv_buf_addf(&sql, " ORDER BY v.visit_date DESC, v.form_id DESC, v.rowid DESC"
			    " LIMIT %zu) ORDER BY t1, t2, r", q->limit);
	} else {
		fv_buf_adds(&sql, "SELECT " VISIT_COLUMNS " FROM visit v" LATEST);
		query_where(q, 1, &sql);
		fv_buf_adds(&sql, order);
	}
	sqlite3_stmt *st = query_prepare(s, &sql, q, err);
	if (!st)
		return FV_EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		items = fv_xgrow(items, &cap, count + 1, sizeof *items);
		row_to_visit(st, &items[count++], 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fv_visit_list_free(items, count);
		return store_error(s, rc, "reading visits", err);
	}
	*out = items;
	*n = count;
	return FV_OK;
}

/* Run sql (released; q's values bound), rows of (state, count), into
 * counts. */
static fv_status read_counts(fv_store *s, fv_buf *sql, const fv_visit_query *q,
			     size_t counts[FV_VISIT_NSTATES], fv_errors *err)
{
	sqlite3_stmt *st = query_prepare(s, sql, q, err);
	int rc;
	if (!st)
		return FV_EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fv_visit_state state;
		const char *name = (const char *)sqlite3_column_text(st, 0);
		sqlite3_int64 n = sqlite3_column_int64(st, 1);
		if (name && fv_visit_state_parse(name, &state) && n > 0)
			counts[state] = (size_t)n;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? FV_OK : store_error(s, rc, "counting visits", err);
}

/* Count the visits of q by the state in their row (by_row) or, with
 * !by_row, those submitted with a sent mark (into counts[FV_VISIT_SENT]). */
static fv_status count_rows(fv_store *s, const fv_visit_query *q, int by_row,
			    size_t counts[FV_VISIT_NSTATES], fv_errors *err)
{
	fv_buf sql;
	fv_buf_init(&sql);
	/* the row's state: the index visit_latest answers it alone */
	fv_buf_adds(&sql, by_row ? "SELECT v.state, count(*) FROM visit v" LATEST
				 : "SELECT 'sent', count(*) FROM visit v" LATEST
				   " AND v.state = 'submitted' AND " SENT_MARK);
	query_where(q, 0, &sql);
	if (by_row)
		fv_buf_adds(&sql, " GROUP BY v.state");
	return read_counts(s, &sql, q, counts, err);
}

/* Count the latest visits of q by the state in their row from visit_tally
 * (schema 8), which knows state, date and form: q has no person nor
 * alerts. */
static fv_status count_tally(fv_store *s, const fv_visit_query *q,
			     size_t counts[FV_VISIT_NSTATES], fv_errors *err)
{
	fv_buf sql;
	fv_buf_init(&sql);
	fv_buf_adds(&sql, "SELECT state, sum(n) FROM visit_tally WHERE n <> 0");
	if (q->form)
		fv_buf_adds(&sql, " AND form_id = ?2");
	/* an undated draft is '' here and NULL in its row, where no date
	 * condition holds */
	if (q->from || q->to)
		fv_buf_adds(&sql, " AND visit_date <> ''");
	if (q->from)
		fv_buf_adds(&sql, " AND visit_date >= ?3");
	if (q->to)
		fv_buf_adds(&sql, " AND visit_date <= ?4");
	fv_buf_adds(&sql, " GROUP BY state");
	return read_counts(s, &sql, q, counts, err);
}

fv_status fv_visit_count(fv_store *s, const fv_visit_query *q, size_t counts[FV_VISIT_NSTATES],
			 fv_errors *err)
{
	static const fv_visit_query all;
	size_t marked[FV_VISIT_NSTATES] = {0};
	fv_status st;

	memset(counts, 0, FV_VISIT_NSTATES * sizeof *counts);
	if (!q)
		q = &all;
	if (!query_ok(q, err))
		return FV_EINVAL;
	st = q->person || q->alerts ? count_rows(s, q, 1, counts, err)
				    : count_tally(s, q, counts, err);
	if (st != FV_OK)
		return st;
	/* submitted in their row but marked sent read as sent (VISIT_STATE) */
	if (counts[FV_VISIT_SUBMITTED] && (st = count_rows(s, q, 0, marked, err)) != FV_OK)
		return st;
	counts[FV_VISIT_SUBMITTED] -= marked[FV_VISIT_SENT];
	counts[FV_VISIT_SENT] += marked[FV_VISIT_SENT];
	return FV_OK;
}

/* ------------------------------------------------------------------ */
/* Checking                                                            */

/* Check-in, check-out and services as checked and stored. */
typedef struct meta {
	char *checkin, *checkout;   /* fv_datetime_format text, or NULL */
	double in, out;
	char *services;
} meta;

static void meta_release(meta *m)
{
	free(m->checkin);
	free(m->checkout);
	free(m->services);
	memset(m, 0, sizeof *m);
}

/* Parse one optional date-time into *text (NULL when not given). */
static void take_time(const char *what, const char *given, char **text, double *t,
		      fv_errors *err)
{
	char *v;
	*text = NULL;
	if (!store_check_text(what, given, 0, 40, &v, err))
		return;
	if (!*v) {
		free(v);
		return;
	}
	if (fv_datetime_parse(v, t)) {
		*text = fv_xmalloc(40);
		fv_datetime_format(*t, *text);
	} else {
		fv_errors_add(err, NULL, 0, "%s '%s' is not a date-time (YYYY-MM-DDTHH:MM)", what,
			      v);
	}
	free(v);
}

static void check_meta(const fv_visit_input *in, meta *m, fv_errors *err)
{
	fv_buf codes;
	memset(m, 0, sizeof *m);
	take_time("check-in", in->checkin, &m->checkin, &m->in, err);
	take_time("check-out", in->checkout, &m->checkout, &m->out, err);
	if (m->checkin && m->checkout && m->out < m->in)
		fv_errors_add(err, NULL, 0, "check-out %s is before check-in %s", m->checkout,
			      m->checkin);
	fv_buf_init(&codes);
	size_t nserv;
	const char *const *serv = fv_service_codes(&nserv);
	if (store_check_codes("service", in->services, serv, nserv, &codes, err))
		m->services = fv_buf_take(&codes);
	fv_buf_release(&codes);
}

/* A visit is about a registered, active person.  Problems are FV_EINVAL
 * with a line in err; store failures their own status. */
static fv_status check_person(fv_store *s, const char *person, fv_errors *err)
{
	sqlite3_stmt *st;
	fv_status result = FV_OK;
	int rc;
	if (!person || !*person) {
		fv_errors_add(err, NULL, 0, "a visit needs a person");
		return FV_EINVAL;
	}
	if (!(st = store_prepare(s, "SELECT status, status_date FROM person WHERE id = ?1", err)))
		return FV_EIO;
	sqlite3_bind_text(st, 1, person, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(st, 0);
		const char *since = (const char *)sqlite3_column_text(st, 1);
		if (status && strcmp(status, "active") != 0) {
			fv_errors_add(err, NULL, 0, "person %s is not active (%s on %s)", person,
				      status, since ? since : "?");
			result = FV_EINVAL;
		}
	} else if (rc == SQLITE_DONE) {
		fv_errors_add(err, NULL, 0, "no person with id %s", person);
		result = FV_EINVAL;
	} else {
		result = store_error(s, rc, "reading people", err);
	}
	sqlite3_finalize(st);
	return result;
}

/*
 * Run the answers through a new instance of f.  full: every problem of the
 * filling (fv_instance_report), for a submit; else only the answers that
 * do not fit their question, for a draft.  Each problem is a line
 * "name: message".  Returns the instance (the caller frees it).
 */
static fv_instance *fill(const fv_form *f, const fv_answers *a, int full, fv_errors *err)
{
	fv_instance *in = fv_instance_new(f, -1);
	fv_answers good = {0}, refused = {0}, problems = {0};

	/* JSON text holds UTF-8 only */
	for (size_t i = 0; a && i < a->n; i++) {
		const char *v = a->items[i].value ? a->items[i].value : "";
		if (fv_utf8_valid(v, strlen(v)))
			fv_answers_add(&good, a->items[i].name, v);
		else
			fv_answers_add(&refused, a->items[i].name, "not valid UTF-8");
	}
	fv_instance_apply(in, &good, &refused);
	if (full)
		fv_instance_report(in, &refused, &problems);
	for (size_t i = 0; i < (full ? problems.n : refused.n); i++) {
		const fv_answer *p = full ? &problems.items[i] : &refused.items[i];
		fv_errors_add(err, NULL, 0, "%s: %s", p->name, p->value);
	}
	fv_answers_release(&good);
	fv_answers_release(&refused);
	fv_answers_release(&problems);
	return in;
}

/* The values of the instance as a JSON object, in form order: every
 * relevant question and every calculate (as `form fill` shows them).
 * Written directly, byte for byte what jansson's compact, order-keeping
 * json_dumps of that object was (an import compares it with the record's
 * answers, once per visit): jansson took no pair whose name or value is
 * not UTF-8, and form field names are unique. */
static char *answers_json(const fv_form *f, const fv_instance *in)
{
	fv_buf b;
	int first = 1;
	fv_buf_init(&b);
	fv_buf_addc(&b, '{');
	for (size_t i = 0; i < f->nfields; i++) {
		if (!fv_instance_has_value(in, (int)i))
			continue;
		const char *name = f->fields[i].name, *v = fv_instance_get(in, (int)i);
		size_t nn = strlen(name), nv = strlen(v);
		if (!fv_utf8_valid(name, nn) || !fv_utf8_valid(v, nv))
			continue;
		if (!first)
			fv_buf_addc(&b, ',');
		first = 0;
		fv_buf_add_json_string(&b, name, nn);
		fv_buf_addc(&b, ':');
		fv_buf_add_json_string(&b, v, nv);
	}
	fv_buf_addc(&b, '}');
	return fv_buf_take(&b);
}

/* The stored answers of a visit back as input: the questions (not the
 * calculates and read-only questions, which the instance computes or
 * fills again).  "" is kept: an answer cleared stays cleared. */
static fv_status answers_from_json(const fv_form *f, const char *json, fv_answers *out,
				   fv_errors *err)
{
	fv_answers all = {0};
	fv_status st = fv_answers_parse("stored answers", json, strlen(json), &all, err);
	for (size_t i = 0; st == FV_OK && i < all.n; i++) {
		int fi = fv_form_field_index(f, all.items[i].name);
		if (fi >= 0 && (f->fields[fi].type == FV_Q_CALCULATE || f->fields[fi].read_only))
			continue;
		fv_answers_add(out, all.items[i].name, all.items[i].value ? all.items[i].value : "");
	}
	fv_answers_release(&all);
	return st;
}

/*
 * Everything checked before a visit of form f is written: the meta, the
 * form installed, the person (when check_who), the answers (see fill).
 * Returns FV_EINVAL when anything was added to err, a store failure's
 * status, or FV_OK; *in is the instance whenever the answers were run.
 */
/* The same, for a draft whose instance the caller filled already (given:
 * its values were checked against their types as they were set); *in is
 * then NULL. */
static fv_status check_visit_with(fv_store *s, const fv_form *f, const fv_visit_input *vi,
				  const fv_answers *a, const fv_instance *given, int full,
				  int check_who, meta *m, fv_instance **in, fv_errors *err)
{
	size_t before = err->n;
	int installed;
	fv_status st;

	*in = NULL;
	check_meta(vi, m, err);
	if ((st = store_forms_installed(s, f->id, f->version, &installed, err)) != FV_OK)
		return st;
	if (!installed)
		fv_errors_add(err, NULL, 0, "form '%s' version %s is not installed in this store",
			      f->id, f->version);
	if (check_who && (st = check_person(s, vi->person, err)) != FV_OK && st != FV_EINVAL)
		return st;
	if (!given)
		*in = fill(f, a, full, err);
	return err->n == before ? FV_OK : FV_EINVAL;
}

static fv_status check_visit(fv_store *s, const fv_form *f, const fv_visit_input *vi,
			     const fv_answers *a, int full, int check_who, meta *m,
			     fv_instance **in, fv_errors *err)
{
	return check_visit_with(s, f, vi, a, NULL, full, check_who, m, in, err);
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

/* Minutes from check-in to check-out, -1 when either is missing. */
static int duration_of(const meta *m)
{
	return m->checkin && m->checkout ? (int)floor((m->out - m->in) / 60.0) : -1;
}

static void bind_duration(sqlite3_stmt *st, int i, const meta *m)
{
	int d = duration_of(m);
	if (d >= 0)
		sqlite3_bind_int(st, i, d);
	else
		sqlite3_bind_null(st, i);
}

#define ALERT_INSERT                                                                    \
	"INSERT INTO alert(id, version, author, visit_id, visit_version, person_id,"      \
	" kind, message, state, raised_at)"                                               \
	" VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', ?8)"

static fv_status insert_alert(fv_store *s, const char *alert_id, const char *id, int version,
			      const char *person, const char *kind, const char *message,
			      const char *now, fv_errors *err)
{
	/* kept prepared: an import raises thousands */
	static const char sql[] = ALERT_INSERT;
	sqlite3_stmt *ins = store_prepare_cached(s, sql, err);
	if (ins) {
		sqlite3_bind_text(ins, 1, alert_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 2, s->device, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 3, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(ins, 4, version);
		sqlite3_bind_text(ins, 5, person, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 6, kind, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 7, message, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 8, now, -1, SQLITE_TRANSIENT);
	}
	return store_cached_done(s, ins, "saving an alert", err);
}

static void stage_alert(fv_store *s, const char *alert_id, const char *id, int version,
			const char *person, const char *kind, const char *message,
			const char *now);

static int stage_has_alert(const fv_store *s, const char *id, const char *kind);

/* Whether another version of visit id raised an alert of kind already:
 * in the store, or staged by this import.  1 yes, 0 no, -1 error. */
static int alert_raised_before(fv_store *s, const char *id, const char *kind, fv_errors *err)
{
	static const char sql[] = "SELECT 1 FROM alert WHERE visit_id = ?1 AND kind = ?2";
	if (stage_has_alert(s, id, kind))
		return 1;
	sqlite3_stmt *q = store_prepare_cached(s, sql, err);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, kind, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	store_error(s, rc, "reading alerts", err);
	return -1;
}

/* The alerts the instance raises; staged (see store_stage) when stage.
 * A visit raises each kind of alert once: a correction (a new version
 * after a return) whose answers still raise it, or an older version
 * arriving after a newer one, leaves the alert already raised, with its
 * referrals and follow-ups, as the only one. */
static fv_status write_alerts(fv_store *s, const fv_form *f, const fv_instance *in,
			      const char *id, int version, const char *person, const char *now,
			      int stage, fv_errors *err)
{
	fv_status st = FV_OK;
	for (size_t i = 0; st == FV_OK && i < f->nfields; i++) {
		if (!fv_instance_alert_raised(in, (int)i))
			continue;
		char alert_id[FV_ID_BYTES];
		const char *kind = f->fields[i].name + 6;
		int before = alert_raised_before(s, id, kind, err);
		if (before < 0)
			return FV_EIO;
		if (before)
			continue;
		const char *message = fv_text_get(f, &f->fields[i].label, fv_instance_lang(in));
		vault_uuid(alert_id);
		if (stage)
			stage_alert(s, alert_id, id, version, person, kind, message, now);
		else
			st = insert_alert(s, alert_id, id, version, person, kind, message, now, err);
	}
	return st;
}

/*
 * Write a checked, valid instance as a submitted visit: a new row (fresh)
 * or the draft (id, version) turned into it.  With its alerts; audited.
 */
static fv_status write_submitted(fv_store *s, const fv_form *f, const fv_instance *in,
				 const char *id, int version, int fresh, const char *person,
				 const meta *m, fv_errors *err)
{
	char now[40], day[16];
	char *answers = answers_json(f, in);
	const char *score = f->score >= 0 ? fv_instance_get(in, f->score) : "";
	const char *band = f->band >= 0 ? fv_instance_get(in, f->band) : "";
	int fu = fv_form_field_index(f, "followup_due");
	const char *followup = fu >= 0 ? fv_instance_get(in, fu) : "";
	double score_num;
	int32_t fu_day;
	fv_status st;

	if (*followup && !fv_date_parse(followup, &fu_day)) {
		free(answers);
		fv_errors_add(err, NULL, 0, "followup_due: '%s' is not a date (YYYY-MM-DD)", followup);
		return FV_EINVAL;
	}

	store_sql_now(now);
	fv_date_format(m->checkin ? (int32_t)floor(m->in / 86400.0) : store_sql_today(), day);
	sqlite3_stmt *w = store_prepare(s, fresh
		? "INSERT INTO visit(id, version, author, person_id, form_id, form_version,"
		  " answers, checkin, checkout, duration, services, score, band, visit_date,"
		  " followup_due, state, created_at, updated_at, submitted_at) VALUES (?1, ?2,"
		  " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?16, 'submitted', ?15,"
		  " ?15, ?15)"
		: "UPDATE visit SET author = ?3, answers = ?7, checkin = ?8, checkout = ?9,"
		  " duration = ?10, services = ?11, score = ?12, band = ?13, visit_date = ?14,"
		  " followup_due = ?16, state = 'submitted', updated_at = ?15, submitted_at = ?15"
		  " WHERE id = ?1 AND version = ?2 AND state = 'draft'", err);
	if (w) {
		sqlite3_bind_text(w, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(w, 2, version);
		sqlite3_bind_text(w, 3, s->device, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 4, person, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 5, f->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 6, f->version, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 7, answers, -1, SQLITE_TRANSIENT);
		store_sql_bind_opt(w, 8, m->checkin);
		store_sql_bind_opt(w, 9, m->checkout);
		bind_duration(w, 10, m);
		sqlite3_bind_text(w, 11, m->services, -1, SQLITE_TRANSIENT);
		if (*score && fv_parse_double(score, &score_num) && isfinite(score_num))
			sqlite3_bind_double(w, 12, score_num);
		else
			sqlite3_bind_null(w, 12);
		store_sql_bind_opt(w, 13, band);
		sqlite3_bind_text(w, 14, day, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 15, now, -1, SQLITE_TRANSIENT);
		store_sql_bind_opt(w, 16, followup);
	}
	free(answers);
	if ((st = store_sql_done(s, w, "saving a visit", err)) != FV_OK)
		return st;
	if (!fresh && sqlite3_changes(s->db) != 1) {
		fv_errors_add(err, NULL, 0, "visit %s: the draft changed while it was submitted",
			      id);
		return FV_EINVAL;
	}
	if ((st = write_alerts(s, f, in, id, version, person, now, 0, err)) != FV_OK)
		return st;
	char *detail = fv_xasprintf("%s %s version %d", f->id, f->version, version);
	st = store_audit(s, "visit.submit", id, detail, err);
	free(detail);
	return st;
}

static fv_status submit_new(fv_store *s, const fv_form *f, const fv_visit_input *vi,
			    const fv_answers *a, const char *id, fv_errors *err)
{
	meta m;
	fv_instance *in;
	fv_status st = check_visit(s, f, vi, a, 1, 1, &m, &in, err);
	if (st == FV_OK)
		st = write_submitted(s, f, in, id, 1, 1, vi->person, &m, err);
	fv_instance_free(in);
	meta_release(&m);
	return st;
}

fv_status fv_visit_submit(fv_store *s, const fv_form *f, const fv_visit_input *in,
			  const fv_answers *a, char id[FV_ID_BYTES], fv_errors *err)
{
	char new_id[FV_ID_BYTES];
	fv_status st = store_sql_begin(s, err);
	id[0] = '\0';
	if (st != FV_OK)
		return st;
	vault_uuid(new_id);
	st = store_sql_end(s, submit_new(s, f, in, a, new_id, err), err);
	if (st == FV_OK)
		memcpy(id, new_id, FV_ID_BYTES);
	return st;
}

/* Save a draft: a new one (version 1) or the draft (id, version). */
static fv_status write_draft(fv_store *s, const fv_form *f, const fv_instance *in,
			     const char *id, int version, int fresh, const char *person,
			     const meta *m, fv_errors *err)
{
	char now[40];
	char *answers = answers_json(f, in);
	store_sql_now(now);
	sqlite3_stmt *w = store_prepare(s, fresh
		? "INSERT INTO visit(id, version, author, person_id, form_id, form_version,"
		  " answers, checkin, checkout, duration, services, state, created_at,"
		  " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
		  " 'draft', ?12, ?12)"
		: "UPDATE visit SET author = ?3, answers = ?7, checkin = ?8, checkout = ?9,"
		  " duration = ?10, services = ?11, updated_at = ?12"
		  " WHERE id = ?1 AND version = ?2 AND state = 'draft'", err);
	if (w) {
		sqlite3_bind_text(w, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(w, 2, version);
		sqlite3_bind_text(w, 3, s->device, -1, SQLITE_TRANSIENT);
		store_sql_bind_opt(w, 4, person);
		sqlite3_bind_text(w, 5, f->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 6, f->version, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 7, answers, -1, SQLITE_TRANSIENT);
		store_sql_bind_opt(w, 8, m->checkin);
		store_sql_bind_opt(w, 9, m->checkout);
		bind_duration(w, 10, m);
		sqlite3_bind_text(w, 11, m->services, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 12, now, -1, SQLITE_TRANSIENT);
	}
	free(answers);
	return store_sql_done(s, w, "saving a draft", err);
}

static fv_status save_draft(fv_store *s, const fv_form *f, const fv_visit_input *vi,
			    const fv_answers *a, const fv_instance *given, const char *id,
			    int fresh, fv_errors *err)
{
	fv_visit old = {0};
	fv_visit_input merged = *vi;
	fv_instance *in = NULL;
	meta m = {0};
	fv_status st;
	int version = 1;

	if (!fresh) {
		if ((st = fv_visit_get(s, id, 0, &old, err)) != FV_OK)
			return st;
		st = FV_EINVAL;
		if (old.state != FV_VISIT_DRAFT)
			fv_errors_add(err, NULL, 0, "visit %s is %s: only a draft can be changed", id,
				      fv_visit_state_name(old.state));
		else if (strcmp(old.form_id, f->id) != 0 || strcmp(old.form_version, f->version))
			fv_errors_add(err, NULL, 0, "visit %s is a draft of form '%s' version %s,"
				      " not of '%s' version %s", id, old.form_id, old.form_version,
				      f->id, f->version);
		else if (vi->person && strcmp(vi->person, old.person) != 0)
			fv_errors_add(err, NULL, 0, "visit %s is about another person", id);
		else
			st = FV_OK;
		if (st != FV_OK) {
			fv_visit_release(&old);
			return st;
		}
		merged.person = old.person;
		version = old.version;
	}
	st = check_visit_with(s, f, &merged, a, given, 0, fresh, &m, &in, err);
	if (st == FV_OK)
		st = write_draft(s, f, given ? given : in, id, version, fresh, merged.person, &m,
				 err);
	fv_instance_free(in);
	meta_release(&m);
	fv_visit_release(&old);
	return st;
}

static fv_status save_draft_tx(fv_store *s, const fv_form *f, const fv_visit_input *in,
			       const fv_answers *a, const fv_instance *given, char id[FV_ID_BYTES],
			       fv_errors *err)
{
	char use[FV_ID_BYTES];
	int fresh = !id[0];
	fv_status st = store_sql_begin(s, err);
	if (st != FV_OK)
		return st;
	if (fresh)
		vault_uuid(use);
	else
		snprintf(use, sizeof use, "%s", id);
	st = store_sql_end(s, save_draft(s, f, in, a, given, use, fresh, err), err);
	if (st == FV_OK && fresh)
		memcpy(id, use, FV_ID_BYTES);
	return st;
}

fv_status fv_visit_save_draft(fv_store *s, const fv_form *f, const fv_visit_input *in,
			      const fv_answers *a, char id[FV_ID_BYTES], fv_errors *err)
{
	return save_draft_tx(s, f, in, a, NULL, id, err);
}

fv_status fv_visit_save_draft_instance(fv_store *s, const fv_form *f, const fv_visit_input *vi,
				       const fv_instance *in, char id[FV_ID_BYTES],
				       fv_errors *err)
{
	return save_draft_tx(s, f, vi, NULL, in, id, err);
}

/* ------------------------------------------------------------------ */
/* Moving through the states                                           */

/* draft -> submitted: the draft checked as a submit is, with its form. */
static fv_status submit_draft(fv_store *s, const fv_visit *v, fv_errors *err)
{
	fv_form *f = NULL;
	fv_answers a = {0};
	fv_instance *in = NULL;
	meta m = {0};
	fv_visit_input vi = {v->person, v->checkin, v->checkout, v->services};
	fv_status st = fv_store_form_load_version(s, v->form_id, v->form_version, &f, err);

	if (st == FV_OK)
		st = answers_from_json(f, v->answers, &a, err);
	if (st == FV_OK)
		st = check_visit(s, f, &vi, &a, 1, 1, &m, &in, err);
	if (st == FV_OK)
		st = write_submitted(s, f, in, v->id, v->version, 0, v->person, &m, err);
	fv_instance_free(in);
	fv_answers_release(&a);
	meta_release(&m);
	fv_form_free(f);
	return st;
}

/* returned -> draft: a new version with the same answers. */
static fv_status reopen(fv_store *s, const fv_visit *v, fv_errors *err)
{
	char now[40];
	store_sql_now(now);
	sqlite3_stmt *w = store_prepare(s,
		"INSERT INTO visit(id, version, author, person_id, form_id, form_version,"
		" answers, checkin, checkout, duration, services, state, created_at, updated_at)"
		" SELECT id, version + 1, ?3, person_id, form_id, form_version, answers, checkin,"
		" checkout, duration, services, 'draft', ?4, ?4"
		" FROM visit WHERE id = ?1 AND version = ?2", err);
	if (w) {
		sqlite3_bind_text(w, 1, v->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(w, 2, v->version);
		sqlite3_bind_text(w, 3, s->device, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 4, now, -1, SQLITE_TRANSIENT);
	}
	return store_sql_done(s, w, "reopening a visit", err);
}

static fv_status set_state(fv_store *s, const fv_visit *v, fv_visit_state to, fv_errors *err)
{
	char now[40];
	store_sql_now(now);
	if (to == FV_VISIT_RECEIVED) {
		/* a visit sent by its mark (schema 7) passes through 'sent' in
		 * its row, as the state machine wants */
		sqlite3_stmt *w = store_prepare(s,
			"UPDATE visit SET state = 'sent', updated_at = ?3 WHERE id = ?1"
			" AND version = ?2 AND state = 'submitted' AND EXISTS (SELECT 1 FROM"
			" visit_sent t WHERE t.id = ?1 AND t.version = ?2)", err);
		if (w) {
			sqlite3_bind_text(w, 1, v->id, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(w, 2, v->version);
			sqlite3_bind_text(w, 3, now, -1, SQLITE_TRANSIENT);
		}
		fv_status st = store_sql_done(s, w, "changing a visit's state", err);
		if (st != FV_OK)
			return st;
	}
	sqlite3_stmt *w = store_prepare(s,
		"UPDATE visit SET state = ?3, updated_at = ?4 WHERE id = ?1 AND version = ?2", err);
	if (w) {
		sqlite3_bind_text(w, 1, v->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(w, 2, v->version);
		sqlite3_bind_text(w, 3, state_names[to], -1, SQLITE_STATIC);
		sqlite3_bind_text(w, 4, now, -1, SQLITE_TRANSIENT);
	}
	return store_sql_done(s, w, "changing a visit's state", err);
}

static fv_status move(fv_store *s, const char *id, fv_visit_state to, fv_errors *err)
{
	fv_visit v;
	fv_status st;
	if ((unsigned)to >= NSTATES) {
		fv_errors_add(err, NULL, 0, "visit %s: no such state (%d)", id, (int)to);
		return FV_EINVAL;
	}
	if ((st = fv_visit_get(s, id, 0, &v, err)) != FV_OK)
		return st;
	unsigned next = next_states(v.state);
	if (!(next & FV_VISIT_BIT(to))) {
		fv_buf allowed;
		fv_buf_init(&allowed);
		for (size_t i = 0; i < NSTATES; i++)
			if (next & FV_VISIT_BIT(i))
				fv_buf_addf(&allowed, "%s%s", allowed.len ? " or " : "",
					    state_names[i]);
		if (allowed.len)
			fv_errors_add(err, NULL, 0, "visit %s: cannot go from %s to %s (only to %s)",
				      id, state_names[v.state], fv_visit_state_name(to), allowed.s);
		else
			fv_errors_add(err, NULL, 0, "visit %s: cannot go from %s to %s (%s is final)",
				      id, state_names[v.state], fv_visit_state_name(to),
				      state_names[v.state]);
		fv_buf_release(&allowed);
		fv_visit_release(&v);
		return FV_EINVAL;
	}
	if (to == FV_VISIT_SUBMITTED) {
		st = submit_draft(s, &v, err);
	} else {
		st = to == FV_VISIT_DRAFT ? reopen(s, &v, err) : set_state(s, &v, to, err);
		if (st == FV_OK) {
			char *detail = fv_xasprintf("%s -> %s, version %d", state_names[v.state],
						    state_names[to],
						    v.version + (to == FV_VISIT_DRAFT));
			st = store_audit(s, "visit.state", id, detail, err);
			free(detail);
		}
	}
	fv_visit_release(&v);
	return st;
}

fv_status fv_visit_move(fv_store *s, const char *id, fv_visit_state to, fv_errors *err)
{
	fv_status st = store_sql_begin(s, err);
	if (st != FV_OK)
		return st;
	return store_sql_end(s, move(s, id, to, err), err);
}

/* ------------------------------------------------------------------ */
/* Visits from bundles                                                 */

fv_status store_visit_set_state(fv_store *s, const char *id, int version, fv_visit_state to,
				fv_errors *err)
{
	fv_visit v = {0};
	v.id = (char *)id;
	v.version = version;
	return set_state(s, &v, to, err);
}

/*
 * Is the visit (id, version) of v here, and with the content of v?
 * *here: 0 not here, 1 here with the same content, 2 here with other
 * content.  The columns compared are read in place, not copied: a bundle
 * re-sending 100,000 visits asks this of each.
 */
static int staged_id(const fv_store *s, const char *id);

fv_status store_visit_here(fv_store *s, const fv_visit *v, int *here, fv_errors *err)
{
	/* a version staged must be in the table to be compared */
	fv_status fst;
	if (staged_id(s, v->id) && (fst = fv_store_flush(s, err)) != FV_OK)
		return fst;
	sqlite3_stmt *st = store_prepare_cached(s, "SELECT author, person_id, form_id,"
					    " form_version, answers, checkin, checkout, services,"
					    " visit_date, created_at, submitted_at FROM visit"
					    " WHERE id = ?1 AND version = ?2", err);
	const char *a[] = {
		v->author, v->person, v->form_id, v->form_version, v->answers, v->checkin,
		v->checkout, v->services, v->visit_date, v->created_at, v->submitted_at,
	};
	int rc;
	*here = 0;
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, v->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, v->version);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*here = 1;
		for (int i = 0; i < (int)(sizeof a / sizeof a[0]) && *here == 1; i++) {
			const char *b = (const char *)sqlite3_column_text(st, i);
			if (strcmp(a[i] ? a[i] : "", b ? b : "") != 0)
				*here = 2;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? FV_OK
						     : store_error(s, rc, "reading visits", err);
}

/* The person of an incoming visit must be here (in any status: the visit
 * may predate an archiving that came first). */
static fv_status person_here(fv_store *s, const char *person, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare_cached(s, "SELECT 1 FROM person WHERE id = ?1", err);
	int rc;
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, person, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return FV_OK;
	if (rc != SQLITE_DONE)
		return store_error(s, rc, "reading people", err);
	fv_errors_add(err, NULL, 0, "no person with id %s here", person);
	return FV_EINVAL;
}

/* Check an incoming submitted visit with the forms engine, as a submit is
 * checked; *in is its instance. */
static fv_status check_incoming(fv_store *s, const fv_visit *v, const fv_form **fp,
				fv_instance **in, meta *m, fv_errors *err)
{
	fv_visit_input vi = {v->person, v->checkin, v->checkout, v->services};
	fv_answers a = {0};
	const fv_form *f;
	size_t before = err->n;
	int32_t day;
	double t;
	fv_status st;

	*in = NULL;
	memset(m, 0, sizeof *m);
	if (v->version < 1)
		fv_errors_add(err, NULL, 0, "version %d is not 1 or more", v->version);
	if (!*v->author || strlen(v->author) > 64)
		fv_errors_add(err, NULL, 0, "author '%s' is not a device id", v->author);
	if (!fv_datetime_parse(v->created_at, &t) || !fv_datetime_parse(v->submitted_at, &t))
		fv_errors_add(err, NULL, 0, "created_at and submitted_at must be date-times");
	(void)store_check_date("visit date", v->visit_date, &day, err);
	if ((st = store_form_cached(s, v->form_id, v->form_version, &f, err)) != FV_OK)
		return st == FV_ENOTFOUND ? FV_EINVAL : st;
	*fp = f;
	if ((st = person_here(s, v->person, err)) != FV_OK && st != FV_EINVAL)
		return st;
	check_meta(&vi, m, err);
	if (m->services && strcmp(m->services, v->services) != 0)
		fv_errors_add(err, NULL, 0, "services '%s' are not as fieldvisit writes them",
			      v->services);
	if ((m->checkin ? m->checkin : "")[0] != v->checkin[0] ||
	    strcmp(m->checkin ? m->checkin : "", v->checkin) != 0 ||
	    strcmp(m->checkout ? m->checkout : "", v->checkout) != 0)
		fv_errors_add(err, NULL, 0, "check-in and check-out are not as fieldvisit writes"
			      " them");
	if ((st = answers_from_json(f, v->answers, &a, err)) != FV_OK) {
		fv_answers_release(&a);
		return FV_EINVAL;
	}
	*in = fill(f, &a, 1, err);
	fv_answers_release(&a);
	if (err->n == before) {
		char *mine = answers_json(f, *in);
		if (strcmp(mine, v->answers) != 0)
			fv_errors_add(err, NULL, 0, "the answers are not what form '%s' version %s"
				      " makes of them", f->id, f->version);
		free(mine);
	}
	return err->n == before ? FV_OK : FV_EINVAL;
}

/*
 * The visits of an import are written STAGE_ROWS at a time, by one INSERT
 * of that many rows: run row by row, the INSERT with the three triggers
 * it fires, its indexes and foreign keys cost twice what it costs in a
 * statement of 32 rows (callgrind: about 138,000 instructions a visit
 * alone, 80,000 in a statement of 32).  A staged visit is checked already
 * (check_incoming); it is written, with its alerts after it, when 32 are
 * staged, when a visit with the same id comes (store_visit_here), and by
 * fv_store_flush, which the import calls before any other record and
 * before it records the bundle, and fv_store_commit calls too.  A
 * rollback drops what is staged.
 */
#define STAGE_ROWS 32
#define VISIT_PARAMS 19
#define VISIT_INSERT                                                                    \
	"INSERT INTO visit(id, version, author, person_id, form_id, form_version,"        \
	" answers, checkin, checkout, duration, services, score, band, visit_date,"       \
	" followup_due, state, created_at, updated_at, submitted_at) VALUES "

typedef struct staged_alert {
	char *id, *visit, *person, *kind, *message, *now;
	int version;
} staged_alert;

typedef struct staged_receipt {
	char *peer, *tbl, *id;
	int version;
} staged_receipt;

struct store_stage {
	size_t n;
	staged_receipt receipts[STAGE_ROWS];
	size_t nreceipts;
	/* by parameter: text (NULL binds NULL), or the numbers below */
	char *text[STAGE_ROWS][VISIT_PARAMS];
	int version[STAGE_ROWS], duration[STAGE_ROWS], has_score[STAGE_ROWS];
	double score[STAGE_ROWS];
	staged_alert *alerts;
	size_t nalerts, cap;
};

static struct store_stage *stage_of(fv_store *s)
{
	if (!s->stage)
		s->stage = fv_xcalloc(1, sizeof *s->stage);
	return s->stage;
}

static char *opt_dup(const char *v)
{
	return v && *v ? fv_xstrdup(v) : NULL;
}

static void stage_alert(fv_store *s, const char *alert_id, const char *id, int version,
			const char *person, const char *kind, const char *message,
			const char *now)
{
	struct store_stage *g = stage_of(s);
	g->alerts = fv_xgrow(g->alerts, &g->cap, g->nalerts + 1, sizeof *g->alerts);
	staged_alert *a = &g->alerts[g->nalerts++];
	a->id = fv_xstrdup(alert_id);
	a->visit = fv_xstrdup(id);
	a->person = fv_xstrdup(person);
	a->kind = fv_xstrdup(kind);
	a->message = fv_xstrdup(message);
	a->now = fv_xstrdup(now);
	a->version = version;
}

/* Whether this import staged an alert of kind for visit id. */
static int stage_has_alert(const fv_store *s, const char *id, const char *kind)
{
	const struct store_stage *g = s->stage;
	for (size_t i = 0; g && i < g->nalerts; i++)
		if (strcmp(g->alerts[i].visit, id) == 0 && strcmp(g->alerts[i].kind, kind) == 0)
			return 1;
	return 0;
}

/* Free the alerts staged in g (the array itself is kept). */
static void staged_alerts_clear(struct store_stage *g)
{
	for (size_t i = 0; i < g->nalerts; i++) {
		staged_alert *a = &g->alerts[i];
		free(a->id);
		free(a->visit);
		free(a->person);
		free(a->kind);
		free(a->message);
		free(a->now);
	}
	g->nalerts = 0;
}

void store_stage_discard(fv_store *s)
{
	struct store_stage *g = s->stage;
	if (!g)
		return;
	for (size_t r = 0; r < g->n; r++)
		for (size_t k = 0; k < VISIT_PARAMS; k++)
			free(g->text[r][k]);
	for (size_t r = 0; r < g->nreceipts; r++) {
		free(g->receipts[r].peer);
		free(g->receipts[r].tbl);
		free(g->receipts[r].id);
	}
	staged_alerts_clear(g);
	free(g->alerts);
	free(g);
	s->stage = NULL;
}

/* The INSERT of rows staged rows (1 or STAGE_ROWS), ?1.. numbered by row. */
static const char *visit_insert_sql(size_t rows)
{
	static const char one[] = VISIT_INSERT "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
		" ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";
	static char many[sizeof VISIT_INSERT + STAGE_ROWS * VISIT_PARAMS * 8];
	if (rows == 1)
		return one;
	if (!many[0]) {
		size_t len = (size_t)snprintf(many, sizeof many, "%s", VISIT_INSERT);
		for (size_t r = 0; r < STAGE_ROWS; r++)
			for (size_t k = 0; k < VISIT_PARAMS; k++)
				len += (size_t)snprintf(many + len, sizeof many - len, "%s?%zu%s",
							k ? " " : r ? ", (" : "(",
							r * VISIT_PARAMS + k + 1,
							k + 1 < VISIT_PARAMS ? "," : ")");
	}
	return many;
}

static void bind_staged(sqlite3_stmt *w, const struct store_stage *g, size_t r, int base)
{
	for (int k = 0; k < VISIT_PARAMS; k++) {
		int i = base + k + 1;
		if (k == 1)
			sqlite3_bind_int(w, i, g->version[r]);
		else if (k == 9 && g->duration[r] >= 0)
			sqlite3_bind_int(w, i, g->duration[r]);
		else if (k == 11 && g->has_score[r])
			sqlite3_bind_double(w, i, g->score[r]);
		else if (g->text[r][k])
			sqlite3_bind_text(w, i, g->text[r][k], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(w, i);
	}
}

#define RECEIPT_INSERT "INSERT OR IGNORE INTO sync_outbox(peer, tbl, ref, id, version) VALUES "

/* The INSERT of rows staged receipts (1 or STAGE_ROWS). */
static const char *receipt_insert_sql(size_t rows)
{
	static const char one[] = RECEIPT_INSERT "(?1, 'receipt', ?2, ?3, ?4)";
	static char many[sizeof RECEIPT_INSERT + STAGE_ROWS * 40];
	if (rows == 1)
		return one;
	if (!many[0]) {
		size_t len = (size_t)snprintf(many, sizeof many, "%s", RECEIPT_INSERT);
		for (size_t r = 0; r < STAGE_ROWS; r++)
			len += (size_t)snprintf(many + len, sizeof many - len,
						"%s(?%zu, 'receipt', ?%zu, ?%zu, ?%zu)", r ? ", " : "",
						4 * r + 1, 4 * r + 2, 4 * r + 3, 4 * r + 4);
	}
	return many;
}

static fv_status flush_receipts(fv_store *s, struct store_stage *g, fv_errors *err);

/* Queue a receipt (fv_store_outbox_receipt): staged like the visits
 * inside an import's transaction, 32 to a statement. */
fv_status store_stage_receipt(fv_store *s, const char *peer, const char *tbl, const char *id,
			      int version, fv_errors *err)
{
	struct store_stage *g = stage_of(s);
	staged_receipt *r = &g->receipts[g->nreceipts++];
	r->peer = fv_xstrdup(peer);
	r->tbl = fv_xstrdup(tbl);
	r->id = fv_xstrdup(id);
	r->version = version;
	if (!s->bulk)
		return fv_store_flush(s, err);
	return g->nreceipts == STAGE_ROWS ? flush_receipts(s, g, err) : FV_OK;
}

/* Write the receipts staged. */
static fv_status flush_receipts(fv_store *s, struct store_stage *g, fv_errors *err)
{
	fv_status st = FV_OK;
	for (size_t done = 0; st == FV_OK && done < g->nreceipts;) {
		size_t rows = g->nreceipts - done == STAGE_ROWS ? STAGE_ROWS : 1;
		sqlite3_stmt *w = store_prepare_cached(s, receipt_insert_sql(rows), err);
		for (size_t r = 0; w && r < rows; r++) {
			const staged_receipt *x = &g->receipts[done + r];
			sqlite3_bind_text(w, (int)(4 * r + 1), x->peer, -1, SQLITE_STATIC);
			sqlite3_bind_text(w, (int)(4 * r + 2), x->tbl, -1, SQLITE_STATIC);
			sqlite3_bind_text(w, (int)(4 * r + 3), x->id, -1, SQLITE_STATIC);
			sqlite3_bind_int(w, (int)(4 * r + 4), x->version);
		}
		st = store_cached_done(s, w, "queueing a receipt", err);
		done += rows;
	}
	for (size_t r = 0; r < g->nreceipts; r++) {
		free(g->receipts[r].peer);
		free(g->receipts[r].tbl);
		free(g->receipts[r].id);
	}
	g->nreceipts = 0;
	return st;
}

/* Write the visits staged, then their alerts. */
static fv_status flush_visits(fv_store *s, struct store_stage *g, fv_errors *err)
{
	fv_status st = FV_OK;
	for (size_t done = 0; st == FV_OK && done < g->n;) {
		size_t rows = g->n - done == STAGE_ROWS ? STAGE_ROWS : 1;
		sqlite3_stmt *w = store_prepare_cached(s, visit_insert_sql(rows), err);
		for (size_t r = 0; w && r < rows; r++)
			bind_staged(w, g, done + r, (int)(r * VISIT_PARAMS));
		st = store_cached_done(s, w, "saving a visit", err);
		done += rows;
	}
	for (size_t i = 0; st == FV_OK && i < g->nalerts; i++) {
		staged_alert *a = &g->alerts[i];
		st = insert_alert(s, a->id, a->visit, a->version, a->person, a->kind, a->message,
				  a->now, err);
	}
	for (size_t r = 0; r < g->n; r++)
		for (size_t k = 0; k < VISIT_PARAMS; k++) {
			free(g->text[r][k]);
			g->text[r][k] = NULL;
		}
	g->n = 0;
	staged_alerts_clear(g);
	return st;
}

fv_status fv_store_flush(fv_store *s, fv_errors *err)
{
	struct store_stage *g = s->stage;
	fv_status st;
	if (!g)
		return FV_OK;
	st = flush_visits(s, g, err);
	if (st == FV_OK)
		st = flush_receipts(s, g, err);
	store_stage_discard(s);
	return st;
}

static fv_status write_incoming(fv_store *s, const fv_form *f, const fv_instance *in,
				const fv_visit *v, fv_visit_state state, const meta *m,
				fv_errors *err)
{
	const char *score = f->score >= 0 ? fv_instance_get(in, f->score) : "";
	const char *band = f->band >= 0 ? fv_instance_get(in, f->band) : "";
	int fu = fv_form_field_index(f, "followup_due");
	const char *followup = fu >= 0 ? fv_instance_get(in, fu) : "";
	double score_num;
	int32_t fu_day;
	char now[40];
	fv_status st;

	if (*followup && !fv_date_parse(followup, &fu_day)) {
		fv_errors_add(err, NULL, 0, "followup_due: '%s' is not a date (YYYY-MM-DD)", followup);
		return FV_EINVAL;
	}
	store_sql_now(now);
	struct store_stage *g = stage_of(s);
	size_t r = g->n++;
	char **t = g->text[r];
	t[0] = fv_xstrdup(v->id);
	g->version[r] = v->version;
	t[2] = fv_xstrdup(v->author);
	t[3] = fv_xstrdup(v->person);
	t[4] = fv_xstrdup(v->form_id);
	t[5] = fv_xstrdup(v->form_version);
	t[6] = fv_xstrdup(v->answers);
	t[7] = opt_dup(m->checkin);
	t[8] = opt_dup(m->checkout);
	g->duration[r] = duration_of(m);
	t[10] = fv_xstrdup(m->services ? m->services : "");
	g->has_score[r] = *score && fv_parse_double(score, &score_num) && isfinite(score_num);
	g->score[r] = g->has_score[r] ? score_num : 0;
	t[12] = opt_dup(band);
	t[13] = fv_xstrdup(v->visit_date);
	t[14] = opt_dup(followup);
	t[15] = fv_xstrdup(state_names[state]);
	t[16] = fv_xstrdup(v->created_at);
	t[17] = fv_xstrdup(now);
	t[18] = fv_xstrdup(v->submitted_at);
	if ((st = write_alerts(s, f, in, v->id, v->version, v->person, now, 1, err)) != FV_OK)
		return st;
	/* outside an import's transaction nothing would write the stage */
	if (!s->bulk)
		return fv_store_flush(s, err);
	return g->n == STAGE_ROWS ? flush_visits(s, g, err) : FV_OK;
}

/* 1 when a visit with this id is staged. */
static int staged_id(const fv_store *s, const char *id)
{
	const struct store_stage *g = s->stage;
	for (size_t r = 0; g && r < g->n; r++)
		if (strcmp(g->text[r][0], id) == 0)
			return 1;
	return 0;
}

fv_status store_visit_import(fv_store *s, const fv_visit *v, fv_visit_state state, int here,
			     fv_apply *out, const char **why, fv_errors *err)
{
	const fv_form *f = NULL;
	fv_instance *in = NULL;
	meta m;
	fv_status st;

	*why = NULL;
	if (here < 0 && (st = store_visit_here(s, v, &here, err)) != FV_OK)
		return st;
	if (here) {
		*out = here == 1 ? FV_APPLY_SAME : FV_APPLY_CONFLICT;
		if (*out == FV_APPLY_CONFLICT)
			*why = "another visit record has this id and version here";
		return FV_OK;
	}
	st = check_incoming(s, v, &f, &in, &m, err);
	if (st == FV_OK)
		st = write_incoming(s, f, in, v, state, &m, err);
	*out = FV_APPLY_ADDED;
	fv_instance_free(in);
	meta_release(&m);
	return st;
}

/* ------------------------------------------------------------------ */
/* Reviews                                                             */

#define COMMENT_MAX_CHARS 500

void fv_review_release(fv_review *r)
{
	char **fields[] = {&r->id, &r->author, &r->visit, &r->decision, &r->comment,
			   &r->reviewed_at};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		free(*fields[i]);
		*fields[i] = NULL;
	}
}

void fv_review_list_free(fv_review *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fv_review_release(&items[i]);
	free(items);
}

#define REVIEW_COLUMNS \
	"id, version, author, visit_id, visit_version, decision, comment, reviewed_at"

static void row_to_review(sqlite3_stmt *st, fv_review *r)
{
	r->id = store_sql_text(st, 0);
	r->version = sqlite3_column_int(st, 1);
	r->author = store_sql_text(st, 2);
	r->visit = store_sql_text(st, 3);
	r->visit_version = sqlite3_column_int(st, 4);
	r->decision = store_sql_text(st, 5);
	r->comment = store_sql_text(st, 6);
	r->reviewed_at = store_sql_text(st, 7);
}

static fv_status reviews_where(fv_store *s, const char *where, const char *key, fv_review **out,
			       size_t *n, fv_errors *err)
{
	char *sql = fv_xasprintf("SELECT " REVIEW_COLUMNS " FROM review WHERE %s ORDER BY"
				 " reviewed_at, id", where);
	sqlite3_stmt *st = store_prepare(s, sql, err);
	fv_review *items = NULL;
	size_t cap = 0, count = 0;
	int rc;
	free(sql);
	*out = NULL;
	*n = 0;
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		items = fv_xgrow(items, &cap, count + 1, sizeof *items);
		row_to_review(st, &items[count++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fv_review_list_free(items, count);
		return store_error(s, rc, "reading reviews", err);
	}
	*out = items;
	*n = count;
	return FV_OK;
}

fv_status fv_review_list(fv_store *s, const char *visit, fv_review **out, size_t *n,
			 fv_errors *err)
{
	return reviews_where(s, "visit_id = ?1", visit, out, n, err);
}

fv_status fv_review_get(fv_store *s, const char *id, fv_review *out, fv_errors *err)
{
	fv_review *items;
	size_t n;
	fv_status st = reviews_where(s, "id = ?1", id, &items, &n, err);
	memset(out, 0, sizeof *out);
	if (st != FV_OK)
		return st;
	if (n == 0) {
		free(items);
		fv_errors_add(err, NULL, 0, "no review with id %s", id);
		return FV_ENOTFOUND;
	}
	*out = items[0];
	free(items);
	return FV_OK;
}

static fv_status insert_review(fv_store *s, const fv_review *r, fv_errors *err)
{
	sqlite3_stmt *w = store_prepare(s, "INSERT INTO review(" REVIEW_COLUMNS ")"
					   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err);
	if (w) {
		sqlite3_bind_text(w, 1, r->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(w, 2, r->version);
		sqlite3_bind_text(w, 3, r->author, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 4, r->visit, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(w, 5, r->visit_version);
		sqlite3_bind_text(w, 6, r->decision, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 7, r->comment, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 8, r->reviewed_at, -1, SQLITE_TRANSIENT);
	}
	return store_sql_done(s, w, "saving a review", err);
}

/* Check a decision and its comment; *to is the visit's new state. */
static void check_decision(const char *decision, const char *comment, fv_visit_state *to,
			   char **text, fv_errors *err)
{
	*text = NULL;
	if (decision && strcmp(decision, "approved") == 0)
		*to = FV_VISIT_APPROVED;
	else if (decision && strcmp(decision, "returned") == 0)
		*to = FV_VISIT_RETURNED;
	else
		fv_errors_add(err, NULL, 0, "a review approves or returns a visit, not '%s'",
			      decision ? decision : "");
	if (store_check_text("comment", comment, 0, COMMENT_MAX_CHARS, text, err) &&
	    *to == FV_VISIT_RETURNED && !**text) {
		fv_errors_add(err, NULL, 0, "a returned visit needs a comment saying why");
		free(*text);
		*text = NULL;
	}
}

static fv_status review(fv_store *s, const char *id, const char *decision, const char *comment,
			const char *rid, fv_errors *err)
{
	fv_visit v;
	fv_review r = {0};
	fv_visit_state to = FV_VISIT_APPROVED;
	char now[40], *text;
	size_t before = err->n;
	fv_status st;

	if (s->role != FV_ROLE_SUPERVISOR) {
		fv_errors_add(err, NULL, 0, "only a supervisor's store reviews visits");
		return FV_EUSAGE;
	}
	check_decision(decision, comment, &to, &text, err);
	if (err->n != before)
		return FV_EINVAL;
	if ((st = fv_visit_get(s, id, 0, &v, err)) != FV_OK) {
		free(text);
		return st;
	}
	if (v.state != FV_VISIT_RECEIVED) {
		fv_errors_add(err, NULL, 0, "visit %s is %s: only a received visit is reviewed", id,
			      fv_visit_state_name(v.state));
		st = FV_EINVAL;
		goto out;
	}
	store_sql_now(now);
	r.id = (char *)rid;
	r.version = 1;
	r.author = s->device;
	r.visit = v.id;
	r.visit_version = v.version;
	r.decision = (char *)decision;
	r.comment = text;
	r.reviewed_at = now;
	if ((st = insert_review(s, &r, err)) != FV_OK ||
	    (st = set_state(s, &v, to, err)) != FV_OK)
		goto out;
	/* queued for the worker who made that version */
	sqlite3_stmt *q = store_prepare(s,
		"INSERT OR IGNORE INTO sync_outbox(peer, tbl, ref, id, version)"
		" SELECT id, 'review', '', ?1, 1 FROM peer WHERE device = ?2 AND device <> ''", err);
	if (q) {
		sqlite3_bind_text(q, 1, rid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 2, v.author, -1, SQLITE_TRANSIENT);
	}
	if ((st = store_sql_done(s, q, "queueing a review", err)) != FV_OK)
		goto out;
	char *detail = fv_xasprintf("%s version %d", decision, v.version);
	st = store_audit(s, "visit.review", id, detail, err);
	free(detail);
out:
	free(text);
	fv_visit_release(&v);
	return st;
}

fv_status fv_visit_review(fv_store *s, const char *id, const char *decision,
			  const char *comment, char rid[FV_ID_BYTES], fv_errors *err)
{
	char use[FV_ID_BYTES];
	fv_status st = store_sql_begin(s, err);
	rid[0] = '\0';
	if (st != FV_OK)
		return st;
	vault_uuid(use);
	st = store_sql_end(s, review(s, id, decision, comment, use, err), err);
	if (st == FV_OK)
		memcpy(rid, use, FV_ID_BYTES);
	return st;
}

/* A review from the supervisor, in a worker's store. */
fv_status store_review_import(fv_store *s, const fv_review *r, fv_apply *out, const char **why,
			      fv_errors *err)
{
	fv_review old;
	fv_errors quiet;
	fv_visit v;
	fv_visit_state to = FV_VISIT_APPROVED;
	char *text;
	size_t before = err->n;
	double t;
	fv_status st;

	*why = NULL;
	fv_errors_init(&quiet);
	st = fv_review_get(s, r->id, &old, &quiet);
	fv_errors_release(&quiet);
	if (st == FV_OK) {
		int same = old.version == r->version && strcmp(old.author, r->author) == 0 &&
			   strcmp(old.visit, r->visit) == 0 &&
			   old.visit_version == r->visit_version &&
			   strcmp(old.decision, r->decision) == 0 &&
			   strcmp(old.comment, r->comment) == 0 &&
			   strcmp(old.reviewed_at, r->reviewed_at) == 0;
		fv_review_release(&old);
		*out = same ? FV_APPLY_SAME : FV_APPLY_CONFLICT;
		if (!same)
			*why = "another review has this id here";
		return FV_OK;
	}
	if (st != FV_ENOTFOUND)
		return fv_review_get(s, r->id, &old, err);
	check_decision(r->decision, r->comment, &to, &text, err);
	if (text && strcmp(text, r->comment) != 0)
		fv_errors_add(err, NULL, 0, "comment is not as fieldvisit writes it");
	free(text);
	if (r->version != 1)
		fv_errors_add(err, NULL, 0, "a review has version 1, not %d", r->version);
	if (!fv_datetime_parse(r->reviewed_at, &t))
		fv_errors_add(err, NULL, 0, "reviewed_at must be a date-time");
	if (err->n != before)
		return FV_EINVAL;
	if ((st = fv_visit_get(s, r->visit, r->visit_version, &v, err)) != FV_OK)
		return st == FV_ENOTFOUND ? FV_EINVAL : st;
	/* the receipt may not have come (it comes first in a down-bundle) */
	if (v.state == FV_VISIT_SUBMITTED &&
	    (st = set_state(s, &v, FV_VISIT_SENT, err)) == FV_OK)
		v.state = FV_VISIT_SENT;
	if (st == FV_OK && v.state == FV_VISIT_SENT &&
	    (st = set_state(s, &v, FV_VISIT_RECEIVED, err)) == FV_OK)
		v.state = FV_VISIT_RECEIVED;
	if (st == FV_OK && v.state != FV_VISIT_RECEIVED) {
		fv_errors_add(err, NULL, 0, "visit %s version %d is %s: it cannot be %s", v.id,
			      v.version, fv_visit_state_name(v.state), r->decision);
		st = FV_EINVAL;
	}
	if (st == FV_OK)
		st = insert_review(s, r, err);
	if (st == FV_OK)
		st = set_state(s, &v, to, err);
	if (st == FV_OK) {
		char *detail = fv_xasprintf("%s version %d", r->decision, v.version);
		st = store_audit(s, "visit.review", v.id, detail, err);
		free(detail);
	}
	*out = FV_APPLY_ADDED;
	fv_visit_release(&v);
	return st;
}

fv_status store_visit_each(fv_store *s, const char *where, fv_visit_fn fn, void *ctx,
			   size_t *count, fv_errors *err)
{
	/* what a record line holds: the state as in the row, no alerts (an
	 * export reads every visit, and the two would cost a lookup each) */
	char *sql = fv_xasprintf("SELECT v.id, v.version, v.author, v.person_id, v.form_id,"
				 " v.form_version, v.state, v.checkin, v.checkout, v.duration,"
				 " v.services, v.score, v.band, v.visit_date, v.created_at,"
				 " v.updated_at, v.submitted_at, '', v.answers FROM visit v WHERE %s"
				 " ORDER BY v.submitted_at, v.id, v.version", where);
	sqlite3_stmt *st = store_prepare(s, sql, err);
	int rc, stop = 0;
	free(sql);
	if (!st)
		return FV_EIO;
	sqlite3_bind_text(st, 1, s->device, -1, SQLITE_STATIC);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		fv_visit v;
		row_to_visit(st, &v, 1);
		stop = fn(ctx, &v) != 0;
		fv_visit_release(&v);
		++*count;
	}
	sqlite3_finalize(st);
	if (!stop && rc != SQLITE_DONE)
		return store_error(s, rc, "reading visits", err);
	return FV_OK;
}
