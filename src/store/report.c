/*
 * fieldvisit store: the facts the supervisor's reports are computed from
 * (include/fieldvisit/report.h).
 *
 * Only the columns a report needs are read.  Visits come from report_fact
 * (schema 9: the versions that count, one narrow row each, kept by
 * triggers): day numbers, times as seconds and a hash of the answers were
 * worked out when the visit was written, and only satisfaction surveys
 * keep answers, for json_extract.  Texts that repeat (workers, forms,
 * services, villages) are kept once.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"
#include "fieldvisit/report.h"

/* ---- interned and arena texts ------------------------------------- */

typedef struct interned {
	char **v;
	size_t n, cap;
} interned;

typedef struct storage {
	interned words;          /* sorted, for bsearch */
	char **blocks;           /* arenas of ids and names */
	size_t nblocks, bcap;
	char *cur;
	size_t used, size;
	unsigned *levels;
	size_t nlevels, lcap;
	fv_schedule_facts sched;
	int has_sched;
	char *team;
} storage;

/* A copy of s in the storage's arena (stable: arenas are never moved). */
static const char *keep(storage *S, const char *s, size_t n)
{
	if (S->used + n + 1 > S->size) {
		size_t size = n + 1 > 65536 ? n + 1 : 65536;
		S->blocks = fv_xgrow(S->blocks, &S->bcap, S->nblocks + 1, sizeof *S->blocks);
		S->cur = S->blocks[S->nblocks++] = fv_xmalloc(size);
		S->used = 0;
		S->size = size;
	}
	char *p = S->cur + S->used;
	memcpy(p, s, n);
	p[n] = '\0';
	S->used += n + 1;
	return p;
}

static const char *col_keep(storage *S, sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	return keep(S, t ? t : "", t ? (size_t)sqlite3_column_bytes(st, col) : 0);
}

/* One copy of each text that repeats. */
static const char *intern(storage *S, const char *s)
{
	interned *w = &S->words;
	size_t lo = 0, hi = w->n;
	if (!s)
		s = "";
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(w->v[mid], s);
		if (c == 0)
			return w->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	w->v = fv_xgrow(w->v, &w->cap, w->n + 1, sizeof *w->v);
	memmove(&w->v[lo + 1], &w->v[lo], (w->n - lo) * sizeof *w->v);
	w->v[lo] = fv_xstrdup(s);
	w->n++;
	return w->v[lo];
}

static const char *col_intern(storage *S, sqlite3_stmt *st, int col)
{
	return intern(S, (const char *)sqlite3_column_text(st, col));
}

/* col_intern when the column repeats from row to row: *last is the text
 * of the row before. */
static const char *col_intern_last(storage *S, sqlite3_stmt *st, int col, const char **last)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	if (*last && strcmp(*last, t ? t : "") == 0)
		return *last;
	return *last = intern(S, t);
}


/* ---- workers -------------------------------------------------------- */

char *fv_store_worker_name(fv_store *s, const char *author)
{
	/* the team's roster names its members' devices; a device not in it
	 * (this store's own, or data from before enrolment) by its id */
	char *name = NULL;
	fv_errors quiet;
	fv_errors_init(&quiet);
	sqlite3_stmt *q = store_prepare(s, "SELECT name FROM peer WHERE device = ?1 AND device <> ''",
					&quiet);
	if (q) {
		sqlite3_bind_text(q, 1, author ? author : "", -1, SQLITE_TRANSIENT);
		if (sqlite3_step(q) == SQLITE_ROW)
			name = store_sql_text(q, 0);
	}
	sqlite3_finalize(q);
	fv_errors_release(&quiet);
	return name && *name ? name : (free(name), fv_xstrdup(author ? author : ""));
}

typedef struct names {
	const char **author, **name;
	size_t n, cap;
	const char *last_author, *last_name;   /* rows come in runs of a worker */
} names;

