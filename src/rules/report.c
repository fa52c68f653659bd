/*
 * Reports: coverage, overdue, satisfaction, alerts, callbacks, anomalies
 * and services, computed from plain facts and the rule set into tables
 * (include/fieldvisit/report.h).  No store, no clock: the caller gives the
 * facts and the day.  Every choice a report makes where the rules are
 * silent is written in fieldvisit(1), under the report command.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/report.h"
#include "fieldvisit/vault.h"

static const char *const kind_names[FV_REPORT_NKINDS] = {
	"coverage", "overdue", "satisfaction", "alerts", "callbacks", "anomalies", "services",
};

const char *fv_report_name(fv_report_kind k)
{
	return (unsigned)k < FV_REPORT_NKINDS ? kind_names[k] : "?";
}

int fv_report_parse(const char *name, fv_report_kind *out)
{
	for (int i = 0; i < FV_REPORT_NKINDS; i++)
		if (strcmp(name, kind_names[i]) == 0) {
			*out = (fv_report_kind)i;
			return 1;
		}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Periods                                                             */

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static void set_period(fv_period *p, int y, int m0, int months)
{
	int32_t next;
	int ny = y, nm = m0 + months;
	if (nm > 12) {
		nm -= 12;
		ny++;
	}
	(void)fv_date_from_ymd(y, m0, 1, &p->first);
	(void)fv_date_from_ymd(ny, nm, 1, &next);
	p->last = next - 1;
	p->months = months;
	if (months == 1)
		snprintf(p->label, sizeof p->label, "%04d-%02d", y, m0);
	else if (months == 3)
		snprintf(p->label, sizeof p->label, "%04dQ%d", y, (m0 - 1) / 3 + 1);
	else
		snprintf(p->label, sizeof p->label, "%04d", y);
}

int fv_period_parse(const char *s, fv_period *out)
{
	size_t n = strlen(s);
	if (n < 4 || !all_digits(s, 4))
		return 0;
	int y = atoi((char[5]){s[0], s[1], s[2], s[3], 0});
	if (y < 1970 || y > 9999)
		return 0;
	if (n == 4) {
		set_period(out, y, 1, 12);
		return 1;
	}
	if (n == 7 && s[4] == '-' && all_digits(s + 5, 2)) {
		int m = (s[5] - '0') * 10 + (s[6] - '0');
		if (m < 1 || m > 12)
			return 0;
		set_period(out, y, m, 1);
		return 1;
	}
	if (n == 6 && (s[4] == 'Q' || s[4] == 'q') && s[5] >= '1' && s[5] <= '4') {
		set_period(out, y, (s[5] - '1') * 3 + 1, 3);
		return 1;
	}
	return 0;
}

void fv_period_month(int32_t day, fv_period *out)
{
	fv_period_of(day, 1, out);
}

void fv_period_of(int32_t day, int months, fv_period *out)
{
	int y, m, d;
	fv_date_to_ymd(day, &y, &m, &d);
	if (months == 12)
		set_period(out, y, 1, 12);
	else if (months == 3)
		set_period(out, y, (m - 1) / 3 * 3 + 1, 3);
	else
		set_period(out, y, m, 1);
}

int32_t fv_period_day(const fv_period *p, int32_t today)
{
	return today < p->last ? today : p->last;
}

/* ------------------------------------------------------------------ */
/* Building tables                                                     */

typedef struct owned {
	void **p;
	size_t n, cap;
} owned;

static const char *own(fv_report *rep, char *s)
{
	owned *o = rep->storage;
	o->p = fv_xgrow(o->p, &o->cap, o->n + 1, sizeof *o->p);
	o->p[o->n++] = s;
	return s;
}

static const char *dup(fv_report *rep, const char *s)
{
	return own(rep, fv_xstrdup(s ? s : ""));
}

#define MAX_TABLES 8

static fv_report_table *table(fv_report *rep, const char *name, const char *title,
			      const char *const *cols, size_t ncols)
{
	if (rep->ntables == MAX_TABLES) {
		fputs("fieldvisit: internal error: too many report tables\n", stderr);
		abort();
	}
	fv_report_table *t = &rep->tables[rep->ntables++];
	memset(t, 0, sizeof *t);
	t->name = name;
	t->title = title;
	t->cols = fv_xmalloc(ncols * sizeof *t->cols);
	for (size_t i = 0; i < ncols; i++)
		t->cols[i] = cols[i];
	t->ncols = ncols;
	t->chart_label = -1;
	t->chart_value[0] = t->chart_value[1] = -1;
	t->chart_line = NAN;
	return t;
}

