/*
 * fieldvisit store: the facts schedules are computed from.
 *
 * Three queries -- the people, the visits that count, the alerts not
 * closed -- each in person order, joined as the rows are read.  Reading
 * everyone, the page cache is kept small: each page is read once.  Every
 * text goes into one arena (offsets while it grows, pointers at the end),
 * so that 100,000 visits are not 200,000 small allocations.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

typedef struct arena {
	fv_buf b;
} arena;

/* Keep column col's text; returns its offset + 1 (0 is "no text"). */
static uintptr_t keep(arena *a, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	int n = sqlite3_column_bytes(st, col);
	uintptr_t off = a->b.len + 1;
	fv_buf_add(&a->b, t ? (const char *)t : "", t ? (size_t)n : 0);
	fv_buf_addc(&a->b, '\0');
	return off;
}

static const char *at(const arena *a, const char *off)
{
	uintptr_t o = (uintptr_t)off;
	return o ? a->b.s + o - 1 : "";
}

/* The date of a "YYYY-MM-DD..." column, or FV_SCHED_NO_DATE. */
static int32_t date_col(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	char day[11];
	int32_t d;
	if (!t || sqlite3_column_bytes(st, col) < 10)
		return FV_SCHED_NO_DATE;
	memcpy(day, t, 10);
	day[10] = '\0';
	return fv_date_parse(day, &d) ? d : FV_SCHED_NO_DATE;
}

/* The person of the row at q (its column 0, a person id) among people
 * (np, in id order, ids still arena offsets), searching on from *ip: rows
 * come in person id order too.  NULL for a row of no one. */
static fv_sched_person *person_of(const arena *a, fv_sched_person *people, size_t np, size_t *ip,
				  sqlite3_stmt *q)
{
	const char *id = (const char *)sqlite3_column_text(q, 0);
	if (!id)
		return NULL;
	while (*ip < np) {
		int c = strcmp(at(a, people[*ip].id), id);
		if (c == 0)
			return &people[*ip];
		if (c > 0)
			return NULL;
		++*ip;
	}
	return NULL;
}

typedef struct order {
	const char *village, *name, *id;
	size_t index;
} order;

static int cmp_order(const void *a, const void *b)
{
	const order *x = a, *y = b;
	int c = strcmp(x->village, y->village);
	if (!c)
		c = strcmp(x->name, y->name);
	if (!c)
		c = strcmp(x->id, y->id);
	return c;
}