/* The worker's name of column col (an author), asked once per device. */
static const char *col_worker(fv_store *s, storage *S, names *W, sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	if (W->last_author && strcmp(W->last_author, t ? t : "") == 0)
		return W->last_name;
	const char *a = col_intern(S, st, col);
	W->last_author = a;
	for (size_t i = 0; i < W->n; i++)
		if (W->author[i] == a)
			return W->last_name = W->name[i];
	size_t cap = W->cap;
	W->author = fv_xgrow(W->author, &cap, W->n + 1, sizeof *W->author);
	W->name = fv_xrealloc(W->name, cap * sizeof *W->name);
	W->cap = cap;
	char *name = fv_store_worker_name(s, a);
	W->author[W->n] = a;
	W->name[W->n] = intern(S, name);
	free(name);
	return W->last_name = W->name[W->n++];
}

/* ---- columns -------------------------------------------------------- */

static int32_t col_date(sqlite3_stmt *st, int col)
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


/* ---- people --------------------------------------------------------- */

/* People by id: open addressing on a hash of the id, looked up once per
 * visit and alert read.  A slot keeps the id and the hash's high bits, so
 * a probe touches the table and, for the person found, the id alone. */
typedef struct pslot {
	const char *id;   /* NULL: empty */
	uint32_t i, h;
} pslot;

typedef struct pindex {
	pslot *slot;
	size_t mask;
} pindex;

static uint64_t id_hash(const char *id)
{
	uint64_t h = 14695981039346656037ULL;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h ^ h >> 29;
}

static void pindex_make(pindex *ix, const fv_rep_person *people, size_t n)
{
	size_t size = 16;
	while (size < 2 * n)
		size *= 2;
	ix->slot = fv_xcalloc(size, sizeof *ix->slot);
	ix->mask = size - 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t h = id_hash(people[i].id);
		size_t k = (size_t)h & ix->mask;
		while (ix->slot[k].id)
			k = (k + 1) & ix->mask;
		ix->slot[k] = (pslot){people[i].id, (uint32_t)i, (uint32_t)(h >> 32)};
	}
}

/* The index of person id, or SIZE_MAX. */
static size_t person_index(const pindex *ix, const char *id)
{
	if (!id)
		return SIZE_MAX;
	uint64_t h = id_hash(id);
	for (size_t k = (size_t)h & ix->mask; ix->slot[k].id; k = (k + 1) & ix->mask)
		if (ix->slot[k].h == (uint32_t)(h >> 32) && strcmp(ix->slot[k].id, id) == 0)
			return ix->slot[k].i;
	return SIZE_MAX;
}

/* People in the order of report.h: village, name, id (as SQLite's BINARY
 * collation; sorted here rather than by an ORDER BY, whose sorter holds
 * every row once more). */
static int cmp_person(const void *a, const void *b)
{
	const fv_rep_person *x = a, *y = b;
	int c = strcmp(x->village, y->village);
	if (!c)
		c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->id, y->id);
}

static fv_status read_people(fv_store *s, storage *S, names *W, fv_report_facts *out,
			     fv_errors *err)
{
	size_t cap = 0;
	int rc;
	sqlite3_stmt *q = store_prepare(s,
		"SELECT id, name, village, author, birth, phone, categories, status, status_date"
		" FROM person", err);
	if (!q)
		return FV_EIO;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		out->people = fv_xgrow(out->people, &cap, out->npeople + 1, sizeof *out->people);
		fv_rep_person *p = &out->people[out->npeople++];
		p->id = col_keep(S, q, 0);
		p->name = col_keep(S, q, 1);
		p->village = col_intern(S, q, 2);
		p->worker = col_worker(s, S, W, q, 3);
		p->birth = col_keep(S, q, 4);
		p->phone = col_keep(S, q, 5);
		p->categories = col_intern(S, q, 6);
		p->status = col_intern(S, q, 7);
		p->status_date = col_date(q, 8);
		p->sched = NULL;
	}
	sqlite3_finalize(q);
	if (out->npeople)
		qsort(out->people, out->npeople, sizeof *out->people, cmp_person);
	return rc == SQLITE_DONE ? FV_OK : store_error(s, rc, "reading people", err);
}