/* Columns given as a literal list. */
#define TABLE(rep, name, title, ...)                                               \
	table(rep, name, title, (const char *const[]){__VA_ARGS__},                   \
	      sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static fv_report_cell *row(fv_report_table *t)
{
	size_t n = t->nrows;
	if ((n & (n - 1)) == 0) {   /* 0, 1, 2, 4, ...: double */
		size_t cap = n ? 2 * n : 1;
		t->cells = fv_xrealloc(t->cells, cap * t->ncols * sizeof *t->cells);
		t->marked = fv_xrealloc(t->marked, cap);
	}
	t->nrows++;
	t->marked[n] = 0;
	fv_report_cell *c = &t->cells[n * t->ncols];
	memset(c, 0, t->ncols * sizeof *c);
	return c;
}

static void c_text(fv_report *rep, fv_report_cell *c, const char *s)
{
	c->kind = FV_CELL_TEXT;
	c->text = dup(rep, s);
}

static void c_own(fv_report *rep, fv_report_cell *c, char *s)
{
	c->kind = FV_CELL_TEXT;
	c->text = own(rep, s);
}

static void c_date(fv_report *rep, fv_report_cell *c, int32_t d)
{
	char s[16];
	if (d == FV_SCHED_NO_DATE)
		return;
	fv_date_format(d, s);
	c_text(rep, c, s);
}

static void c_int(fv_report_cell *c, double n)
{
	c->kind = FV_CELL_INT;
	c->num = n;
}

static double round1(double x)
{
	return floor(x * 10.0 + 0.5) / 10.0;
}

static void c_pct(fv_report_cell *c, double part, double whole)
{
	if (whole <= 0)
		return;
	c->kind = FV_CELL_PERCENT;
	c->num = round1(100.0 * part / whole);
}

static void note(fv_report *rep, char *s)
{
	rep->notes = fv_xrealloc(rep->notes, (rep->nnotes + 1) * sizeof *rep->notes);
	rep->notes[rep->nnotes++] = s;
}

void fv_report_release(fv_report *rep)
{
	if (!rep)
		return;
	owned *o = rep->storage;
	if (o) {
		for (size_t i = 0; i < o->n; i++)
			free(o->p[i]);
		free(o->p);
		free(o);
	}
	for (size_t i = 0; i < rep->ntables; i++) {
		free(rep->tables[i].cols);
		free(rep->tables[i].cells);
		free(rep->tables[i].marked);
	}
	free(rep->tables);
	for (size_t i = 0; i < rep->nnotes; i++)
		free(rep->notes[i]);
	free(rep->notes);
	memset(rep, 0, sizeof *rep);
}

/* ------------------------------------------------------------------ */
/* Groups: counters by a text key (a village, a worker), in key order   */

typedef struct group {
	const char **keys;
	double *v;          /* n * width */
	size_t n, cap, width;
} group;

static void group_init(group *g, size_t width)
{
	memset(g, 0, sizeof *g);
	g->width = width;
}

static void group_release(group *g)
{
	free(g->keys);
	free(g->v);
}

/* The counters of key (created at zero). */
static double *grp(group *g, const char *key)
{
	size_t lo = 0, hi = g->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(g->keys[mid], key);
		if (c == 0)
			return &g->v[mid * g->width];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (g->n == g->cap) {
		size_t cap = g->cap;
		g->keys = fv_xgrow(g->keys, &cap, g->n + 1, sizeof *g->keys);
		g->v = fv_xrealloc(g->v, cap * g->width * sizeof *g->v);
		g->cap = cap;
	}
	memmove(&g->keys[lo + 1], &g->keys[lo], (g->n - lo) * sizeof *g->keys);
	memmove(&g->v[(lo + 1) * g->width], &g->v[lo * g->width],
		(g->n - lo) * g->width * sizeof *g->v);
	g->keys[lo] = key;
	memset(&g->v[lo * g->width], 0, g->width * sizeof *g->v);
	g->n++;
	return &g->v[lo * g->width];
}

/* ------------------------------------------------------------------ */
/* Filters and small helpers                                           */

static int person_ok(const fv_report_args *a, const fv_rep_person *p)
{
	return (!a->village || strcmp(p->village, a->village) == 0) &&
	       (!a->worker || strcmp(p->worker, a->worker) == 0);
}

static int visit_ok(const fv_report_args *a, const fv_report_facts *f, const fv_rep_visit *v)
{
	return v->date >= a->period.first && v->date <= a->day &&
	       (!a->village || strcmp(f->people[v->person].village, a->village) == 0) &&
	       (!a->worker || strcmp(v->worker, a->worker) == 0);
}

static int is_satisfaction(const fv_rep_visit *v)
{
	return strcmp(v->form_id, FV_REPORT_SATISFACTION_FORM) == 0;
}

static const char *yes_no(int b)
{
	return b ? "yes" : "no";
}

/* "HH:MM" of a wall-clock time. */
static void hhmm(double t, char out[8])
{
	long s = (long)floor(fmod(t, 86400.0));
	if (s < 0)
		s += 86400;
	snprintf(out, 8, "%02ld:%02ld", s / 3600 % 24, s / 60 % 60);
}

static int32_t day_of(double t)
{
	return (int32_t)floor(t / 86400.0);
}

/* ------------------------------------------------------------------ */
/* coverage and overdue                                                */

enum { NTYPES = 4 };
static const char *const type_cols[NTYPES][2] = {
	{"regular_due", "regular_done"},
	{"makeup_due", "makeup_done"},
	{"festival_due", "festival_done"},
	{"followup_due", "followup_done"},
};

static int same_item(const fv_sched_item *x, const fv_sched_item *y)
{
	return x->type == y->type && x->from == y->from && x->due == y->due &&
	       x->rule == y->rule && x->festival == y->festival && x->source == y->source &&
	       x->alert_kind == y->alert_kind && x->short_of == y->short_of;
}

/* The items of person p that fall in the period: the schedule is worked
 * out at the end of each month of the period before the day, and on the
 * day; an item counts when its window meets the period and has ended by
 * the evaluation (or is open on the day).  Later evaluations replace
 * earlier ones. */
static size_t period_items(const fv_rules *r, const fv_rep_person *p, const fv_report_args *a,
			   fv_sched_item **items, size_t *cap, int *missing_year)
{
	size_t n = 0;
	int32_t e = a->period.first;
	for (;;) {
		fv_period m;
		fv_period_month(e, &m);
		int32_t at = m.last < a->day ? m.last : a->day;
		fv_schedule s;
		fv_schedule_person(r, p->sched, at, &s);
		if (s.missing_year && !*missing_year)
			*missing_year = s.missing_year;
		for (size_t i = 0; i < s.n; i++) {
			const fv_sched_item *it = &s.items[i];
			if (it->state == FV_SCHED_UPCOMING || it->due < a->period.first ||
			    it->from > a->period.last || (it->due > at && at != a->day))
				continue;
			size_t k = 0;
			while (k < n && !same_item(&(*items)[k], it))
				k++;
			if (k == n) {
				*items = fv_xgrow(*items, cap, n + 1, sizeof **items);
				n++;
			}
			(*items)[k] = *it;
		}
		fv_schedule_release(&s);
		if (at >= a->day)
			break;
		e = m.last + 1;
	}
	return n;
}

static void coverage_table(fv_report *rep, group *g, const char *name, const char *title,
			   const char *keycol)
{
	fv_report_table *t = TABLE(rep, name, title, keycol, "people", "people_due",
				   "people_visited", "percent", type_cols[0][0], type_cols[0][1],
				   type_cols[1][0], type_cols[1][1], type_cols[2][0],
				   type_cols[2][1], type_cols[3][0], type_cols[3][1]);
	t->chart_label = 0;
	t->chart_value[0] = 2;
	t->chart_value[1] = 3;
	for (size_t i = 0; i < g->n; i++) {
		const double *v = &g->v[i * g->width];
		fv_report_cell *c = row(t);
		c_text(rep, &c[0], g->keys[i]);
		c_int(&c[1], v[0]);
		c_int(&c[2], v[1]);
		c_int(&c[3], v[2]);
		c_pct(&c[4], v[2], v[1]);
		for (int k = 0; k < 2 * NTYPES; k++)
			c_int(&c[5 + k], v[3 + k]);
	}
}

static void missing_year_note(fv_report *rep, int year)
{
	if (year)
		note(rep, fv_xasprintf("festivals.csv has no dates for %d: festival visits of that"
				       " year are not counted (add the year to the table)", year));
}

static void coverage(fv_report *rep, const fv_rules *r, const fv_report_facts *f,
		     const fv_report_args *a)
{
	group byv, byw;
	double tot[NTYPES][2] = {{0}};
	fv_sched_item *items = NULL;
	size_t cap = 0;
	int missing_year = 0;
	char due[16];

	group_init(&byv, 3 + 2 * NTYPES);
	group_init(&byw, 3 + 2 * NTYPES);
	fv_report_table *od = NULL;
	double people = 0, people_due = 0, people_visited = 0;
	/* the overdue list is made after the tables above it: keep rows */
	size_t *late = fv_xmalloc((f->npeople ? f->npeople : 1) * sizeof *late);
	int *late_n = fv_xmalloc((f->npeople ? f->npeople : 1) * sizeof *late_n);
	int32_t *late_due = fv_xmalloc((f->npeople ? f->npeople : 1) * sizeof *late_due);
	size_t nlate = 0;

	for (size_t i = 0; i < f->npeople; i++) {
		const fv_rep_person *p = &f->people[i];
		if (!p->sched || !person_ok(a, p))
			continue;
		size_t n = period_items(r, p, a, &items, &cap, &missing_year);
		double *vv = grp(&byv, p->village), *vw = grp(&byw, p->worker);
		int all_done = 1, noverdue = 0;
		int32_t first_due = FV_SCHED_NO_DATE;
		for (size_t k = 0; k < n; k++) {
			const fv_sched_item *it = &items[k];
			int t = (int)it->type, done = it->state == FV_SCHED_DONE;
			all_done &= done;
			tot[t][0]++;
			tot[t][1] += done;
			vv[3 + 2 * t]++;
			vv[4 + 2 * t] += done;
			vw[3 + 2 * t]++;
			vw[4 + 2 * t] += done;
			if (it->state == FV_SCHED_OVERDUE) {
				noverdue++;
				if (first_due == FV_SCHED_NO_DATE || it->due < first_due)
					first_due = it->due;
			}
		}
		people++;
		vv[0]++;
		vw[0]++;
		if (n) {
			people_due++;
			vv[1]++;
			vw[1]++;
			if (all_done) {
				people_visited++;
				vv[2]++;
				vw[2]++;
			}
		}
		if (noverdue) {
			late[nlate] = i;
			late_n[nlate] = noverdue;
			late_due[nlate++] = first_due;
		}
	}

	fv_report_table *t = TABLE(rep, "summary", "Visits due in the period and done, by rule",
				   "rule", "due", "done", "percent");
	static const char *const tnames[NTYPES] = {"regular", "makeup", "festival", "followup"};
	double all[2] = {0, 0};
	for (int k = 0; k < NTYPES; k++) {
		fv_report_cell *c = row(t);
		c_text(rep, &c[0], tnames[k]);
		c_int(&c[1], tot[k][0]);
		c_int(&c[2], tot[k][1]);
		c_pct(&c[3], tot[k][1], tot[k][0]);
		all[0] += tot[k][0];
		all[1] += tot[k][1];
	}
	fv_report_cell *c = row(t);
	c_text(rep, &c[0], "all");
	c_int(&c[1], all[0]);
	c_int(&c[2], all[1]);
	c_pct(&c[3], all[1], all[0]);
	note(rep, fv_xasprintf("%.0f people, %.0f with visits due in the period, %.0f of them"
			       " visited as the rules ask", people, people_due, people_visited));

	coverage_table(rep, &byv, "by_village", "People due and visited, by village", "village");
	coverage_table(rep, &byw, "by_worker", "People due and visited, by worker", "worker");

	od = TABLE(rep, "overdue_people", "People with overdue visits", "person", "name",
		   "village", "worker", "overdue_items", "earliest_due");
	for (size_t i = 0; i < nlate; i++) {
		const fv_rep_person *p = &f->people[late[i]];
		c = row(od);
		c_text(rep, &c[0], p->id);
		c_text(rep, &c[1], p->name);
		c_text(rep, &c[2], p->village);
		c_text(rep, &c[3], p->worker);
		c_int(&c[4], late_n[i]);
		fv_date_format(late_due[i], due);
		c_text(rep, &c[5], due);
		od->marked[od->nrows - 1] = 1;
	}
	missing_year_note(rep, missing_year);
	free(late);
	free(late_n);
	free(late_due);
	free(items);
	group_release(&byv);
	group_release(&byw);
}

static void overdue(fv_report *rep, const fv_rules *r, const fv_report_facts *f,
		    const fv_report_args *a)
{
	group byv;
	int missing_year = 0;
	group_init(&byv, 2);
	fv_report_table *t = TABLE(rep, "overdue", "Overdue visits on the day, and why", "person",
				   "name", "village", "worker", "rule", "from", "due", "needed",
				   "done", "why");
	for (size_t i = 0; i < f->npeople; i++) {
		const fv_rep_person *p = &f->people[i];
		if (!p->sched || !person_ok(a, p))
			continue;
		fv_schedule s;
		fv_schedule_person(r, p->sched, a->day, &s);
		if (s.missing_year && !missing_year)
			missing_year = s.missing_year;
		size_t n = 0;
		for (size_t k = 0; k < s.n; k++) {
			const fv_sched_item *it = &s.items[k];
			if (it->state != FV_SCHED_OVERDUE)
				continue;
			fv_report_cell *c = row(t);
			c_text(rep, &c[0], p->id);
			c_text(rep, &c[1], p->name);
			c_text(rep, &c[2], p->village);
			c_text(rep, &c[3], p->worker);
			c_text(rep, &c[4], fv_sched_type_name(it->type));
			c_date(rep, &c[5], it->from);
			c_date(rep, &c[6], it->due);
			c_int(&c[7], it->needed);
			c_int(&c[8], it->done);
			c_own(rep, &c[9], fv_sched_item_why(r, it));
			n++;
		}
		if (n) {
			double *v = grp(&byv, p->village);
			v[0]++;
			v[1] += (double)n;
		}
		fv_schedule_release(&s);
	}
	fv_report_table *g = TABLE(rep, "by_village", "People with overdue visits, by village",
				   "village", "people_overdue", "items_overdue");
	g->chart_label = 0;
	g->chart_value[0] = 1;
	for (size_t i = 0; i < byv.n; i++) {
		fv_report_cell *c = row(g);
		c_text(rep, &c[0], byv.keys[i]);
		c_int(&c[1], byv.v[i * 2]);
		c_int(&c[2], byv.v[i * 2 + 1]);
	}
	missing_year_note(rep, missing_year);
	group_release(&byv);
}

/* ------------------------------------------------------------------ */
/* satisfaction                                                        */

static void satisfaction_table(fv_report *rep, const fv_rules *r, group *g, const char *name,
			       const char *title, const char *keycol)
{
	const fv_rules_level *lv;
	size_t nl = fv_rules_levels(r, &lv);
	size_t ncols = 6 + nl;
	const char **cols = fv_xmalloc(ncols * sizeof *cols);
	cols[0] = keycol;
	cols[1] = "surveys";
	cols[2] = "not_visited";
	cols[3] = "answers";
	for (size_t k = 0; k < nl; k++)
		cols[4 + k] = own(rep, fv_xasprintf("n_%s", lv[k].code));
	cols[4 + nl] = "rate";
	cols[5 + nl] = "below_threshold";
	fv_report_table *t = table(rep, name, title, cols, ncols);
	free(cols);
	t->chart_label = 0;
	t->chart_value[0] = (int)(4 + nl);
	t->chart_line = fv_rules_satisfaction_threshold(r);
	size_t *counts = fv_xmalloc((nl ? nl : 1) * sizeof *counts);
	for (size_t i = 0; i < g->n; i++) {
		const double *v = &g->v[i * g->width];
		fv_report_cell *c = row(t);
		double answers = 0, pct;
		c_text(rep, &c[0], g->keys[i]);
		c_int(&c[1], v[0]);
		c_int(&c[2], v[1]);
		for (size_t k = 0; k < nl; k++) {
			counts[k] = (size_t)v[2 + k];
			answers += v[2 + k];
			c_int(&c[4 + k], v[2 + k]);
		}
		c_int(&c[3], answers);
		if (fv_rules_satisfaction_rate(r, counts, &pct)) {
			c[4 + nl].kind = FV_CELL_PERCENT;
			c[4 + nl].num = round1(pct);
			int below = fv_rules_satisfaction_below(r, pct);
			c_text(rep, &c[5 + nl], yes_no(below));
			t->marked[t->nrows - 1] = (unsigned char)below;
		}
	}
	free(counts);
}

static void satisfaction(fv_report *rep, const fv_rules *r, const fv_report_facts *f,
			 const fv_report_args *a)
{
	const fv_rules_level *lv;
	size_t nl = fv_rules_levels(r, &lv);
	group all, byv, byw, bym;
	char (*months)[16] = fv_xcalloc(12, sizeof *months);
	group_init(&all, 2 + nl);
	group_init(&byv, 2 + nl);
	group_init(&byw, 2 + nl);
	group_init(&bym, 2 + nl);
	for (size_t i = 0; i < f->nvisits; i++) {
		const fv_rep_visit *v = &f->visits[i];
		const fv_rep_person *p = &f->people[v->person];
		if (!is_satisfaction(v) || v->date < a->period.first || v->date > a->day ||
		    !person_ok(a, p))
			continue;
		fv_period m;
		fv_period_month(v->date, &m);
		int y, mo, d;
		fv_date_to_ymd(v->date, &y, &mo, &d);
		snprintf(months[mo - 1], sizeof months[0], "%s", m.label);
		double *rows[4] = {grp(&all, "all"), grp(&byv, p->village), grp(&byw, p->worker),
				   grp(&bym, months[mo - 1])};
		for (int k = 0; k < 4; k++) {
			rows[k][0]++;
			rows[k][1] += v->visited == 0;
			for (size_t l = 0; v->levels && l < nl; l++)
				rows[k][2 + l] += v->levels[l];
		}
	}
	if (all.n == 0)
		grp(&all, "all");
	satisfaction_table(rep, r, &all, "summary", "Satisfaction in the period", "group");
	satisfaction_table(rep, r, &byv, "by_village", "Satisfaction by village", "village");
	satisfaction_table(rep, r, &byw, "by_worker", "Satisfaction by worker", "worker");
	if (a->period.months > 1)
		satisfaction_table(rep, r, &bym, "by_month", "Satisfaction by month", "month");
	note(rep, fv_xasprintf("rate by the formula %s of satisfaction.csv; below %.15g%% the"
			       " provider must rectify",
			       fv_rules_formula_name(fv_rules_satisfaction_formula(r)),
			       fv_rules_satisfaction_threshold(r)));
	free(months);
	group_release(&all);
	group_release(&byv);
	group_release(&byw);
	group_release(&bym);
}

/* ------------------------------------------------------------------ */
/* alerts                                                              */

static void alerts(fv_report *rep, const fv_rules *r, const fv_report_facts *f,
		   const fv_report_args *a)
{
	int days = fv_rules_alert_followup_days(r);
	group byk, byv;
	group_init(&byk, 6);
	group_init(&byv, 6);
	fv_report_table *od = NULL;
	size_t *late = fv_xmalloc((f->nalerts ? f->nalerts : 1) * sizeof *late);
	size_t nlate = 0;

	for (size_t i = 0; i < f->nalerts; i++) {
		const fv_rep_alert *al = &f->alerts[i];
		const fv_rep_person *p = &f->people[al->person];
		if (al->raised > a->day ||
		    (al->closed != FV_SCHED_NO_DATE && al->closed < a->period.first) ||
		    (a->village && strcmp(p->village, a->village) != 0) ||
		    (a->worker && strcmp(al->worker, a->worker) != 0))
			continue;
		int32_t due = al->raised + days;
		int closed = strcmp(al->state, "closed") == 0;
		int followed = al->next_visit != FV_SCHED_NO_DATE && al->next_visit <= due;
		int overdue_fu = !closed && !followed && due < a->day;
		double *rows[2] = {grp(&byk, al->kind), grp(&byv, p->village)};
		for (int k = 0; k < 2; k++) {
			rows[k][0]++;
			rows[k][1] += al->raised >= a->period.first;
			rows[k][2] += strcmp(al->state, "open") == 0;
			rows[k][3] += strcmp(al->state, "referred") == 0;
			rows[k][4] += closed;
			rows[k][5] += overdue_fu;
		}
		if (overdue_fu)
			late[nlate++] = i;
	}
	const char *names[2] = {"by_kind", "by_village"};
	const char *titles[2] = {"Alerts by kind", "Alerts by village"};
	const char *keys[2] = {"kind", "village"};
	group *gs[2] = {&byk, &byv};
	for (int k = 0; k < 2; k++) {
		fv_report_table *t = TABLE(rep, names[k], titles[k], keys[k], "alerts",
					   "raised_in_period", "open", "referred", "closed",
					   "followup_overdue");
		t->chart_label = 0;
		t->chart_value[0] = 1;
		t->chart_value[1] = 5;
		for (size_t i = 0; i < gs[k]->n; i++) {
			const double *v = &gs[k]->v[i * 6];
			fv_report_cell *c = row(t);
			c_text(rep, &c[0], gs[k]->keys[i]);
			for (int j = 0; j < 6; j++)
				c_int(&c[1 + j], v[j]);
			t->marked[t->nrows - 1] = v[5] > 0;
		}
	}
	od = TABLE(rep, "overdue_followups", "Alerts whose follow-up visit is overdue", "alert",
		   "kind", "state", "person", "name", "village", "worker", "raised",
		   "followup_due", "next_visit");
	for (size_t i = 0; i < nlate; i++) {
		const fv_rep_alert *al = &f->alerts[late[i]];
		const fv_rep_person *p = &f->people[al->person];
		fv_report_cell *c = row(od);
		c_text(rep, &c[0], al->id);
		c_text(rep, &c[1], al->kind);
		c_text(rep, &c[2], al->state);
		c_text(rep, &c[3], p->id);
		c_text(rep, &c[4], p->name);
		c_text(rep, &c[5], p->village);
		c_text(rep, &c[6], al->worker);
		c_date(rep, &c[7], al->raised);
		c_date(rep, &c[8], al->raised + days);
		c_date(rep, &c[9], al->next_visit);
		od->marked[od->nrows - 1] = 1;
	}
	note(rep, fv_xasprintf("alerts raised by the day and not closed before the period; a"
			       " follow-up is overdue when no visit came within %d days"
			       " (alert_followup_days)", days));
	free(late);
	group_release(&byk);
	group_release(&byv);
}

/* ------------------------------------------------------------------ */
/* callbacks                                                           */

typedef struct ranked {
	uint64_t h;
	size_t i;
	const char *id;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
	const ranked *x = a, *y = b;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return strcmp(x->id, y->id);
}

void fv_report_rank(const char *team, const char *period, const char *const *ids, size_t n,
		    size_t *out)
{
	uint8_t key[32];
	char *seed = fv_xasprintf("%s\n%s", team, period);
	vault_hash(key, sizeof key, seed, strlen(seed));
	free(seed);
	ranked *rk = fv_xmalloc((n ? n : 1) * sizeof *rk);
	for (size_t i = 0; i < n; i++) {
		uint8_t h[16];
		vault_keyed_hash(h, sizeof h, key, sizeof key, ids[i], strlen(ids[i]));
		uint64_t x = 0;
		for (int k = 0; k < 8; k++)
			x = x << 8 | h[k];
		rk[i] = (ranked){x, i, ids[i]};
	}
	qsort(rk, n, sizeof *rk, cmp_ranked);
	for (size_t i = 0; i < n; i++)
		out[i] = rk[i].i;
	free(rk);
}

static int cmp_cb_visit(const void *a, const void *b)
{
	return strcmp((*(const fv_rep_callback *const *)a)->visit,
		      (*(const fv_rep_callback *const *)b)->visit);
}

/* The latest callback of visit id (callbacks sorted by visit), or NULL. */
static const fv_rep_callback *callback_of(const fv_rep_callback **cbs, size_t n, const char *id)
{
	const fv_rep_callback *found = NULL;
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(cbs[mid]->visit, id);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && strcmp(cbs[lo]->visit, id) == 0; lo++)
		found = cbs[lo];
	return found;
}

