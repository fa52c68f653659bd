/*
 * Schedules: which visits a person is owed on a day, from the rule set.
 * The rules in words are in rules.h and fieldvisit-rules(5); this file
 * only counts days.  Everything here is arithmetic on plain facts: no
 * store, no clock.
 */
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/rules.h"

const char *fv_sched_type_name(fv_sched_type t)
{
	static const char *const names[] = {"regular", "makeup", "festival", "followup"};
	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

const char *fv_sched_state_name(fv_sched_state s)
{
	static const char *const names[] = {"done", "due", "overdue", "upcoming"};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

/* ---- calendar periods ------------------------------------------- */

/* The first and last day of the calendar period p containing day d. */
static void period_of(fv_rules_period p, int32_t d, int32_t *first, int32_t *last)
{
	int y, m, dd, m0, months;
	fv_date_to_ymd(d, &y, &m, &dd);
	switch (p) {
	case FV_RULES_QUARTER:
		m0 = (m - 1) / 3 * 3 + 1;
		months = 3;
		break;
	case FV_RULES_YEAR:
		m0 = 1;
		months = 12;
		break;
	default:
		m0 = m;
		months = 1;
		break;
	}
	int32_t next;
	(void)fv_date_from_ymd(y, m0, 1, first);
	int ny = y, nm = m0 + months;
	if (nm > 12) {
		nm -= 12;
		ny++;
	}
	(void)fv_date_from_ymd(ny, nm, 1, &next);
	*last = next - 1;
}

/* ---- counting visits -------------------------------------------- */

/* Does visit v count for a rule asking for min minutes? */
static int long_enough(const fv_sched_visit *v, int min)
{
	return min <= 0 || (v->duration >= 0 && v->duration >= min);
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* The number of days in [from, to] with a visit of at least min minutes
 * (visits on one day count once). */
static int count_days(const fv_sched_person *p, int32_t from, int32_t to, int min)
{
	int32_t small[64], *days = small;
	size_t n = 0;
	if (p->nvisits > 64)
		days = fv_xmalloc(p->nvisits * sizeof *days);
	for (size_t i = 0; i < p->nvisits; i++) {
		const fv_sched_visit *v = &p->visits[i];
		if (v->date >= from && v->date <= to && long_enough(v, min))
			days[n++] = v->date;
	}
	qsort(days, n, sizeof *days, cmp_i32);
	int distinct = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || days[i] != days[i - 1])
			distinct++;
	if (days != small)
		free(days);
	return distinct;
}

/* ---- building a schedule ---------------------------------------- */

typedef struct builder {
	const fv_rules *r;
	const fv_sched_person *p;
	int32_t today;
	fv_schedule *out;
	size_t cap, scap;
} builder;

static fv_sched_item *add_item(builder *b, fv_sched_type type, int32_t from, int32_t due,
			       int needed, int done)
{
	fv_schedule *s = b->out;
	if (s->n == b->cap)
		s->items = fv_xgrow(s->items, &b->cap, s->n + 1, sizeof *s->items);
	fv_sched_item *it = &s->items[s->n++];
	memset(it, 0, sizeof *it);
	it->type = type;
	it->from = from;
	it->due = due;
	it->needed = needed;
	it->done = done < needed ? done : needed;
	it->festival = -1;
	it->short_of = FV_SCHED_NO_DATE;
	it->state = it->done >= needed ? FV_SCHED_DONE
		    : b->today > due   ? FV_SCHED_OVERDUE
		    : b->today < from  ? FV_SCHED_UPCOMING
				       : FV_SCHED_DUE;
	return it;
}

/* Note the visits in [from, to] too short for rule q. */
static void note_shorts(builder *b, const fv_rules_frequency *q, int32_t from, int32_t to)
{
	fv_schedule *s = b->out;
	if (q->min_minutes <= 0)
		return;
	for (size_t i = 0; i < b->p->nvisits; i++) {
		const fv_sched_visit *v = &b->p->visits[i];
		if (v->date < from || v->date > to || v->duration < 0 ||
		    v->duration >= q->min_minutes)
			continue;
		if (s->nshorts == b->scap)
			s->shorts = fv_xgrow(s->shorts, &b->scap, s->nshorts + 1, sizeof *s->shorts);
		s->shorts[s->nshorts++] = (fv_sched_short){
			.visit = v->id,
			.date = v->date,
			.duration = v->duration,
			.min_minutes = q->min_minutes,
			.rule = q,
		};
	}
}

static int has_category(const char *list, const char *code)
{
	size_t n = strlen(code);
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, " ");
		if (k == n && memcmp(p, code, n) == 0)
			return 1;
		p += k;
		p += strspn(p, " ");
	}
	return 0;
}