/* ---- visits --------------------------------------------------------- */

/* Visits in the order of report.h: date, check-in (none last), id.  A
 * million visits are sorted as small keys -- the id's first 8 bytes as a
 * number, in strcmp's order -- and then moved into place. */
typedef struct vkey {
	int32_t date, nan;
	double checkin;
	uint64_t id8;
	const fv_rep_visit *v;
} vkey;

static int cmp_vkey(const void *a, const void *b)
{
	const vkey *x = a, *y = b;
	if (x->date != y->date)
		return (x->date > y->date) - (x->date < y->date);
	if (x->nan != y->nan)
		return x->nan - y->nan;
	if (x->checkin != y->checkin)
		return x->checkin < y->checkin ? -1 : 1;
	if (x->id8 != y->id8)
		return x->id8 < y->id8 ? -1 : 1;
	return strcmp(x->v->id, y->v->id);
}

static void sort_visits(fv_rep_visit *v, size_t n)
{
	vkey *k = fv_xmalloc((n ? n : 1) * sizeof *k);
	for (size_t i = 0; i < n; i++) {
		const unsigned char *id = (const unsigned char *)v[i].id;
		uint64_t x = 0;
		unsigned char c = 1;
		for (int b = 0; b < 8; b++) {
			c = c ? id[b] : 0;   /* nothing read past the end */
			x = x << 8 | c;
		}
		int nan = isnan(v[i].checkin);
		k[i] = (vkey){v[i].date, nan, nan ? 0 : v[i].checkin, x, &v[i]};
	}
	qsort(k, n, sizeof *k, cmp_vkey);
	/* place j takes the visit at k[j].v: follow each cycle once */
	size_t *from = (size_t *)(void *)k;   /* reuses the keys' memory */
	for (size_t j = 0; j < n; j++)
		from[j] = (size_t)(k[j].v - v);
	for (size_t j = 0; j < n; j++) {
		if (from[j] == j)
			continue;
		fv_rep_visit tmp = v[j];
		size_t at = j;
		for (;;) {
			size_t src = from[at];
			from[at] = at;
			if (src == j) {
				v[at] = tmp;
				break;
			}
			v[at] = v[src];
			at = src;
		}
	}
	free(k);
}