static void callbacks(fv_report *rep, const fv_rules *r, const fv_report_facts *f,
		      const fv_report_args *a)
{
	const fv_rules_caller *caller = fv_rules_caller_find(r, a->caller ? a->caller : "district");
	if (!caller)
		caller = fv_rules_caller_find(r, "district");
	size_t n = 0;
	const char **ids = fv_xmalloc((f->nvisits ? f->nvisits : 1) * sizeof *ids);
	size_t *idx = fv_xmalloc((f->nvisits ? f->nvisits : 1) * sizeof *idx);
	size_t *order = fv_xmalloc((f->nvisits ? f->nvisits : 1) * sizeof *order);
	for (size_t i = 0; i < f->nvisits; i++) {
		const fv_rep_visit *v = &f->visits[i];
		if (is_satisfaction(v) || !visit_ok(a, f, v))
			continue;
		idx[n] = i;
		ids[n++] = v->id;
	}
	size_t k = fv_rules_callbacks_needed(caller, n);
	fv_report_rank(f->team, a->period.label, ids, n, order);

	const fv_rep_callback **cbs = fv_xmalloc((f->ncallbacks ? f->ncallbacks : 1) * sizeof *cbs);
	for (size_t i = 0; i < f->ncallbacks; i++)
		cbs[i] = &f->callbacks[i];
	qsort(cbs, f->ncallbacks, sizeof *cbs, cmp_cb_visit);

	fv_report_table *t = TABLE(rep, "summary", "The callback sample", "team", "period",
				   "caller", "min_percent", "work_orders", "needed", "sampled",
				   "share");
	fv_report_cell *c = row(t);
	c_text(rep, &c[0], f->team);
	c_text(rep, &c[1], a->period.label);
	c_text(rep, &c[2], caller->code);
	c[3].kind = FV_CELL_PERCENT;
	c[3].num = round1(caller->min_percent);
	c_int(&c[4], (double)n);
	c_int(&c[5], (double)k);
	c_int(&c[6], (double)k);
	c_pct(&c[7], (double)k, (double)n);

	t = TABLE(rep, "sample", "Visits to call back", "rank", "visit", "date", "person", "name",
		  "village", "worker", "form", "callback", "satisfied", "result");
	for (size_t j = 0; j < k; j++) {
		const fv_rep_visit *v = &f->visits[idx[order[j]]];
		const fv_rep_person *p = &f->people[v->person];
		const fv_rep_callback *cb = callback_of(cbs, f->ncallbacks, v->id);
		c = row(t);
		c_int(&c[0], (double)(j + 1));
		c_text(rep, &c[1], v->id);
		c_date(rep, &c[2], v->date);
		c_text(rep, &c[3], p->id);
		c_text(rep, &c[4], p->name);
		c_text(rep, &c[5], p->village);
		c_text(rep, &c[6], v->worker);
		c_text(rep, &c[7], v->form_id);
		c_text(rep, &c[8], cb ? cb->state : "not called");
		if (cb && cb->satisfied >= 0)
			c_text(rep, &c[9], yes_no(cb->satisfied));
		if (cb)
			c_text(rep, &c[10], cb->result);
		t->marked[t->nrows - 1] = cb && cb->satisfied == 0;
	}

	/* results of the callbacks made on the period's visits */
	double res[4][3] = {{0}};
	static const char *const states[3] = {"pending", "done", "unreachable"};
	for (size_t j = 0; j < n; j++) {
		const fv_rep_callback *cb = callback_of(cbs, f->ncallbacks, ids[j]);
		if (!cb)
			continue;
		for (int s = 0; s < 3; s++)
			if (strcmp(cb->state, states[s]) == 0) {
				res[s][0]++;
				res[s][1] += cb->satisfied == 1;
				res[s][2] += cb->satisfied == 0;
			}
		res[3][0]++;
		res[3][1] += cb->satisfied == 1;
		res[3][2] += cb->satisfied == 0;
	}
	t = TABLE(rep, "results", "Callbacks recorded on the period's visits", "state",
		  "callbacks", "satisfied", "dissatisfied");
	for (int s = 0; s < 4; s++) {
		c = row(t);
		c_text(rep, &c[0], s < 3 ? states[s] : "all");
		c_int(&c[1], res[s][0]);
		c_int(&c[2], res[s][1]);
		c_int(&c[3], res[s][2]);
	}

	t = TABLE(rep, "contradictions",
		  "Satisfaction callbacks saying the visit did not take place", "callback_visit",
		  "date", "person", "name", "village", "caller", "recorded_visit", "recorded_date",
		  "recorded_worker");
	for (size_t i = 0; i < f->nvisits; i++) {
		const fv_rep_visit *v = &f->visits[i];
		const fv_rep_person *p = &f->people[v->person];
		if (!is_satisfaction(v) || v->visited != 0 || !v->contradicts ||
		    v->date < a->period.first || v->date > a->day ||
		    (a->village && strcmp(p->village, a->village) != 0) ||
		    (a->worker && strcmp(v->contradicts_worker, a->worker) != 0))
			continue;
		c = row(t);
		c_text(rep, &c[0], v->id);
		c_date(rep, &c[1], v->date);
		c_text(rep, &c[2], p->id);
		c_text(rep, &c[3], p->name);
		c_text(rep, &c[4], p->village);
		c_text(rep, &c[5], v->worker);
		c_text(rep, &c[6], v->contradicts);
		c_date(rep, &c[7], v->contradicts_date);
		c_text(rep, &c[8], v->contradicts_worker);
		t->marked[t->nrows - 1] = 1;
	}
	note(rep, fv_xasprintf("%zu of %zu visits drawn for the %s (at least %.15g%%), ranked by"
			       " keyed BLAKE2b of team '%s' and period %s: the same on every"
			       " machine",
			       k, n, caller->name_en, caller->min_percent, f->team,
			       a->period.label));
	free(cbs);
	free(ids);
	free(idx);
	free(order);
}