/* Do the two space-separated lists share a code? */
static int share_category(const char *a, const char *b)
{
	for (const char *p = a; *p;) {
		size_t k = strcspn(p, " ");
		char code[64];
		if (k < sizeof code) {
			memcpy(code, p, k);
			code[k] = '\0';
			if (has_category(b, code))
				return 1;
		}
		p += k;
		p += strspn(p, " ");
	}
	return 0;
}

/* Regular visits and make-up for rule q (a calendar period). */
static void regular(builder *b, const fv_rules_frequency *q)
{
	int32_t first, last, pfirst, plast;
	period_of(q->period, b->today, &first, &last);
	/* the period of registration is not required */
	if (b->p->since >= first)
		return;
	int k = count_days(b->p, first, b->today, q->min_minutes);
	note_shorts(b, q, first, b->today);

	int prev_short = 0;
	period_of(q->period, first - 1, &pfirst, &plast);
	if (b->p->since < pfirst) {
		int kp = count_days(b->p, pfirst, plast, q->min_minutes);
		prev_short = kp < q->visits ? q->visits - kp : 0;
		note_shorts(b, q, pfirst, plast);
	}

	fv_sched_item *it = add_item(b, FV_SCHED_REGULAR, first, last, q->visits, k);
	it->rule = q;
	if (it->state == FV_SCHED_DUE && prev_short && !q->makeup)
		it->state = FV_SCHED_OVERDUE;
	if (prev_short && q->makeup) {
		int extra = k > q->visits ? k - q->visits : 0;
		it = add_item(b, FV_SCHED_MAKEUP, first, last, prev_short, extra);
		it->rule = q;
		it->short_of = pfirst;
		if (it->state == FV_SCHED_DUE)
			it->state = FV_SCHED_OVERDUE;
	}
}

/* The festival windows of the person's categories: the one today is in,
 * or the next one. */
static void festivals(builder *b)
{
	const fv_rules_festival *fs;
	size_t nf = fv_rules_festivals(b->r, &fs);
	int y, m, d;
	fv_date_to_ymd(b->today, &y, &m, &d);
	for (size_t f = 0; f < nf; f++) {
		if (!share_category(fs[f].categories, b->p->categories))
			continue;
		for (int year = y - 1; year <= y + 1; year++) {
			int32_t from, to;
			if (!fv_rules_festival_on(b->r, f, year, NULL, &from, &to)) {
				if (year >= y && !b->out->missing_year)
					b->out->missing_year = year;
				continue;
			}
			if (to < b->today || from <= b->p->since)
				continue;
			fv_sched_item *it = add_item(b, FV_SCHED_FESTIVAL, from, to, 1,
						     count_days(b->p, from, b->today, 0));
			it->festival = (int)f;
			break;
		}
	}
}

/* The row of an event period for one of the person's categories, or
 * NULL. */
static const fv_rules_frequency *event_rule(builder *b)
{
	const fv_rules_frequency *q;
	size_t n = fv_rules_frequencies(b->r, &q);
	for (size_t i = 0; i < n; i++)
		if (q[i].period == FV_RULES_EVENT && has_category(b->p->categories, q[i].category))
			return &q[i];
	return NULL;
}

/* Is there a visit after day, up to today, of form (NULL: any)? */
static int visited_after(builder *b, int32_t day, const char *form)
{
	for (size_t i = 0; i < b->p->nvisits; i++) {
		const fv_sched_visit *v = &b->p->visits[i];
		if (v->date > day && v->date <= b->today && (!form || strcmp(v->form_id, form) == 0))
			return 1;
	}
	return 0;
}

