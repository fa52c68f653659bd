/*
 * fieldvisit screens: today, the screen after unlock.  Who is working
 * and the date; the counts (overdue, due, drafts, returned, open alerts);
 * then one list: the open alerts and their follow-ups, the people overdue
 * and due today by the schedule (fv_schedule_person at today's date, with
 * the reason in words), the drafts, and the visits returned with the
 * supervisor's comment.  Enter opens the person, or resumes a draft.
 * Everything is read from the store each time the screen shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/rules.h"
#include "fieldvisit/store.h"
#include "ui_internal.h"

enum { G_SCHED, G_DRAFT, G_RETURNED, G_ALERT, G_NONE };
enum { T_PERSON, T_DRAFT, T_RETURNED };

static const ui_col sched_cols[] = {
	{UI_S_COL_NAME, 0, 12, 0, 1},
	{UI_S_COL_VILLAGE, 0, 12, 0, 1},
	{UI_S_COL_DUE, 0, 10, 0, 0},
	{UI_S_COL_CATEGORIES, 110, 30, 0, 0},
	{UI_S_COL_WHY, 0, 0, 0, 0},
};
static const ui_col draft_cols[] = {
	{UI_S_COL_NAME, 0, 12, 0, 1},
	{UI_S_COL_VILLAGE, 0, 12, 0, 1},
	{UI_S_COL_FORM, 0, 24, 0, 0},
	{UI_S_COL_STARTED, 0, 16, 0, 0},
};
static const ui_col returned_cols[] = {
	{UI_S_COL_NAME, 0, 12, 0, 1},
	{UI_S_COL_VILLAGE, 0, 12, 0, 1},
	{UI_S_COL_FORM, 0, 16, 0, 0},
	{UI_S_COL_DATE, 0, 10, 0, 0},
	{UI_S_COL_COMMENT, 0, 0, 0, 0},
};
static const ui_col alert_cols[] = {
	{UI_S_COL_NAME, 0, 12, 0, 1},
	{UI_S_COL_VILLAGE, 0, 12, 0, 1},
	{UI_S_COL_KIND, 0, 22, 0, 0},
	{UI_S_COL_STATE, 0, 10, 0, 0},
	{UI_S_COL_RAISED, 0, 10, 0, 0},
	{UI_S_COL_FOLLOWUP_BY, 0, 10, 0, 0},
	{UI_S_COL_MESSAGE, 110, 0, 0, 0},
};
static const ui_col none_cols[] = {{UI_NSTR, 0, 0, 0, 0}};

typedef struct today {
	int loaded;
	char error[UI_MSG_MAX];
	size_t overdue, due, drafts, returned, alerts;
	ui_list list;
	ui_forms forms;
	char *keep;   /* the id selected before a reload */
	/* while loading: the facts' people in the order of their ids, to
	 * find the person of each alert and visit (person_at) */
	const fv_schedule_facts *facts;
	size_t *by_id;
} today;

static void today_open(ui_screen *sc, void *arg)
{
	(void)arg;
	today *d = fv_xcalloc(1, sizeof *d);
	ui_list_init(&d->list);
	d->list.groups[G_SCHED] = (ui_cols){sched_cols, 5};
	d->list.groups[G_DRAFT] = (ui_cols){draft_cols, 4};
	d->list.groups[G_RETURNED] = (ui_cols){returned_cols, 5};
	d->list.groups[G_ALERT] = (ui_cols){alert_cols, 7};
	d->list.groups[G_NONE] = (ui_cols){none_cols, 1};
	sc->data = d;
}

static void today_drop(ui_screen *sc)
{
	today *d = sc->data;
	const ui_row *r = ui_list_current(&d->list);
	if (r && !d->keep)
		d->keep = fv_xstrdup(r->id);
	ui_list_reset(&d->list);
	ui_forms_release(&d->forms);
	d->loaded = 0;
	d->overdue = d->due = d->drafts = d->returned = d->alerts = 0;
}

static void today_close(ui_screen *sc)
{
	today *d = sc->data;
	today_drop(sc);
	free(d->keep);
	free(d);
}