/* ------------------------------------------------------------------ */
/* anomalies                                                           */

enum {
	A_SHORT, A_OVERLAP, A_PER_DAY, A_AFTER_STATUS, A_OUT_BEFORE_IN, A_LATE, A_DUP_PERSON,
	A_COPIED, A_SAME_MINUTE, A_N
};
static const char *const check_names[A_N] = {
	"short_visit", "overlap", "too_many_a_day", "after_status", "checkout_before_checkin",
	"late_record", "duplicate_person", "copied_answers", "same_minute",
};

typedef struct finding {
	int check;
	int32_t date;
	const char *worker, *village;
	char *records, *why;
} finding;

typedef struct findings {
	finding *v;
	size_t n, cap;
} findings;

static void add(findings *fs, int check, int32_t date, const char *worker, const char *village,
		char *records, char *why)
{
	fs->v = fv_xgrow(fs->v, &fs->cap, fs->n + 1, sizeof *fs->v);
	fs->v[fs->n++] = (finding){check, date, worker, village, records, why};
}

static int cmp_finding(const void *a, const void *b)
{
	const finding *x = a, *y = b;
	if (x->check != y->check)
		return x->check - y->check;
	if (x->date != y->date)
		return (x->date > y->date) - (x->date < y->date);
	return strcmp(x->records, y->records);
}