fv_status fv_store_schedule_facts(fv_store *s, const char *person, int32_t since,
				  fv_schedule_facts *out, fv_errors *err)
{
	arena a;
	char from[16];
	size_t pcap = 0, vcap = 0, acap = 0;
	/* rows in id order, before the final order */
	fv_sched_person *people = NULL;
	uintptr_t *names = NULL, *villages = NULL;
	size_t namecap = 0, villcap = 0;
	fv_sched_visit *visits = NULL;
	fv_sched_alert *alerts = NULL;
	size_t np = 0, nv = 0, na = 0;
	int rc = SQLITE_DONE;
	fv_status st = FV_OK;

	memset(out, 0, sizeof *out);
	fv_buf_init(&a.b);
	if (!person)
		store_scan_cache(s, 1);
	fv_date_format(since, from);

	/* the people, in id order */
	sqlite3_stmt *q = store_prepare(s,
		"SELECT id, name, village, categories, status, status_date, created_at"
		" FROM person WHERE ?1 IS NULL OR id = ?1 ORDER BY id", err);
	if (!q) {
		st = FV_EIO;
		goto fail;
	}
	if (person)
		sqlite3_bind_text(q, 1, person, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		people = fv_xgrow(people, &pcap, np + 1, sizeof *people);
		names = fv_xgrow(names, &namecap, np + 1, sizeof *names);
		villages = fv_xgrow(villages, &villcap, np + 1, sizeof *villages);
		fv_sched_person *p = &people[np];
		memset(p, 0, sizeof *p);
		p->id = (const char *)keep(&a, q, 0);
		names[np] = keep(&a, q, 1);
		villages[np] = keep(&a, q, 2);
		p->categories = (const char *)keep(&a, q, 3);
		const unsigned char *status = sqlite3_column_text(q, 4);
		p->active = status && strcmp((const char *)status, "active") == 0;
		p->status_date = date_col(q, 5);
		p->since = date_col(q, 6);
		np++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		st = store_error(s, rc, "reading people", err);
		goto fail;
	}

	/* the visits that count: the latest version, past the draft, not
	 * returned (visit_fact, kept by the schema's triggers) */
	q = store_prepare(s,
		"SELECT person_id, id, form_id, visit_date, duration, followup_due"
		" FROM visit_fact WHERE visit_date >= ?1 AND (?2 IS NULL OR person_id = ?2)"
		" ORDER BY person_id", err);
	if (!q) {
		st = FV_EIO;
		goto fail;
	}
	sqlite3_bind_text(q, 1, from, -1, SQLITE_TRANSIENT);
	if (person)
		sqlite3_bind_text(q, 2, person, -1, SQLITE_TRANSIENT);
	size_t ip = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		/* joined as it is read: visits and people are both in person
		 * id order, so a visit's person is the next one with its id */
		fv_sched_person *p = person_of(&a, people, np, &ip, q);
		if (!p)
			continue;
		visits = fv_xgrow(visits, &vcap, nv + 1, sizeof *visits);
		fv_sched_visit *v = &visits[nv];
		v->id = (const char *)keep(&a, q, 1);
		v->form_id = (const char *)keep(&a, q, 2);
		v->date = date_col(q, 3);
		v->duration = sqlite3_column_type(q, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 4);
		v->followup_due = date_col(q, 5);
		if (!p->nvisits++)
			p->visits = (const fv_sched_visit *)(uintptr_t)nv;
		if (v->date != FV_SCHED_NO_DATE && (p->since == FV_SCHED_NO_DATE || v->date < p->since))
			p->since = v->date;
		nv++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		st = store_error(s, rc, "reading visits", err);
		goto fail;
	}

	/* the alerts not closed, dated by the day they were raised (a join to
	 * the visit that raised them would read one page of the big visit
	 * table per alert) */
	q = store_prepare(s,
		"SELECT person_id, id, kind, raised_at FROM alert"
		" WHERE state <> 'closed' AND (?1 IS NULL OR person_id = ?1)"
		" ORDER BY person_id", err);
	if (!q) {
		st = FV_EIO;
		goto fail;
	}
	if (person)
		sqlite3_bind_text(q, 1, person, -1, SQLITE_TRANSIENT);
	ip = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		fv_sched_person *p = person_of(&a, people, np, &ip, q);
		if (!p)
			continue;
		alerts = fv_xgrow(alerts, &acap, na + 1, sizeof *alerts);
		alerts[na].id = (const char *)keep(&a, q, 1);
		alerts[na].kind = (const char *)keep(&a, q, 2);
		alerts[na].raised = date_col(q, 3);
		if (!p->nalerts++)
			p->alerts = (const fv_sched_alert *)(uintptr_t)na;
		na++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		st = store_error(s, rc, "reading alerts", err);
		goto fail;
	}

	/* the arena is final: offsets become pointers */
	for (size_t i = 0; i < np; i++) {
		people[i].id = at(&a, people[i].id);
		people[i].categories = at(&a, people[i].categories);
	}
	for (size_t i = 0; i < nv; i++) {
		visits[i].id = at(&a, visits[i].id);
		visits[i].form_id = at(&a, visits[i].form_id);
	}
	for (size_t i = 0; i < na; i++) {
		alerts[i].id = at(&a, alerts[i].id);
		alerts[i].kind = at(&a, alerts[i].kind);
	}

	/* indexes become pointers */
	for (size_t i = 0; i < np; i++) {
		fv_sched_person *p = &people[i];
		p->visits = p->nvisits ? &visits[(uintptr_t)p->visits] : NULL;
		p->alerts = p->nalerts ? &alerts[(uintptr_t)p->alerts] : NULL;
	}

	/* the final order: village, name */
	order *ord = fv_xmalloc((np ? np : 1) * sizeof *ord);
	for (size_t i = 0; i < np; i++)
		ord[i] = (order){at(&a, (const char *)villages[i]), at(&a, (const char *)names[i]),
				 people[i].id, i};
	qsort(ord, np, sizeof *ord, cmp_order);
	out->people = fv_xmalloc((np ? np : 1) * sizeof *out->people);
	out->names = fv_xmalloc((np ? np : 1) * sizeof *out->names);
	out->villages = fv_xmalloc((np ? np : 1) * sizeof *out->villages);
	for (size_t i = 0; i < np; i++) {
		out->people[i] = people[ord[i].index];
		out->names[i] = (char *)ord[i].name;
		out->villages[i] = (char *)ord[i].village;
	}
	free(ord);
	out->n = np;
	out->visits = visits;
	out->nvisits = nv;
	out->alerts = alerts;
	out->nalerts = na;
	out->nstrings = 1;
	out->strings = fv_xmalloc(sizeof *out->strings);
	out->strings[0] = fv_buf_take(&a.b);
	free(people);
	free(names);
	free(villages);
	if (!person)
		store_scan_cache(s, 0);
	return FV_OK;

fail:
	free(people);
	free(names);
	free(villages);
	free(visits);
	free(alerts);
	fv_buf_release(&a.b);
	if (!person)
		store_scan_cache(s, 0);
	return st;
}

void fv_schedule_facts_release(fv_schedule_facts *f)
{
	if (!f)
		return;
	free(f->people);
	free(f->names);
	free(f->villages);
	free(f->visits);
	free(f->alerts);
	for (size_t i = 0; i < f->nstrings; i++)
		free(f->strings[i]);
	free(f->strings);
	memset(f, 0, sizeof *f);
}