/* Sort d->by_id by the ids of the people of f: a store of 10,000 people
 * has thousands of open alerts, and a search through everyone for each
 * took most of the time of Today's load. */
static const fv_schedule_facts *sorting;
static int cmp_by_id(const void *a, const void *b)
{
	return strcmp(sorting->people[*(const size_t *)a].id,
		      sorting->people[*(const size_t *)b].id);
}

static void index_people(today *d, const fv_schedule_facts *f)
{
	d->facts = f;
	d->by_id = fv_xcalloc(f->n ? f->n : 1, sizeof *d->by_id);
	for (size_t i = 0; i < f->n; i++)
		d->by_id[i] = i;
	sorting = f;
	qsort(d->by_id, f->n, sizeof *d->by_id, cmp_by_id);
	sorting = NULL;
}

/* The facts of person id, or -1. */
static long person_at(const today *d, const char *id)
{
	size_t lo = 0, hi = d->facts->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(d->facts->people[d->by_id[mid]].id, id);
		if (c == 0)
			return (long)d->by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void heading(today *d, const ui *u, ui_str s, size_t n)
{
	char num[24];
	snprintf(num, sizeof num, "%zu", n);
	const char *cell = ui_list_keep(&d->list, ui_trf(u, s, num, NULL));
	if (d->list.n)
		ui_list_add(&d->list, u, UI_ROW_TEXT, G_NONE, 0, NULL, NULL, 0);
	ui_list_add(&d->list, u, UI_ROW_HEADING, G_NONE, 0, NULL, &cell, 1);
}

static void none(today *d, const ui *u)
{
	const char *cell = ui_tr(u, UI_S_TODAY_NONE);
	ui_list_add(&d->list, u, UI_ROW_TEXT, G_NONE, 0, NULL, &cell, 1)->attr = UI_DIM;
}

/* The most urgent item of s in state st (the earliest due) and how many
 * there are. */
static const fv_sched_item *first_in(const fv_schedule *s, fv_sched_state st, size_t *n)
{
	const fv_sched_item *best = NULL;
	*n = 0;
	for (size_t k = 0; k < s->n; k++)
		if (s->items[k].state == st) {
			++*n;
			if (!best || s->items[k].due < best->due)
				best = &s->items[k];
		}
	return best;
}

typedef struct due_row {
	size_t person;
	fv_sched_item it;   /* a copy: the schedule it came from is gone */
	size_t more;
} due_row;

static int by_due(const void *a, const void *b)
{
	const due_row *x = a, *y = b;
	if (x->it.due != y->it.due)
		return (x->it.due > y->it.due) - (x->it.due < y->it.due);
	return (x->person > y->person) - (x->person < y->person);
}

/* Everyone's schedule at day, one person at a time (10,000 schedules
 * kept at once were megabytes): the overdue rows into over, the due rows
 * of people not overdue into due, each with its most urgent item.  The
 * items point into u's rules and f. */
static void schedule_rows(ui *u, const fv_schedule_facts *f, int32_t day, due_row *over,
			  size_t *nover, due_row *due, size_t *ndue)
{
	*nover = *ndue = 0;
	for (size_t i = 0; i < f->n; i++) {
		fv_schedule s;
		size_t more;
		fv_schedule_person(u->rules, &f->people[i], day, &s);
		const fv_sched_item *it = first_in(&s, FV_SCHED_OVERDUE, &more);
		/* a person overdue shows once, among the overdue */
		if (it)
			over[(*nover)++] = (due_row){i, *it, more - 1};
		else if ((it = first_in(&s, FV_SCHED_DUE, &more)))
			due[(*ndue)++] = (due_row){i, *it, more - 1};
		fv_schedule_release(&s);
	}
}

static void add_people(today *d, ui *u, const fv_schedule_facts *f, due_row *rows, size_t n,
		       fv_sched_state st, ui_str title)
{
	qsort(rows, n, sizeof *rows, by_due);
	heading(d, u, title, n);
	if (n)
		ui_list_add(&d->list, u, UI_ROW_TITLES, G_SCHED, 0, NULL, NULL, 0);
	for (size_t k = 0; k < n; k++) {
		const fv_sched_item *it = &rows[k].it;
		char due[16];
		fv_date_format(it->due, due);
		char *why = ui_sched_why(u, u->rules, it,
					 it->form_id ? ui_form_name(u, &d->forms, it->form_id) : NULL);
		if (rows[k].more) {
			char m[24];
			snprintf(m, sizeof m, "%zu", rows[k].more);
			char *w2 = ui_trf(u, UI_S_TODAY_MORE, why, m, NULL);
			free(why);
			why = w2;
		}
		/* ui_list_add copies the cells */
		char *cats = ui_categories(u, f->people[rows[k].person].categories);
		const char *cells[] = {
			f->names[rows[k].person], f->villages[rows[k].person], due, cats, why,
		};
		ui_list_add(&d->list, u, UI_ROW_ITEM, G_SCHED, T_PERSON, f->people[rows[k].person].id,
			    cells, 5);
		free(cats);
		free(why);
	}
	if (st == FV_SCHED_OVERDUE)
		d->overdue = n;
	else
		d->due = n;
}

static fv_status add_alerts(today *d, ui *u, const fv_schedule_facts *f, fv_errors *err)
{
	fv_alert *a;
	size_t n;
	fv_status st = fv_alert_list(u->store, NULL, 1, &a, &n, err);
	if (st != FV_OK)
		return st;
	d->alerts = n;
	heading(d, u, UI_S_TODAY_ALERTS, n);
	if (n)
		ui_list_add(&d->list, u, UI_ROW_TITLES, G_ALERT, 0, NULL, NULL, 0);
	else
		none(d, u);
	for (size_t i = 0; i < n; i++) {
		long p = person_at(d, a[i].person);
		/* the message in the screen's language: the form of the visit
		 * that raised it is among its person's facts (read from the
		 * store when older) */
		const char *form = NULL, *message;
		for (size_t k = 0; p >= 0 && k < f->people[p].nvisits && !form; k++)
			if (strcmp(f->people[p].visits[k].id, a[i].visit) == 0)
				form = f->people[p].visits[k].form_id;
		if (form)
			message = ui_alert_message(u, &d->forms, form, NULL, a[i].kind, a[i].message);
		else
			message = ui_alert_text(u, &d->forms, &a[i]);
		char raised[16], by[16];
		int32_t day;
		snprintf(raised, sizeof raised, "%.10s", a[i].raised_at);
		by[0] = '\0';
		if (fv_date_parse(raised, &day))
			fv_date_format(day + fv_rules_alert_followup_days(u->rules), by);
		const char *cells[] = {
			p >= 0 ? f->names[p] : "", p >= 0 ? f->villages[p] : "",
			ui_alert_kind_word(u, a[i].kind), ui_alert_state_word(u, a[i].state),
			raised, by, message,
		};
		ui_list_add(&d->list, u, UI_ROW_ITEM, G_ALERT, T_PERSON, a[i].person, cells, 7);
	}
	fv_alert_list_free(a, n);
	return FV_OK;
}

static fv_status add_visits(today *d, ui *u, const fv_schedule_facts *f, fv_visit_state state,
			    fv_errors *err)
{
	fv_visit_query q = {.states = FV_VISIT_BIT(state)};
	fv_visit *v;
	size_t n;
	fv_status st = fv_visit_list(u->store, &q, &v, &n, err);
	if (st != FV_OK)
		return st;
	int draft = state == FV_VISIT_DRAFT;
	heading(d, u, draft ? UI_S_TODAY_DRAFTS : UI_S_TODAY_RETURNED, n);
	if (n)
		ui_list_add(&d->list, u, UI_ROW_TITLES, draft ? G_DRAFT : G_RETURNED, 0, NULL, NULL, 0);
	else
		none(d, u);
	for (size_t i = 0; i < n && st == FV_OK; i++) {
		long p = person_at(d, v[i].person);
		const char *form = ui_form_name(u, &d->forms, v[i].form_id);
		const char *name = p >= 0 ? f->names[p] : "", *village = p >= 0 ? f->villages[p] : "";
		if (draft) {
			/* when it began: the check-in, else when it was made */
			const char *t = *v[i].checkin ? v[i].checkin : v[i].created_at;
			const char *cells[] = {
				name, village, form,
				ui_list_keep(&d->list, fv_xasprintf("%.10s %.5s", t, strlen(t) > 11 ? t + 11 : "")),
			};
			ui_list_add(&d->list, u, UI_ROW_ITEM, G_DRAFT, T_DRAFT, v[i].id, cells, 4);
			continue;
		}
		/* the supervisor's comment; a visit returned without one
		 * shows none */
		char *decision = NULL, *comment = NULL;
		fv_errors rerr;
		fv_errors_init(&rerr);
		fv_status rs = fv_visit_review_get(u->store, v[i].id, 0, &decision, &comment, &rerr);
		if (rs != FV_OK && rs != FV_ENOTFOUND) {
			st = rs;
			fv_errors_add(err, NULL, 0, "%s", rerr.n ? rerr.lines[0] : "");
		}
		fv_errors_release(&rerr);
		const char *cells[] = {
			name, village, form, v[i].visit_date,
			ui_list_keep(&d->list, comment ? comment : fv_xstrdup("")),
		};
		ui_list_add(&d->list, u, UI_ROW_ITEM, G_RETURNED, T_RETURNED, v[i].id, cells, 5);
		free(decision);
	}
	if (draft)
		d->drafts = n;
	else
		d->returned = n;
	fv_visit_list_free(v, n);
	return st;
}

/* The visits a schedule on day needs, as `visit list --due` reads them:
 * those of the two calendar years before day's and since. */
static int32_t facts_since(int32_t day)
{
	int y, m, dd;
	int32_t since;
	fv_date_to_ymd(day, &y, &m, &dd);
	(void)fv_date_from_ymd(y - 2, 1, 1, &since);
	return since;
}

static void today_load(ui_screen *sc)
{
	ui *u = sc->u;
	today *d = sc->data;
	int32_t day = ui_today();
	fv_schedule_facts f;
	fv_errors err;
	fv_status st;

	today_drop(sc);
	fv_errors_init(&err);
	d->error[0] = '\0';
	st = fv_store_schedule_facts(u->store, NULL, facts_since(day), &f, &err);
	if (st == FV_OK) {
		due_row *over = fv_xcalloc(f.n ? f.n : 1, sizeof *over);
		due_row *due = fv_xcalloc(f.n ? f.n : 1, sizeof *due);
		size_t nover, ndue;
		schedule_rows(u, &f, day, over, &nover, due, &ndue);
		index_people(d, &f);
		st = add_alerts(d, u, &f, &err);
		if (st == FV_OK) {
			add_people(d, u, &f, over, nover, FV_SCHED_OVERDUE, UI_S_TODAY_OVERDUE);
			if (!d->overdue)
				none(d, u);
			add_people(d, u, &f, due, ndue, FV_SCHED_DUE, UI_S_TODAY_DUE);
			if (!d->due)
				none(d, u);
			st = add_visits(d, u, &f, FV_VISIT_DRAFT, &err);
		}
		if (st == FV_OK)
			st = add_visits(d, u, &f, FV_VISIT_RETURNED, &err);
		free(over);
		free(due);
		free(d->by_id);
		d->by_id = NULL;
		d->facts = NULL;
		fv_schedule_facts_release(&f);
	}
	if (st == FV_OK) {
		d->loaded = 1;
		ui_list_select(&d->list, d->keep);
	} else {
		snprintf(d->error, sizeof d->error, "%s", err.n ? err.lines[0] : "");
		ui_list_reset(&d->list);
	}
	free(d->keep);
	d->keep = NULL;
	fv_errors_release(&err);
}

static void today_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	today *d = sc->data;
	char date[16], *text;
	int y = body->y;

	fv_date_format(ui_today(), date);
	const char *role = ui_tr(u, fv_store_role(u->store) == FV_ROLE_SUPERVISOR
					    ? UI_S_ROLE_SUPERVISOR
					    : UI_S_ROLE_WORKER);
	text = ui_trf(u, UI_S_HOME_HELLO,
		      u->demo ? ui_tr(u, UI_S_DEMO_NAME) : fv_store_name(u->store), role, NULL);
	ui_text(u, y, body->x, body->w, UI_HEADING, text);
	free(text);
	text = ui_trf(u, UI_S_HOME_TODAY, date, NULL);
	ui_text_right(u, y++, body->x + body->w / 2, body->w - body->w / 2, UI_NORMAL, text);
	free(text);
	if (!d->loaded) {
		text = ui_trf(u, UI_S_HOME_LOAD_FAILED, d->error, NULL);
		ui_rect r = {y + 1, body->x, body->h - 2, body->w};
		ui_wrapped(u, &r, 0, UI_ERROR, text);
		free(text);
		u->counts[0] = '\0';
		return;
	}
	char n[5][24];
	size_t v[5] = {d->overdue, d->due, d->drafts, d->returned, d->alerts};
	for (int i = 0; i < 5; i++)
		snprintf(n[i], sizeof n[i], "%zu", v[i]);
	text = ui_trf(u, UI_S_TODAY_COUNTS, n[0], n[1], n[2], n[3], n[4], NULL);
	ui_text(u, y++, body->x, body->w, UI_NORMAL, text);
	free(text);
	text = ui_trf(u, UI_S_TODAY_TITLE_COUNTS, n[0], n[1], n[4], NULL);
	snprintf(u->counts, sizeof u->counts, "%s", text);
	free(text);
	ui_rect r = {y + 1, body->x, body->h - (y + 1 - body->y), body->w};
	ui_list_draw(u, &d->list, &r);
}