/* The longest minimum of the person's categories' calendar rules. */
static const fv_rules_frequency *min_rule(const fv_rules *r, const char *categories)
{
	const fv_rules_frequency *q, *best = NULL;
	size_t n = fv_rules_frequencies(r, &q);
	for (size_t i = 0; i < n; i++) {
		if (q[i].period == FV_RULES_EVENT || q[i].min_minutes <= 0)
			continue;
		size_t len = strlen(q[i].category);
		for (const char *p = categories; *p;) {
			size_t w = strcspn(p, " ");
			if (w == len && memcmp(p, q[i].category, len) == 0 &&
			    (!best || q[i].min_minutes > best->min_minutes))
				best = &q[i];
			p += w;
			p += strspn(p, " ");
		}
	}
	return best;
}

typedef struct vref {
	const fv_rep_visit *v;
	const fv_report_facts *f;
} vref;

static int cmp_by_worker_checkin(const void *a, const void *b)
{
	const fv_rep_visit *x = ((const vref *)a)->v, *y = ((const vref *)b)->v;
	int c = strcmp(x->worker, y->worker);
	if (c)
		return c;
	if (x->checkin != y->checkin)
		return x->checkin < y->checkin ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int cmp_by_worker_day(const void *a, const void *b)
{
	const fv_rep_visit *x = ((const vref *)a)->v, *y = ((const vref *)b)->v;
	int c = strcmp(x->worker, y->worker);
	if (c)
		return c;
	if (x->date != y->date)
		return (x->date > y->date) - (x->date < y->date);
	if (x->person != y->person)
		return (x->person > y->person) - (x->person < y->person);
	return strcmp(x->id, y->id);
}

static int cmp_by_answers(const void *a, const void *b)
{
	const fv_rep_visit *x = ((const vref *)a)->v, *y = ((const vref *)b)->v;
	int c = strcmp(x->worker, y->worker);
	if (!c)
		c = strcmp(x->form_id, y->form_id);
	if (c)
		return c;
	if (x->answers != y->answers)
		return x->answers < y->answers ? -1 : 1;
	if (x->person != y->person)
		return (x->person > y->person) - (x->person < y->person);
	return strcmp(x->id, y->id);
}

/* The ids of refs[from, to) joined by spaces. */
static char *ids_of(const vref *refs, size_t from, size_t to)
{
	fv_buf b;
	fv_buf_init(&b);
	for (size_t i = from; i < to; i++) {
		if (i > from)
			fv_buf_addc(&b, ' ');
		fv_buf_adds(&b, refs[i].v->id);
	}
	return fv_buf_take(&b);
}

static void check_visits(const fv_rules *r, const fv_report_facts *f, const fv_report_args *a,
			 findings *fs)
{
	double delay = fv_rules_max_record_delay_hours(r) * 3600.0;
	for (size_t i = 0; i < f->nvisits; i++) {
		const fv_rep_visit *v = &f->visits[i];
		const fv_rep_person *p = &f->people[v->person];
		char t1[8], t2[8];
		if (!visit_ok(a, f, v))
			continue;
		if (!is_satisfaction(v) && v->duration >= 0) {
			const fv_rules_frequency *q = min_rule(r, p->categories);
			if (q && v->duration < q->min_minutes)
				add(fs, A_SHORT, v->date, v->worker, p->village, fv_xstrdup(v->id),
				    fv_xasprintf("lasted %d minutes; %s visits last at least %d"
						 " (visit_frequency.csv line %d)",
						 v->duration, q->category, q->min_minutes, q->line));
		}
		if (p->status_date != FV_SCHED_NO_DATE && strcmp(p->status, "active") != 0 &&
		    v->date > p->status_date) {
			char sd[16];
			fv_date_format(p->status_date, sd);
			add(fs, A_AFTER_STATUS, v->date, v->worker, p->village,
			    fv_xasprintf("%s %s", v->id, p->id),
			    fv_xasprintf("dated after the person's status became %s on %s", p->status,
					 sd));
		}
		if (!isnan(v->checkin) && !isnan(v->checkout) && v->checkout < v->checkin) {
			hhmm(v->checkin, t1);
			hhmm(v->checkout, t2);
			add(fs, A_OUT_BEFORE_IN, v->date, v->worker, p->village, fv_xstrdup(v->id),
			    fv_xasprintf("checked out at %s, before the check-in at %s%s", t2, t1,
					 day_of(v->checkout) != day_of(v->checkin) ? " (another day)"
										    : ""));
		}
		double ref = !isnan(v->checkout) ? v->checkout : v->checkin;
		if (!isnan(ref) && !isnan(v->submitted) && v->submitted - ref > delay)
			add(fs, A_LATE, v->date, v->worker, p->village, fv_xstrdup(v->id),
			    fv_xasprintf("recorded %.0f hours after its %s (more than %d,"
					 " max_record_delay_hours)",
					 floor((v->submitted - ref) / 3600.0),
					 !isnan(v->checkout) ? "check-out" : "check-in",
					 fv_rules_max_record_delay_hours(r)));
	}
}

static void check_patterns(const fv_rules *r, const fv_report_facts *f, const fv_report_args *a,
			   findings *fs)
{
	vref *refs = fv_xmalloc((f->nvisits ? f->nvisits : 1) * sizeof *refs);
	size_t n = 0;
	char t1[8], t2[8];

	/* overlapping visits of one worker with different people */
	for (size_t i = 0; i < f->nvisits; i++) {
		const fv_rep_visit *v = &f->visits[i];
		if (visit_ok(a, f, v) && !is_satisfaction(v) && !isnan(v->checkin) &&
		    !isnan(v->checkout) && v->checkout >= v->checkin)
			refs[n++] = (vref){v, f};
	}
	qsort(refs, n, sizeof *refs, cmp_by_worker_checkin);
	/* one finding per run of visits that overlap one another (a chain
	 * in check-in order), so that a day of overlaps is one line, not
	 * every pair of it */
	for (size_t i = 0; i < n;) {
		size_t j = i + 1, people = 1;
		double end = refs[i].v->checkout, together = 0;
		while (j < n && strcmp(refs[j].v->worker, refs[i].v->worker) == 0 &&
		       refs[j].v->checkin < end) {
			const fv_rep_visit *y = refs[j].v;
			int other = 1;
			for (size_t k = i; k < j; k++)
				if (refs[k].v->person == y->person) {
					other = 0;
					break;
				}
			people += other;
			together += ((y->checkout < end ? y->checkout : end) - y->checkin) / 60.0;
			if (y->checkout > end)
				end = y->checkout;
			j++;
		}
		if (people > 1) {
			const fv_rep_visit *x = refs[i].v;
			hhmm(x->checkin, t1);
			hhmm(end, t2);
			add(fs, A_OVERLAP, x->date, x->worker, f->people[x->person].village,
			    ids_of(refs, i, j),
			    fv_xasprintf("one worker with %zu people at once between %s and %s:"
					 " %zu visits overlapping by %.0f minutes in all",
					 people, t1, t2, j - i, floor(together)));
		}
		i = j;
	}

	/* visits a day, and the minute of the hour of check-ins */
	n = 0;
	for (size_t i = 0; i < f->nvisits; i++) {
		const fv_rep_visit *v = &f->visits[i];
		if (visit_ok(a, f, v) && !is_satisfaction(v))
			refs[n++] = (vref){v, f};
	}
	qsort(refs, n, sizeof *refs, cmp_by_worker_day);
	int max = fv_rules_max_visits_per_day(r);
	for (size_t i = 0; i < n;) {
		size_t j = i, people = 0;
		while (j < n && strcmp(refs[j].v->worker, refs[i].v->worker) == 0 &&
		       refs[j].v->date == refs[i].v->date) {
			if (j == i || refs[j].v->person != refs[j - 1].v->person)
				people++;
			j++;
		}
		if (people > (size_t)max)
			add(fs, A_PER_DAY, refs[i].v->date, refs[i].v->worker,
			    f->people[refs[i].v->person].village, ids_of(refs, i, j),
			    fv_xasprintf("%zu people visited on one day (more than %d,"
					 " max_visits_per_day)",
					 people, max));
		i = j;
	}
	int min_visits = fv_rules_same_minute_min_visits(r);
	double share = fv_rules_same_minute_percent(r);
	for (size_t i = 0; i < n;) {
		size_t j = i, total = 0, count[60] = {0};
		while (j < n && strcmp(refs[j].v->worker, refs[i].v->worker) == 0) {
			if (!isnan(refs[j].v->checkin)) {
				long m = (long)floor(refs[j].v->checkin / 60.0) % 60;
				count[m < 0 ? m + 60 : m]++;
				total++;
			}
			j++;
		}
		int best = 0;
		for (int m = 1; m < 60; m++)
			if (count[m] > count[best])
				best = m;
		if (total >= (size_t)min_visits && total &&
		    100.0 * (double)count[best] / (double)total >= share) {
			fv_buf b;
			fv_buf_init(&b);
			for (size_t k = i; k < j; k++) {
				if (isnan(refs[k].v->checkin))
					continue;
				long m = (long)floor(refs[k].v->checkin / 60.0) % 60;
				if ((m < 0 ? m + 60 : m) != best)
					continue;
				if (b.len)
					fv_buf_addc(&b, ' ');
				fv_buf_adds(&b, refs[k].v->id);
			}
			add(fs, A_SAME_MINUTE, a->period.first, refs[i].v->worker, "",
			    fv_buf_take(&b),
			    fv_xasprintf("%zu of %zu check-ins (%.1f%%) at minute :%02d of the hour"
					 " (same_minute_percent %.15g%%)",
					 count[best], total,
					 round1(100.0 * (double)count[best] / (double)total), best,
					 share));
		}
		i = j;
	}

	/* copied forms: one worker, one form, the same full answer set */
	n = 0;
	for (size_t i = 0; i < f->nvisits; i++) {
		const fv_rep_visit *v = &f->visits[i];
		if (visit_ok(a, f, v) && v->answers)
			refs[n++] = (vref){v, f};
	}
	qsort(refs, n, sizeof *refs, cmp_by_answers);
	int min_people = fv_rules_copied_min_people(r);
	for (size_t i = 0; i < n;) {
		size_t j = i, people = 0;
		int32_t first = refs[i].v->date;
		while (j < n && strcmp(refs[j].v->worker, refs[i].v->worker) == 0 &&
		       strcmp(refs[j].v->form_id, refs[i].v->form_id) == 0 &&
		       refs[j].v->answers == refs[i].v->answers) {
			if (j == i || refs[j].v->person != refs[j - 1].v->person)
				people++;
			if (refs[j].v->date < first)
				first = refs[j].v->date;
			j++;
		}
		if (people >= (size_t)min_people)
			add(fs, A_COPIED, first, refs[i].v->worker, "", ids_of(refs, i, j),
			    fv_xasprintf("%s form: the same full answer set for %zu different people"
					 " (copied_min_people %d)",
					 refs[i].v->form_id, people, min_people));
		i = j;
	}
	free(refs);
}

typedef struct pref {
	const fv_rep_person *p;
	const char *key;
} pref;

static int cmp_pref(const void *a, const void *b)
{
	const pref *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->p->id, y->p->id);
}