/* Follow-ups asked for by visits and by open alerts, due from the day
 * they are asked (done by a visit after that day).  Those done are kept
 * while their window is open. */
static void followups(builder *b)
{
	const fv_rules_frequency *ev = event_rule(b);
	for (size_t i = 0; i < b->p->nvisits; i++) {
		const fv_sched_visit *v = &b->p->visits[i];
		if (v->followup_due == FV_SCHED_NO_DATE || v->date > b->today)
			continue;
		int32_t due = v->followup_due;
		if (ev && v->date + ev->within_days < due)
			due = v->date + ev->within_days;
		if (due < v->date + 1)
			due = v->date + 1;
		int done = visited_after(b, v->date, v->form_id);
		if (done && due < b->today)
			continue;
		fv_sched_item *it = add_item(b, FV_SCHED_FOLLOWUP, v->date, due, 1, done);
		it->rule = ev;
		it->form_id = v->form_id;
		it->source = v->id;
	}
	int days = fv_rules_alert_followup_days(b->r);
	for (size_t i = 0; i < b->p->nalerts; i++) {
		const fv_sched_alert *a = &b->p->alerts[i];
		if (a->raised > b->today)
			continue;
		int done = visited_after(b, a->raised, NULL);
		if (done && a->raised + days < b->today)
			continue;
		fv_sched_item *it = add_item(b, FV_SCHED_FOLLOWUP, a->raised, a->raised + days,
					     1, done);
		it->source = a->id;
		it->alert_kind = a->kind;
	}
}

static int cmp_items(const void *a, const void *b)
{
	const fv_sched_item *x = a, *y = b;
	if (x->due != y->due)
		return (x->due > y->due) - (x->due < y->due);
	if (x->type != y->type)
		return (int)x->type - (int)y->type;
	return (x->from > y->from) - (x->from < y->from);
}

void fv_schedule_person(const fv_rules *r, const fv_sched_person *p, int32_t today,
			fv_schedule *out)
{
	builder b = {.r = r, .p = p, .today = today, .out = out};
	memset(out, 0, sizeof *out);
	out->next_due = FV_SCHED_NO_DATE;
	if (!p->active && p->status_date <= today)
		return;

	const fv_rules_frequency *q;
	size_t nq = fv_rules_frequencies(r, &q);
	for (size_t i = 0; i < nq; i++)
		if (q[i].period != FV_RULES_EVENT && has_category(p->categories, q[i].category))
			regular(&b, &q[i]);
	festivals(&b);
	followups(&b);

	if (out->n)   /* items is NULL when there are none: qsort wants a pointer */
		qsort(out->items, out->n, sizeof *out->items, cmp_items);
	for (size_t i = 0; i < out->n; i++) {
		const fv_sched_item *it = &out->items[i];
		if ((it->state == FV_SCHED_DUE || it->state == FV_SCHED_OVERDUE) &&
		    (out->next_due == FV_SCHED_NO_DATE || it->due < out->next_due))
			out->next_due = it->due;
	}
}

void fv_schedule_release(fv_schedule *s)
{
	if (!s)
		return;
	free(s->items);
	free(s->shorts);
	memset(s, 0, sizeof *s);
}

size_t fv_schedule_count(const fv_schedule *s, fv_sched_state st)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->items[i].state == st;
	return n;
}

/* ---- why, in words --------------------------------------------- */