static int today_key(ui_screen *sc, int key, ui_action act)
{
	ui *u = sc->u;
	today *d = sc->data;
	const ui_row *r = ui_list_current(&d->list);
	(void)key;
	if (ui_list_key(&d->list, act))
		return 1;
	switch (act) {
	case UI_ACT_OK:
		if (r && r->tag == T_DRAFT)
			ui_draft_resume(u, r->id);
		else if (r && r->tag == T_RETURNED)
			ui_correct_start(u, r->id);
		else if (r)
			ui_push(u, &ui_scr_person, (void *)r->id);
		return 1;
	case UI_ACT_PEOPLE:
		ui_push(u, &ui_scr_people, NULL);
		return 1;
	case UI_ACT_FIND:
		ui_push(u, &ui_scr_people, NULL);
		ui_push(u, &ui_scr_find, NULL);
		return 1;
	case UI_ACT_SETTINGS:
		ui_push(u, &ui_scr_settings, NULL);
		return 1;
	case UI_ACT_VISIT:
		/* the person of the line: a visit of someone due, overdue, with
		 * an alert or a returned visit starts here */
		if (r && r->tag == T_PERSON)
			ui_visit_start(u, r->id);
		else if (r && r->tag == T_DRAFT)
			ui_draft_resume(u, r->id);
		else if (r && r->tag == T_RETURNED)
			ui_correct_start(u, r->id);
		return 1;
	case UI_ACT_REGISTER:
		ui_register_start(u);
		return 1;
	case UI_ACT_SYNC:
		ui_push(u, &ui_scr_sync, NULL);
		return 1;
	default:
		return 0;
	}
}

static int today_can(ui_screen *sc, ui_action act)
{
	today *d = sc->data;
	return (act != UI_ACT_OK && act != UI_ACT_VISIT) || ui_list_current(&d->list) != NULL;
}

const ui_screen_ops ui_scr_home = {
	.id = UI_SCR_HOME,
	.open = today_open,
	.load = today_load,
	.drop = today_drop,
	.draw = today_draw,
	.key = today_key,
	.can = today_can,
	.close = today_close,
};