static void check_people(const fv_report_facts *f, const fv_report_args *a, findings *fs)
{
	pref *refs = fv_xmalloc((f->npeople ? f->npeople : 1) * sizeof *refs);
	char **keys = fv_xmalloc((f->npeople ? f->npeople : 1) * sizeof *keys);
	for (int pass = 0; pass < 2; pass++) {
		size_t n = 0;
		for (size_t i = 0; i < f->npeople; i++) {
			const fv_rep_person *p = &f->people[i];
			if (pass == 1 && !*p->phone)
				continue;
			keys[n] = pass == 0 ? fv_xasprintf("%s\n%s\n%s", p->name, p->birth, p->village)
					    : fv_xstrdup(p->phone);
			refs[n] = (pref){p, keys[n]};
			n++;
		}
		qsort(refs, n, sizeof *refs, cmp_pref);
		for (size_t i = 0; i < n;) {
			size_t j = i;
			int shown = 0;
			while (j < n && strcmp(refs[j].key, refs[i].key) == 0) {
				shown |= person_ok(a, refs[j].p);
				j++;
			}
			if (j - i > 1 && shown) {
				fv_buf b;
				fv_buf_init(&b);
				for (size_t k = i; k < j; k++) {
					if (k > i)
						fv_buf_addc(&b, ' ');
					fv_buf_adds(&b, refs[k].p->id);
				}
				const fv_rep_person *p = refs[i].p;
				add(fs, A_DUP_PERSON, FV_SCHED_NO_DATE, p->worker, p->village,
				    fv_buf_take(&b),
				    pass == 0 ? fv_xasprintf("%zu people with the same name, birth date"
							     " (%s) and village",
							     j - i, p->birth)
					      : fv_xasprintf("%zu people with the same phone %s", j - i,
							     p->phone));
			}
			i = j;
		}
		for (size_t i = 0; i < n; i++)
			free(keys[i]);
	}
	free(keys);
	free(refs);
}