static fv_status read_visits(fv_store *s, storage *S, names *W, const fv_rules *r,
			     unsigned need, int32_t from, int32_t to, const pindex *ix,
			     fv_report_facts *out, fv_errors *err)
{
	const fv_rules_level *lv;
	size_t nl = (need & FV_NEED_LEVELS) ? fv_rules_levels(r, &lv) : 0;
	fv_buf sql;
	char day[16];
	const char *last_form = NULL, *last_services = NULL;
	size_t cap = 0;
	int rc;

	/* report_fact (schema 9): a narrow row per visit that counts, with
	 * its day, times and answers hash worked out when it was written;
	 * the answers of satisfaction surveys alone are kept, to read their
	 * levels from */
	fv_buf_init(&sql);
	fv_buf_adds(&sql, "SELECT id, person_id, day, form_id, duration, author, checkin, checkout,"
			  " submitted, services, answers");
	if (need & FV_NEED_LEVELS) {
		/* level codes are a-z, 0-9 and _ (the rules loader checks) */
		fv_buf_adds(&sql, ", json_extract(survey, '$.visited')");
		for (size_t k = 0; k < nl; k++)
			fv_buf_addf(&sql, ", json_extract(survey, '$.n_%s')", lv[k].code);
	}
	/* the surveys: rows in the table's order (rowid IN a list made from
	 * their index alone), so each page is decrypted once; the rows of a
	 * date range are spread over the table (a bundle holds a worker's
	 * year), so a range reads the table from end to end */
	if (need & FV_NEED_ONLY_SURVEYS)
		fv_buf_adds(&sql, " FROM report_fact WHERE rowid IN (SELECT rowid FROM report_fact"
				  " WHERE day BETWEEN ?1 AND ?2"
				  " AND form_id = '" FV_REPORT_SATISFACTION_FORM "')");
	else
		fv_buf_adds(&sql, " FROM report_fact WHERE +day BETWEEN ?1 AND ?2");
	/* the rows are counted first (from the index) so that the array is
	 * made once, at its size */
	sqlite3_stmt *q = store_prepare(s, (need & FV_NEED_ONLY_SURVEYS)
		? "SELECT count(*) FROM report_fact WHERE day BETWEEN ?1 AND ?2"
		  " AND form_id = '" FV_REPORT_SATISFACTION_FORM "'"
		: "SELECT count(*) FROM report_fact WHERE day BETWEEN ?1 AND ?2", err);
	if (!q) {
		fv_buf_release(&sql);
		return FV_EIO;
	}
	sqlite3_bind_int(q, 1, from);
	sqlite3_bind_int(q, 2, to);
	store_scan_cache(s, 1);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW && sqlite3_column_int64(q, 0) > 0) {
		cap = (size_t)sqlite3_column_int64(q, 0);
		out->visits = fv_xmalloc(cap * sizeof *out->visits);
	}
	sqlite3_finalize(q);
	q = rc == SQLITE_ROW ? store_prepare(s, sql.s, err) : NULL;
	fv_buf_release(&sql);
	if (!q) {
		store_scan_cache(s, 0);
		return rc == SQLITE_ROW ? FV_EIO : store_error(s, rc, "counting visits", err);
	}
	sqlite3_bind_int(q, 1, from);
	sqlite3_bind_int(q, 2, to);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		size_t person = person_index(ix, (const char *)sqlite3_column_text(q, 1));
		if (person == SIZE_MAX)
			continue;   /* a foreign key: cannot happen */
		out->visits = fv_xgrow(out->visits, &cap, out->nvisits + 1, sizeof *out->visits);
		fv_rep_visit *v = &out->visits[out->nvisits++];
		memset(v, 0, sizeof *v);
		v->id = col_keep(S, q, 0);
		v->person = person;
		v->date = sqlite3_column_type(q, 2) == SQLITE_NULL ? FV_SCHED_NO_DATE
								    : sqlite3_column_int(q, 2);
		v->form_id = col_intern_last(S, q, 3, &last_form);
		v->duration = sqlite3_column_type(q, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 4);
		v->worker = col_worker(s, S, W, q, 5);
		v->checkin = v->checkout = v->submitted = NAN;
		if (need & FV_NEED_TIMES) {
			if (sqlite3_column_type(q, 6) != SQLITE_NULL)
				v->checkin = sqlite3_column_double(q, 6);
			if (sqlite3_column_type(q, 7) != SQLITE_NULL)
				v->checkout = sqlite3_column_double(q, 7);
			if (sqlite3_column_type(q, 8) != SQLITE_NULL)
				v->submitted = sqlite3_column_double(q, 8);
		}
		v->services = col_intern_last(S, q, 9, &last_services);
		if (need & FV_NEED_ANSWERS)
			v->answers = (uint64_t)sqlite3_column_int64(q, 10);
		v->visited = -1;
		v->contradicts_date = FV_SCHED_NO_DATE;
		if (!(need & FV_NEED_LEVELS) || strcmp(v->form_id, FV_REPORT_SATISFACTION_FORM) != 0)
			continue;
		const char *vis = (const char *)sqlite3_column_text(q, 11);
		v->visited = !vis ? -1 : strcmp(vis, "yes") == 0 ? 1 : strcmp(vis, "no") == 0 ? 0 : -1;
		int any = 0;
		for (size_t k = 0; k < nl; k++)
			any |= sqlite3_column_type(q, 12 + (int)k) != SQLITE_NULL;
		if (!any)
			continue;
		/* offsets into S->levels while it grows; pointers at the end */
		S->levels = fv_xgrow(S->levels, &S->lcap, S->nlevels + nl, sizeof *S->levels);
		for (size_t k = 0; k < nl; k++) {
			int n = sqlite3_column_int(q, 12 + (int)k);
			S->levels[S->nlevels + k] = n > 0 ? (unsigned)n : 0;
		}
		v->levels = (const unsigned *)(uintptr_t)(S->nlevels + 1);
		S->nlevels += nl;
	}
	sqlite3_finalize(q);
	store_scan_cache(s, 0);
	if (rc != SQLITE_DONE)
		return store_error(s, rc, "reading visits", err);
	sort_visits(out->visits, out->nvisits);
	for (size_t i = 0; i < out->nvisits; i++) {
		fv_rep_visit *v = &out->visits[i];
		if (v->levels)
			v->levels = &S->levels[(uintptr_t)v->levels - 1];
	}

	/* a survey saying the visit did not take place contradicts the
	 * person's latest other visit on or before it, and who recorded it
	 * (a few) */
	q = store_prepare(s, "SELECT id, visit_date FROM visit_fact WHERE person_id = ?1"
			     " AND visit_date <= ?2 AND form_id <> '" FV_REPORT_SATISFACTION_FORM "'"
			     " ORDER BY visit_date DESC, id DESC LIMIT 1", err);
	sqlite3_stmt *qa = store_prepare(s, "SELECT author FROM visit WHERE id = ?1"
					    " ORDER BY version DESC LIMIT 1", err);
	rc = q && qa ? SQLITE_DONE : SQLITE_ERROR;
	for (size_t i = 0; rc == SQLITE_DONE && i < out->nvisits; i++) {
		fv_rep_visit *v = &out->visits[i];
		if (v->visited != 0)
			continue;
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, out->people[v->person].id, -1, SQLITE_TRANSIENT);
		fv_date_format(v->date, day);
		sqlite3_bind_text(q, 2, day, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(q);
		if (rc != SQLITE_ROW)
			continue;   /* none (DONE), or the error ends the loop */
		v->contradicts = col_keep(S, q, 0);
		v->contradicts_date = col_date(q, 1);
		sqlite3_reset(qa);
		sqlite3_bind_text(qa, 1, v->contradicts, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(qa);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			break;
		v->contradicts_worker = rc == SQLITE_ROW ? col_worker(s, S, W, qa, 0) : "";
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(q);
	sqlite3_finalize(qa);
	if (!q || !qa)
		return FV_EIO;
	return rc == SQLITE_DONE ? FV_OK : store_error(s, rc, "reading visits", err);
}

/* The items of a service list, as bits of fv_service_codes (others are
 * not items: the report ignores them too). */
static unsigned service_mask(const char *list)
{
	size_t ncodes;
	const char *const *codes = fv_service_codes(&ncodes);
	unsigned mask = 0;
	for (const char *p = list; *p;) {
		size_t w = strcspn(p, " ");
		for (size_t k = 0; k < ncodes; k++)
			if (strlen(codes[k]) == w && memcmp(codes[k], p, w) == 0)
				mask |= 1u << k;
		p += w;
		p += strspn(p, " ");
	}
	return mask;
}

/* The service report ORs the items of each person's visits of the range:
 * one visit per person, whose list holds every item the person was given
 * (in fv_service_codes order), holds all it reads. */
static fv_status read_service_sets(fv_store *s, storage *S, int32_t from, int32_t to,
				   const pindex *ix, fv_report_facts *out, fv_errors *err)
{
	size_t ncodes, np = out->npeople ? out->npeople : 1;
	const char *const *codes = fv_service_codes(&ncodes);
	const char *last = NULL;
	unsigned last_mask = 0;
	unsigned *mask = fv_xcalloc(np, sizeof *mask);
	int32_t *first = fv_xmalloc(np * sizeof *first);
	int rc;
	sqlite3_stmt *q = store_prepare(s, "SELECT person_id, day, services FROM report_fact"
					   " WHERE +day BETWEEN ?1 AND ?2 AND services <> ''", err);
	if (!q) {
		free(mask);
		free(first);
		return FV_EIO;
	}
	sqlite3_bind_int(q, 1, from);
	sqlite3_bind_int(q, 2, to);
	store_scan_cache(s, 1);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		size_t person = person_index(ix, (const char *)sqlite3_column_text(q, 0));
		if (person == SIZE_MAX)
			continue;
		const char *sv = last;
		if (col_intern_last(S, q, 2, &last) != sv)
			last_mask = service_mask(last);
		if (!last_mask)
			continue;
		int32_t day = sqlite3_column_type(q, 1) == SQLITE_NULL ? FV_SCHED_NO_DATE
								       : sqlite3_column_int(q, 1);
		if (!mask[person] || day < first[person])
			first[person] = day;
		mask[person] |= last_mask;
	}
	sqlite3_finalize(q);
	store_scan_cache(s, 0);
	if (rc != SQLITE_DONE) {
		free(mask);
		free(first);
		return store_error(s, rc, "reading visits", err);
	}
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < out->npeople; i++)
		n += mask[i] != 0;
	out->visits = fv_xgrow(NULL, &cap, n ? n : 1, sizeof *out->visits);
	for (size_t i = 0; i < out->npeople; i++) {
		if (!mask[i])
			continue;
		fv_buf list;
		fv_buf_init(&list);
		for (size_t k = 0; k < ncodes; k++)
			if (mask[i] & (1u << k)) {
				if (list.len)
					fv_buf_addc(&list, ' ');
				fv_buf_adds(&list, codes[k]);
			}
		fv_rep_visit *v = &out->visits[out->nvisits++];
		memset(v, 0, sizeof *v);
		v->id = v->form_id = v->worker = "";
		v->person = i;
		v->date = first[i];
		v->checkin = v->checkout = v->submitted = NAN;
		v->duration = -1;
		v->visited = -1;
		v->contradicts_date = FV_SCHED_NO_DATE;
		v->services = intern(S, list.s);
		fv_buf_release(&list);
	}
	free(mask);
	free(first);
	sort_visits(out->visits, out->nvisits);
	return FV_OK;
}