char *fv_sched_item_why(const fv_rules *r, const fv_sched_item *it)
{
	char from[16], due[16];
	fv_date_format(it->from, from);
	fv_date_format(it->due, due);
	switch (it->type) {
	case FV_SCHED_REGULAR:
	case FV_SCHED_MAKEUP: {
		const fv_rules_frequency *q = it->rule;
		char *mins = q->min_minutes > 0 ? fv_xasprintf(", at least %d minutes each",
							       q->min_minutes)
						: fv_xstrdup("");
		char *s;
		if (it->type == FV_SCHED_MAKEUP) {
			char of[16];
			fv_date_format(it->short_of, of);
			s = fv_xasprintf("%s: make-up of the %s from %s, %d of %d done%s",
					 q->category, fv_rules_period_name(q->period), of, it->done,
					 it->needed, mins);
		} else {
			char *done = it->state == FV_SCHED_UPCOMING
					     ? fv_xstrdup("")
					     : fv_xasprintf(", %d done", it->done);
			s = fv_xasprintf("%s: %d a %s%s%s", q->category, q->visits,
					 fv_rules_period_name(q->period), done, mins);
			free(done);
		}
		free(mins);
		return s;
	}
	case FV_SCHED_FESTIVAL: {
		const fv_rules_festival *fs;
		(void)fv_rules_festivals(r, &fs);
		return fv_xasprintf("%s visit, %s to %s", fs[it->festival].name_en, from, due);
	}
	case FV_SCHED_FOLLOWUP:
		if (it->alert_kind)
			return fv_xasprintf("follow-up of alert %s (%s)", it->alert_kind, it->source);
		return fv_xasprintf("follow-up of %s visit %s%s", it->form_id, it->source,
				    it->rule ? " (emergency contraception)" : "");
	}
	return fv_xstrdup("");
}

/* ---- the next visit to propose ----------------------------------- */

static void consider(int32_t *best, fv_sched_item *why, int32_t date, const fv_sched_item *it)
{
	if (*best == FV_SCHED_NO_DATE || date < *best) {
		*best = date;
		*why = *it;
	}
}

int32_t fv_schedule_propose(const fv_rules *r, const fv_sched_person *p, int32_t day,
			    fv_sched_item *why)
{
	fv_schedule s;
	int32_t best = FV_SCHED_NO_DATE;
	fv_sched_item none;

	memset(&none, 0, sizeof none);
	none.festival = -1;
	none.short_of = FV_SCHED_NO_DATE;
	if (why)
		*why = none;
	else
		why = &none;
	fv_schedule_person(r, p, day, &s);
	for (size_t i = 0; i < s.n; i++) {
		const fv_sched_item *it = &s.items[i];
		int32_t date;
		if (it->state == FV_SCHED_UPCOMING && it->type == FV_SCHED_FESTIVAL) {
			consider(&best, why, it->from, it);
			continue;
		}
		if (it->state == FV_SCHED_DONE)
			continue;
		/* the visits left, evenly over the days left of the window (a
		 * period's own visits and its make-up share it) */
		int left = it->needed - it->done;
		for (size_t k = 0; k < s.n; k++)
			if (k != i && it->rule && s.items[k].rule == it->rule &&
			    s.items[k].due == it->due && s.items[k].type != it->type &&
			    (s.items[k].type == FV_SCHED_REGULAR || s.items[k].type == FV_SCHED_MAKEUP))
				left += s.items[k].needed - s.items[k].done;
		int32_t days = it->due - day;
		date = day + (days > left ? days / left : 1);
		if (date > it->due && it->due > day)
			date = it->due;
		consider(&best, why, date, it);
	}
	/* regular rules whose period is done (or not required): the next
	 * period, spaced by the period's length over its visits */
	const fv_rules_frequency *q;
	size_t nq = fv_rules_frequencies(r, &q);
	if (p->active || p->status_date > day) {
		for (size_t i = 0; i < nq; i++) {
			if (q[i].period == FV_RULES_EVENT || !has_category(p->categories, q[i].category))
				continue;
			int open = 0;
			for (size_t k = 0; k < s.n; k++)
				if (s.items[k].rule == &q[i] && s.items[k].state != FV_SCHED_DONE &&
				    (s.items[k].type == FV_SCHED_REGULAR || s.items[k].type == FV_SCHED_MAKEUP))
					open = 1;
			if (open)
				continue;
			int32_t first, last, nfirst, nlast;
			period_of(q[i].period, day, &first, &last);
			period_of(q[i].period, last + 1, &nfirst, &nlast);
			int32_t date = day + (last - first + 1) / q[i].visits;
			if (date < nfirst)
				date = nfirst;
			if (date > nlast)
				date = nlast;
			fv_sched_item it = none;
			it.type = FV_SCHED_REGULAR;
			it.state = FV_SCHED_UPCOMING;
			it.from = nfirst;
			it.due = nlast;
			it.needed = q[i].visits;
			it.rule = &q[i];
			consider(&best, why, date, &it);
		}
	}
	fv_schedule_release(&s);
	return best;
}