static void anomalies(fv_report *rep, const fv_rules *r, const fv_report_facts *f,
		      const fv_report_args *a)
{
	findings fs = {0};
	size_t counts[A_N] = {0};
	check_visits(r, f, a, &fs);
	check_patterns(r, f, a, &fs);
	check_people(f, a, &fs);
	if (fs.n)
		qsort(fs.v, fs.n, sizeof *fs.v, cmp_finding);

	fv_report_table *t = TABLE(rep, "summary", "Findings by check", "check", "findings");
	t->chart_label = 0;
	t->chart_value[0] = 1;
	for (size_t i = 0; i < fs.n; i++)
		counts[fs.v[i].check]++;
	for (int k = 0; k < A_N; k++) {
		fv_report_cell *c = row(t);
		c_text(rep, &c[0], check_names[k]);
		c_int(&c[1], (double)counts[k]);
		t->marked[t->nrows - 1] = counts[k] > 0;
	}
	t = TABLE(rep, "findings", "Findings: which records and why", "check", "date", "worker",
		  "village", "why", "records");
	for (size_t i = 0; i < fs.n; i++) {
		const finding *x = &fs.v[i];
		fv_report_cell *c = row(t);
		c_text(rep, &c[0], check_names[x->check]);
		if (x->check != A_SAME_MINUTE)
			c_date(rep, &c[1], x->date);
		c_text(rep, &c[2], x->worker);
		c_text(rep, &c[3], x->village);
		c_own(rep, &c[4], x->why);
		c_own(rep, &c[5], x->records);
		t->marked[t->nrows - 1] = 1;
	}
	free(fs.v);
}