/* ---- alerts and callbacks ------------------------------------------ */

static fv_status read_alerts(fv_store *s, storage *S, names *W, const pindex *ix,
			     fv_report_facts *out, fv_errors *err)
{
	size_t cap = 0;
	int rc;
	sqlite3_stmt *q = store_prepare(s,
		"SELECT a.id, a.kind, a.state, a.author, a.person_id, a.raised_at, a.closed_at,"
		" (SELECT min(f.visit_date) FROM visit_fact f WHERE f.person_id = a.person_id"
		"   AND f.visit_date > substr(a.raised_at, 1, 10))"
		" FROM alert a ORDER BY a.raised_at, a.id", err);
	if (!q)
		return FV_EIO;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		size_t person = person_index(ix, (const char *)sqlite3_column_text(q, 4));
		if (person == SIZE_MAX)
			continue;
		out->alerts = fv_xgrow(out->alerts, &cap, out->nalerts + 1, sizeof *out->alerts);
		fv_rep_alert *al = &out->alerts[out->nalerts++];
		al->id = col_keep(S, q, 0);
		al->kind = col_intern(S, q, 1);
		al->state = col_intern(S, q, 2);
		al->worker = col_worker(s, S, W, q, 3);
		al->person = person;
		al->raised = col_date(q, 5);
		al->closed = col_date(q, 6);
		al->next_visit = col_date(q, 7);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? FV_OK : store_error(s, rc, "reading alerts", err);
}

static fv_status read_callbacks(fv_store *s, storage *S, fv_report_facts *out, fv_errors *err)
{
	size_t cap = 0;
	int rc;
	sqlite3_stmt *q = store_prepare(s,
		"SELECT id, visit_id, state, result, satisfied FROM callback"
		" ORDER BY visit_id, created_at, id", err);
	if (!q)
		return FV_EIO;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		out->callbacks = fv_xgrow(out->callbacks, &cap, out->ncallbacks + 1,
					  sizeof *out->callbacks);
		fv_rep_callback *c = &out->callbacks[out->ncallbacks++];
		c->id = col_keep(S, q, 0);
		c->visit = col_keep(S, q, 1);
		c->state = col_intern(S, q, 2);
		c->result = col_keep(S, q, 3);
		c->satisfied = sqlite3_column_type(q, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 4);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? FV_OK : store_error(s, rc, "reading callbacks", err);
}

/* ---- the whole ------------------------------------------------------ */

char *fv_store_team(fv_store *s)
{
	char *team = NULL;
	fv_errors quiet;
	fv_errors_init(&quiet);
	sqlite3_stmt *q = store_prepare(s, "SELECT id FROM team WHERE one = 1", &quiet);
	if (q && sqlite3_step(q) == SQLITE_ROW)
		team = store_sql_text(q, 0);
	sqlite3_finalize(q);
	fv_errors_release(&quiet);
	return team && *team ? team : (free(team), fv_xstrdup(fv_store_device(s)));
}