/* ------------------------------------------------------------------ */
/* services                                                            */

/* Does the person get home care: a category whose calendar rule asks
 * for a minimum length (the home-care rows of visit_frequency.csv)? */
static int home_care(const fv_rules *r, const fv_rep_person *p)
{
	return min_rule(r, p->categories) != NULL;
}

static void services(fv_report *rep, const fv_rules *r, const fv_report_facts *f,
		     const fv_report_args *a)
{
	size_t ncodes;
	const char *const *codes = fv_service_codes(&ncodes);
	int min = fv_rules_service_min_items(r);
	unsigned *mask = fv_xcalloc(f->npeople ? f->npeople : 1, sizeof *mask);
	int y, m, d;
	int32_t year_first;
	fv_date_to_ymd(a->day, &y, &m, &d);
	(void)fv_date_from_ymd(y, 1, 1, &year_first);

	for (size_t i = 0; i < f->nvisits; i++) {
		const fv_rep_visit *v = &f->visits[i];
		if (v->date < year_first || v->date > a->day)
			continue;
		for (const char *p = v->services; *p;) {
			size_t w = strcspn(p, " ");
			for (size_t k = 0; k < ncodes; k++)
				if (strlen(codes[k]) == w && memcmp(codes[k], p, w) == 0)
					mask[v->person] |= 1u << k;
			p += w;
			p += strspn(p, " ");
		}
	}
	group byv, byi;
	group_init(&byv, 2);
	group_init(&byi, 1);
	fv_report_table *t = TABLE(rep, "people", "Different service items given in the year",
				   "person", "name", "village", "worker", "items", "item_list",
				   "minimum", "below_minimum");
	for (size_t i = 0; i < f->npeople; i++) {
		const fv_rep_person *p = &f->people[i];
		if (!person_ok(a, p) || !home_care(r, p) ||
		    (strcmp(p->status, "active") != 0 && p->status_date <= a->day))
			continue;
		fv_buf list;
		int items = 0;
		fv_buf_init(&list);
		for (size_t k = 0; k < ncodes; k++)
			if (mask[i] & (1u << k)) {
				if (items++)
					fv_buf_addc(&list, ' ');
				fv_buf_adds(&list, codes[k]);
				grp(&byi, codes[k])[0]++;
			}
		fv_report_cell *c = row(t);
		c_text(rep, &c[0], p->id);
		c_text(rep, &c[1], p->name);
		c_text(rep, &c[2], p->village);
		c_text(rep, &c[3], p->worker);
		c_int(&c[4], items);
		c_own(rep, &c[5], fv_buf_take(&list));
		c_int(&c[6], min);
		c_text(rep, &c[7], yes_no(items < min));
		t->marked[t->nrows - 1] = items < min;
		double *v = grp(&byv, p->village);
		v[0]++;
		v[1] += items >= min;
	}
	t = TABLE(rep, "by_village", "People given the yearly minimum of service items, by village",
		  "village", "people", "meeting_minimum", "percent");
	t->chart_label = 0;
	t->chart_value[0] = 1;
	t->chart_value[1] = 2;
	for (size_t i = 0; i < byv.n; i++) {
		fv_report_cell *c = row(t);
		c_text(rep, &c[0], byv.keys[i]);
		c_int(&c[1], byv.v[2 * i]);
		c_int(&c[2], byv.v[2 * i + 1]);
		c_pct(&c[3], byv.v[2 * i + 1], byv.v[2 * i]);
	}
	t = TABLE(rep, "by_item", "People given each service item in the year", "item", "name",
		  "people");
	t->chart_label = 0;
	t->chart_value[0] = 2;
	for (size_t k = 0; k < ncodes; k++) {
		const fv_rules_service *sv = fv_rules_service_find(r, codes[k]);
		fv_report_cell *c = row(t);
		c_text(rep, &c[0], codes[k]);
		c_text(rep, &c[1], sv ? sv->name_en : "");
		c_int(&c[2], grp(&byi, codes[k])[0]);
	}
	char from[16], to[16];
	fv_date_format(year_first, from);
	fv_date_format(a->day, to);
	note(rep, fv_xasprintf("service items of the visits from %s to %s, for the active people"
			       " in home care; at least %d different items a year"
			       " (services.csv)",
			       from, to, min));
	free(mask);
	group_release(&byv);
	group_release(&byi);
}

/* ------------------------------------------------------------------ */

unsigned fv_report_needs(fv_report_kind k, const fv_report_args *a, int32_t *from, int32_t *to)
{
	*from = a->period.first;
	*to = a->day;
	switch (k) {
	case FV_REPORT_COVERAGE:
	case FV_REPORT_OVERDUE:
		return FV_NEED_PEOPLE | FV_NEED_SCHEDULE;
	case FV_REPORT_SATISFACTION:
		return FV_NEED_PEOPLE | FV_NEED_VISITS | FV_NEED_LEVELS | FV_NEED_ONLY_SURVEYS;
	case FV_REPORT_ALERTS:
		return FV_NEED_PEOPLE | FV_NEED_ALERTS;
	case FV_REPORT_CALLBACKS:
		return FV_NEED_PEOPLE | FV_NEED_VISITS | FV_NEED_LEVELS | FV_NEED_CALLBACKS;
	case FV_REPORT_ANOMALIES:
		return FV_NEED_PEOPLE | FV_NEED_VISITS | FV_NEED_ANSWERS | FV_NEED_TIMES;
	case FV_REPORT_SERVICES: {
		int y, m, d;
		fv_date_to_ymd(a->day, &y, &m, &d);
		(void)fv_date_from_ymd(y, 1, 1, from);
		return FV_NEED_PEOPLE | FV_NEED_VISITS | FV_NEED_SERVICE_SETS;
	}
	}
	return FV_NEED_PEOPLE;
}

void fv_report_compute(fv_report_kind k, const fv_rules *r, const fv_report_facts *f,
		       const fv_report_args *a, fv_report *out)
{
	static void (*const run[FV_REPORT_NKINDS])(fv_report *, const fv_rules *,
						   const fv_report_facts *,
						   const fv_report_args *) = {
		coverage, overdue, satisfaction, alerts, callbacks, anomalies, services,
	};
	memset(out, 0, sizeof *out);
	out->kind = k;
	out->period = a->period;
	out->day = a->day;
	out->storage = fv_xcalloc(1, sizeof(owned));
	out->village = a->village ? dup(out, a->village) : NULL;
	out->worker = a->worker ? dup(out, a->worker) : NULL;
	out->tables = fv_xcalloc(MAX_TABLES, sizeof *out->tables);
	if ((unsigned)k < FV_REPORT_NKINDS)
		run[k](out, r, f, a);
}