fv_status fv_store_report_facts(fv_store *s, const fv_rules *r, unsigned need, int32_t from,
				int32_t to, fv_report_facts *out, fv_errors *err)
{
	storage *S = fv_xcalloc(1, sizeof *S);
	names W = {0};
	pindex ix = {0};
	fv_status st;

	memset(out, 0, sizeof *out);
	out->storage = S;
	S->team = fv_store_team(s);
	out->team = S->team;
	if ((st = read_people(s, S, &W, out, err)) != FV_OK)
		goto fail;
	pindex_make(&ix, out->people, out->npeople);

	if (need & FV_NEED_SCHEDULE) {
		int y, m, d;
		int32_t since;
		fv_date_to_ymd(from, &y, &m, &d);
		(void)fv_date_from_ymd(y - 2, 1, 1, &since);
		if ((st = fv_store_schedule_facts(s, NULL, since, &S->sched, err)) != FV_OK)
			goto fail;
		S->has_sched = 1;
		for (size_t i = 0; i < S->sched.n; i++) {
			size_t k = person_index(&ix, S->sched.people[i].id);
			if (k != SIZE_MAX)
				out->people[k].sched = &S->sched.people[i];
		}
	}
	if (need & FV_NEED_SERVICE_SETS) {
		if ((st = read_service_sets(s, S, from, to, &ix, out, err)) != FV_OK)
			goto fail;
	} else if ((need & (FV_NEED_VISITS | FV_NEED_ANSWERS | FV_NEED_LEVELS)) &&
	    (st = read_visits(s, S, &W, r, need, from, to, &ix, out, err)) != FV_OK)
		goto fail;
	if ((need & FV_NEED_ALERTS) && (st = read_alerts(s, S, &W, &ix, out, err)) != FV_OK)
		goto fail;
	if ((need & FV_NEED_CALLBACKS) && (st = read_callbacks(s, S, out, err)) != FV_OK)
		goto fail;
	free(ix.slot);
	free(W.author);
	free(W.name);
	return FV_OK;
fail:
	free(ix.slot);
	free(W.author);
	free(W.name);
	fv_report_facts_release(out);
	return st;
}

void fv_report_facts_release(fv_report_facts *f)
{
	if (!f)
		return;
	storage *S = f->storage;
	if (S) {
		for (size_t i = 0; i < S->words.n; i++)
			free(S->words.v[i]);
		free(S->words.v);
		for (size_t i = 0; i < S->nblocks; i++)
			free(S->blocks[i]);
		free(S->blocks);
		free(S->levels);
		if (S->has_sched)
			fv_schedule_facts_release(&S->sched);
		free(S->team);
		free(S);
	}
	free(f->people);
	free(f->visits);
	free(f->alerts);
	free(f->callbacks);
	memset(f, 0, sizeof *f);
}
