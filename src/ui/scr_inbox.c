/*
 * fieldvisit screens: the supervisor's inbox, review and return.
 *
 * inbox lists the visits that came in from the workers (fv_visit_list:
 * received, approved, returned), sorted by worker (fv_store_worker_name),
 * village, date and check-in, so that each worker's visits, village by
 * village, stand together.  Filters, each a key that cycles: f the state
 * (received, approved, returned, all), t the form (all, then each form
 * installed), d the dates (any, the last 7 days, this month, last month),
 * ! only the visits that raised an alert.  The counts of each state under
 * the other filters are above the list (fv_visit_count).  At most
 * INBOX_MAX visits are read, the most recently dated; a line says so when
 * there are more, so a store of a year's visits opens at once.  Enter
 * opens the review of the line.
 *
 * review shows one visit: the person, the worker, the state, check-in,
 * check-out and minutes, score, band and alerts, the decisions taken on it
 * (fv_review_list), then every answer with its label and its choice labels
 * in the screen's language (the form loaded at the version the visit was
 * made with).  a approves and r opens return, where the comment is typed
 * (required); both go through fv_visit_review, which queues the decision
 * for the worker's next down-bundle.  n opens the next visit still
 * received in the inbox's order, at once.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/forms.h"
#include "fieldvisit/store.h"
#include "ui_internal.h"

/* ------------------------------------------------------------------ */
/* inbox                                                               */

enum { G_VISITS, G_NONE };
enum { F_RECEIVED, F_APPROVED, F_RETURNED, F_ALL, F_N };
enum { D_ANY, D_WEEK, D_MONTH, D_LAST_MONTH, D_N };
#define INBOX_MAX 1000

static const ui_col visit_cols[] = {
	{UI_S_COL_WORKER, 0, 10, 0, 0},
	{UI_S_COL_VILLAGE, 0, 10, 0, 0},
	{UI_S_COL_NAME, 0, 10, 0, 0},
	{UI_S_COL_DATE, 0, 10, 0, 0},
	{UI_S_COL_FORM, 0, 14, 0, 0},
	{UI_S_COL_SCORE, 0, 5, 1, 0},
	{UI_S_COL_STATE, 0, 8, 0, 0},
	{UI_S_COL_ALERTS, 0, 0, 0, 0},
};
static const ui_col none_cols[] = {{UI_NSTR, 0, 0, 0, 0}};

/* One visit of the inbox with the words it is shown with. */
typedef struct inbox_item {
	fv_visit *v;
	char *worker, *name, *village, *alerts;   /* alerts in words */
} inbox_item;

typedef struct inbox {
	int loaded;
	char error[UI_MSG_MAX];
	fv_visit *all;
	size_t n;
	inbox_item *items;    /* sorted: worker, village, date, check-in */
	size_t count[F_N];
	size_t matching;      /* in the state shown (n is at most INBOX_MAX) */
	int filter;
	int form;             /* -1 all, else form_ids[form] */
	int dates;            /* D_* */
	int alerts;           /* only visits with alerts */
	char **form_ids, **form_versions;
	size_t nforms;
	ui_forms forms;
	ui_list list;
} inbox;

static void inbox_open(ui_screen *sc, void *arg)
{
	inbox *d = fv_xcalloc(1, sizeof *d);
	(void)arg;
	d->form = -1;
	ui_list_init(&d->list);
	d->list.groups[G_VISITS] = (ui_cols){visit_cols, 8};
	d->list.groups[G_NONE] = (ui_cols){none_cols, 1};
	sc->data = d;
}

static void inbox_drop(ui_screen *sc)
{
	inbox *d = sc->data;
	ui_list_reset(&d->list);
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].worker);
		free(d->items[i].name);
		free(d->items[i].village);
		free(d->items[i].alerts);
	}
	free(d->items);
	d->items = NULL;
	fv_visit_list_free(d->all, d->n);
	d->all = NULL;
	d->n = 0;
	ui_forms_release(&d->forms);
	d->loaded = 0;
}

static void inbox_close(ui_screen *sc)
{
	inbox *d = sc->data;
	inbox_drop(sc);
	ui_list_release(&d->list);
	for (size_t i = 0; i < d->nforms; i++) {
		free(d->form_ids[i]);
		free(d->form_versions[i]);
	}
	free(d->form_ids);
	free(d->form_versions);
	free(d);
}

static int by_worker(const void *a, const void *b)
{
	const inbox_item *x = a, *y = b;
	int c = strcmp(x->worker, y->worker);
	if (!c)
		c = strcmp(x->village, y->village);
	if (!c)
		c = strcmp(x->v->visit_date, y->v->visit_date);
	if (!c)
		c = strcmp(x->v->checkin, y->v->checkin);
	if (!c)
		c = strcmp(x->v->id, y->v->id);
	return c;
}

/* The states of filter (F_*) as FV_VISIT_BIT()s. */
static unsigned filter_states(int filter)
{
	static const fv_visit_state of[] = {FV_VISIT_RECEIVED, FV_VISIT_APPROVED,
					    FV_VISIT_RETURNED};
	if (filter == F_ALL)
		return FV_VISIT_BIT(FV_VISIT_RECEIVED) | FV_VISIT_BIT(FV_VISIT_APPROVED) |
		       FV_VISIT_BIT(FV_VISIT_RETURNED);
	return FV_VISIT_BIT(of[filter]);
}

/* The first and last day of the dates filter (D_*), as text. */
static void dates_range(int dates, char from[16], char to[16])
{
	int32_t today = ui_today(), first = today, last = today;
	int y, m, day;
	fv_date_to_ymd(today, &y, &m, &day);
	switch (dates) {
	case D_WEEK:
		first = today - 6;
		break;
	case D_MONTH:
		(void)fv_date_from_ymd(y, m, 1, &first);
		break;
	case D_LAST_MONTH:
		(void)fv_date_from_ymd(m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1, 1, &first);
		(void)fv_date_from_ymd(y, m, 1, &last);
		last--;
		break;
	default:
		break;
	}
	fv_date_format(first, from);
	fv_date_format(last, to);
}

static void rebuild(inbox *d, ui *u, const char *keep)
{
	size_t rows = 0;
	ui_list_reset(&d->list);
	ui_list_add(&d->list, u, UI_ROW_TITLES, G_VISITS, 0, NULL, NULL, 0);
	for (size_t i = 0; i < d->n; i++) {
		const inbox_item *it = &d->items[i];
		char score[32] = "";
		if (!isnan(it->v->score))
			snprintf(score, sizeof score, "%g", it->v->score);
		const char *cells[] = {
			it->worker, it->village, it->name, it->v->visit_date,
			ui_form_name(u, &d->forms, it->v->form_id), score,
			ui_visit_state_word(u, (int)it->v->state), it->alerts,
		};
		ui_row *r = ui_list_add(&d->list, u, UI_ROW_ITEM, G_VISITS, 0, it->v->id, cells, 8);
		if (it->v->state != FV_VISIT_RECEIVED)
			r->attr = UI_DIM;
		else if (*it->v->alerts)
			r->attr = UI_ERROR;
		rows++;
	}
	if (!rows) {
		const char *cell = ui_tr(u, UI_S_INBOX_NONE);
		ui_list_add(&d->list, u, UI_ROW_TEXT, G_NONE, 0, NULL, &cell, 1)->attr = UI_DIM;
	}
	ui_list_select(&d->list, keep);
}

static void inbox_load(ui_screen *sc)
{
	ui *u = sc->u;
	inbox *d = sc->data;
	const ui_row *cur = ui_list_current(&d->list);
	char *keep = cur ? fv_xstrdup(cur->id) : NULL;
	char from[16], to[16];
	fv_visit_query q = {.states = filter_states(d->filter), .alerts = d->alerts,
			    .limit = INBOX_MAX};
	size_t counts[FV_VISIT_NSTATES];
	fv_errors err;

	inbox_drop(sc);
	fv_errors_init(&err);
	d->error[0] = '\0';
	if (!d->nforms &&   /* the forms to filter by; none is no filter */
	    fv_store_form_latest(u->store, &d->form_ids, &d->form_versions, &d->nforms, &err) !=
		    FV_OK)
		d->nforms = 0;
	if (d->form >= (int)d->nforms)
		d->form = -1;
	if (d->form >= 0)
		q.form = d->form_ids[d->form];
	if (d->dates != D_ANY) {
		dates_range(d->dates, from, to);
		q.from = from;
		q.to = to;
	}
	fv_errors_release(&err);
	fv_errors_init(&err);
	if (fv_visit_count(u->store, &q, counts, &err) != FV_OK ||
	    fv_visit_list(u->store, &q, &d->all, &d->n, &err) != FV_OK) {
		snprintf(d->error, sizeof d->error, "%s", err.n ? err.lines[0] : "");
		fv_errors_release(&err);
		free(keep);
		return;
	}
	d->count[F_RECEIVED] = counts[FV_VISIT_RECEIVED];
	d->count[F_APPROVED] = counts[FV_VISIT_APPROVED];
	d->count[F_RETURNED] = counts[FV_VISIT_RETURNED];
	d->matching = d->filter == F_ALL
			      ? d->count[F_RECEIVED] + d->count[F_APPROVED] + d->count[F_RETURNED]
			      : d->count[d->filter];
	d->items = fv_xcalloc(d->n ? d->n : 1, sizeof *d->items);
	for (size_t i = 0; i < d->n; i++) {
		inbox_item *it = &d->items[i];
		fv_person p;
		it->v = &d->all[i];
		it->worker = fv_store_worker_name(u->store, it->v->author);
		if (fv_person_get(u->store, it->v->person, &p, &err) == FV_OK) {
			it->name = fv_xstrdup(p.name);
			it->village = fv_xstrdup(p.village);
			fv_person_release(&p);
		} else {   /* not here (yet): its id says who */
			it->name = fv_xstrdup(it->v->person);
			it->village = fv_xstrdup("");
		}
		fv_buf al;
		fv_buf_init(&al);
		char *kinds = fv_xstrdup(it->v->alerts ? it->v->alerts : ""), *save = NULL;
		for (char *k = strtok_r(kinds, " ", &save); k; k = strtok_r(NULL, " ", &save))
			fv_buf_addf(&al, "%s%s", al.len ? ", " : "", ui_alert_kind_word(u, k));
		free(kinds);
		it->alerts = al.s ? al.s : fv_xstrdup("");
	}
	fv_errors_release(&err);
	qsort(d->items, d->n, sizeof *d->items, by_worker);
	d->loaded = 1;
	rebuild(d, u, keep);
	free(keep);
}

static const char *filter_word(const ui *u, int filter)
{
	static const fv_visit_state of[] = {FV_VISIT_RECEIVED, FV_VISIT_APPROVED,
					    FV_VISIT_RETURNED};
	return filter == F_ALL ? ui_tr(u, UI_S_INBOX_ALL) : ui_visit_state_word(u, (int)of[filter]);
}

static void inbox_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	inbox *d = sc->data;
	char n[3][24], *text;
	int y = body->y;
	if (!d->loaded) {
		text = ui_trf(u, UI_S_HOME_LOAD_FAILED, d->error, NULL);
		ui_wrapped(u, body, 0, UI_ERROR, text);
		free(text);
		u->counts[0] = '\0';
		return;
	}
	for (int i = 0; i < 3; i++)
		snprintf(n[i], sizeof n[i], "%zu", d->count[i]);
	text = ui_trf(u, UI_S_INBOX_COUNTS, n[0], n[1], n[2], filter_word(u, d->filter), NULL);
	ui_text(u, y++, body->x, body->w, UI_HEADING, text);
	free(text);
	static const ui_str date_words[D_N] = {UI_S_INBOX_ANY, UI_S_INBOX_WEEK, UI_S_INBOX_MONTH,
					       UI_S_INBOX_LAST_MONTH};
	const char *form = d->form >= 0 ? ui_form_name(u, &d->forms, d->form_ids[d->form])
					: ui_tr(u, UI_S_INBOX_ANY);
	text = ui_trf(u, UI_S_INBOX_FILTERS, form, ui_tr(u, date_words[d->dates]),
		      ui_tr(u, d->alerts ? UI_S_INBOX_WITH_ALERTS : UI_S_INBOX_ANY), NULL);
	ui_text(u, y++, body->x, body->w, UI_NORMAL, text);
	free(text);
	if (d->matching > d->n) {
		char a[24], b[24];
		snprintf(a, sizeof a, "%zu", d->n);
		snprintf(b, sizeof b, "%zu", d->matching);
		text = ui_trf(u, UI_S_INBOX_SHOWING, a, b, NULL);
		ui_text(u, y++, body->x, body->w, UI_DIM, text);
		free(text);
	}
	text = ui_trf(u, UI_S_INBOX_TITLE_COUNTS, n[0], NULL);
	snprintf(u->counts, sizeof u->counts, "%s", text);
	free(text);
	ui_rect r = {y + 1, body->x, body->h - (y + 1 - body->y), body->w};
	ui_list_draw(u, &d->list, &r);
}

static int inbox_key(ui_screen *sc, int key, ui_action act)
{
	ui *u = sc->u;
	inbox *d = sc->data;
	const ui_row *r = ui_list_current(&d->list);
	(void)key;
	if (ui_list_key(&d->list, act))
		return 1;
	switch (act) {
	case UI_ACT_OK:
		if (r)
			ui_push(u, &ui_scr_review, (void *)r->id);
		return 1;
	case UI_ACT_FILTER:
		d->filter = (d->filter + 1) % F_N;
		inbox_load(sc);
		return 1;
	case UI_ACT_FILTER_FORM:
		d->form = d->form + 1 < (int)d->nforms ? d->form + 1 : -1;
		inbox_load(sc);
		return 1;
	case UI_ACT_FILTER_DATES:
		d->dates = (d->dates + 1) % D_N;
		inbox_load(sc);
		return 1;
	case UI_ACT_FILTER_ALERTS:
		d->alerts = !d->alerts;
		inbox_load(sc);
		return 1;
	default:
		return 0;
	}
}

static int inbox_can(ui_screen *sc, ui_action act)
{
	inbox *d = sc->data;
	return act != UI_ACT_OK || ui_list_current(&d->list) != NULL;
}

const ui_screen_ops ui_scr_inbox = {
	.id = UI_SCR_INBOX,
	.open = inbox_open,
	.load = inbox_load,
	.drop = inbox_drop,
	.draw = inbox_draw,
	.key = inbox_key,
	.can = inbox_can,
	.close = inbox_close,
};

/* The id of the first visit after id in the inbox's order (wrapping
 * around) that is still received in the store, or NULL; caller frees. */
static char *next_received(ui *u, const char *id)
{
	inbox *d = NULL;
	size_t at = 0;
	for (int i = u->depth - 1; i >= 0 && !d; i--)
		if (u->stack[i].ops == &ui_scr_inbox)
			d = u->stack[i].data;
	if (!d || !d->loaded)
		return NULL;
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->items[i].v->id, id) == 0)
			at = i;
	for (size_t k = 1; k <= d->n; k++) {
		const fv_visit *v = d->items[(at + k) % d->n].v;
		fv_visit now;
		fv_errors err;
		int still;
		if (v->state != FV_VISIT_RECEIVED || strcmp(v->id, id) == 0)
			continue;
		/* reviewed here since the inbox was read? */
		fv_errors_init(&err);
		still = fv_visit_get(u->store, v->id, 0, &now, &err) == FV_OK;
		if (still) {
			still = now.state == FV_VISIT_RECEIVED;
			fv_visit_release(&now);
		}
		fv_errors_release(&err);
		if (still)
			return fv_xstrdup(v->id);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* review                                                              */

/* Which visit v is, in words: "NAME · VILLAGE · GAD-7 · 2026-11-19" (the
 * person's id when the person is not here). */
static char *visit_what(ui *u, const fv_visit *v)
{
	ui_forms forms = {0};
	fv_person p;
	fv_errors err;
	char *what;
	const char *form = ui_form_name(u, &forms, v->form_id);
	fv_errors_init(&err);
	if (fv_person_get(u->store, v->person, &p, &err) == FV_OK) {
		what = fv_xasprintf("%s · %s · %s · %s", p.name, p.village, form, v->visit_date);
		fv_person_release(&p);
	} else {
		what = fv_xasprintf("%s · %s · %s", v->person, form, v->visit_date);
	}
	fv_errors_release(&err);
	ui_forms_release(&forms);
	return what;
}

typedef struct review {
	char *id;
	int loaded;
	char error[UI_MSG_MAX];
	char *what;           /* which visit, in words */
	char *head;           /* person, worker, times, score, decisions */
	char *answers;        /* one line per answer */
	int scroll, lines, page;
	fv_visit_state state;
} review;

static void review_open(ui_screen *sc, void *arg)
{
	review *d = fv_xcalloc(1, sizeof *d);
	d->id = fv_xstrdup(arg);
	sc->data = d;
}

static void review_drop(ui_screen *sc)
{
	review *d = sc->data;
	free(d->what);
	free(d->head);
	free(d->answers);
	d->what = d->head = d->answers = NULL;
	d->loaded = 0;
}

static void review_close(ui_screen *sc)
{
	review *d = sc->data;
	review_drop(sc);
	free(d->id);
	free(d);
}

/* value (a choice name, or names separated by spaces for a
 * select_multiple) in words of field f. */
static void answer_words(const fv_form *form, const fv_field *f, int lang, const char *value,
			 fv_buf *out)
{
	if (!f->choices || (f->type != FV_Q_SELECT_ONE && f->type != FV_Q_SELECT_MULTIPLE)) {
		fv_buf_adds(out, value);
		return;
	}
	char *copy = fv_xstrdup(value), *save = NULL;
	int first = 1;
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		const fv_choice *c = fv_choice_find(f->choices, t);
		const char *label = c ? fv_text_get(form, &c->label, lang) : "";
		fv_buf_addf(out, "%s%s", first ? "" : ", ", *label ? label : t);
		first = 0;
	}
	free(copy);
}

/* The answers of v, one line each, in the order of the form. */
static void answer_lines(ui *u, const fv_visit *v, fv_buf *out)
{
	fv_form *form = NULL;
	fv_answers a = {0};
	fv_errors err;
	fv_errors_init(&err);
	if (!v->answers ||
	    fv_answers_parse("answers", v->answers, strlen(v->answers), &a, &err) != FV_OK) {
		fv_buf_adds(out, ui_tr(u, UI_S_REVIEW_NO_ANSWERS));
		fv_errors_release(&err);
		return;
	}
	if (fv_store_form_load_version(u->store, v->form_id, v->form_version, &form, &err) !=
	    FV_OK)
		form = NULL;
	fv_errors_release(&err);
	int lang = form ? ui_form_lang(u, form) : 0;
	int any = 0;
	/* in the form's order when it is here, else as kept */
	size_t n = form ? form->nfields : a.n;
	for (size_t i = 0; i < n; i++) {
		const fv_field *f = form ? &form->fields[i] : NULL;
		const char *name = f ? f->name : a.items[i].name, *value = NULL;
		for (size_t k = 0; k < a.n && !value; k++)
			if (strcmp(a.items[k].name, name) == 0)
				value = a.items[k].value;
		if (!value || !*value)
			continue;
		const char *label = f ? fv_text_get(form, &f->label, lang) : "";
		fv_buf words;
		fv_buf_init(&words);
		if (f)
			answer_words(form, f, lang, value, &words);
		else
			fv_buf_adds(&words, value);
		char *t = ui_trf(u, UI_S_REVIEW_ANSWER, *label ? label : name,
				 words.len ? words.s : "", NULL);
		fv_buf_addf(out, "%s%s", any ? "\n" : "", t);
		free(t);
		fv_buf_release(&words);
		any = 1;
	}
	if (!any)
		fv_buf_adds(out, ui_tr(u, UI_S_REVIEW_NO_ANSWERS));
	if (form)
		fv_form_free(form);
	fv_answers_release(&a);
}

/* A time as the screen shows it: "2026-11-19 09:00" from an ISO text. */
static void short_time(const char *iso, char out[32])
{
	if (!iso || !*iso) {
		snprintf(out, 32, "-");
		return;
	}
	snprintf(out, 32, "%.16s", iso);
	if (out[10] == 'T')
		out[10] = ' ';
}

static void review_load(ui_screen *sc)
{
	ui *u = sc->u;
	review *d = sc->data;
	fv_visit v;
	fv_errors err;
	fv_buf h, ans;

	review_drop(sc);
	fv_errors_init(&err);
	d->error[0] = '\0';
	if (fv_visit_get(u->store, d->id, 0, &v, &err) != FV_OK) {
		snprintf(d->error, sizeof d->error, "%s", err.n ? err.lines[0] : "");
		fv_errors_release(&err);
		return;
	}
	fv_buf_init(&h);
	fv_buf_init(&ans);
	d->state = v.state;

	/* who, where, which form */
	d->what = visit_what(u, &v);
	fv_buf_adds(&h, d->what);

	char *worker = fv_store_worker_name(u->store, v.author), *t;
	t = ui_trf(u, UI_S_REVIEW_WORKER, worker, ui_visit_state_word(u, (int)v.state), NULL);
	fv_buf_addf(&h, "\n%s", t);
	free(t);
	free(worker);

	char in[32], out[32], min[16] = "-";
	short_time(v.checkin, in);
	short_time(v.checkout, out);
	if (v.duration >= 0)
		snprintf(min, sizeof min, "%d", v.duration);
	t = ui_trf(u, UI_S_REVIEW_TIMES, in, out, min, NULL);
	fv_buf_addf(&h, "\n%s", t);
	free(t);

	/* the alerts in words */
	fv_buf al;
	fv_buf_init(&al);
	char *kinds = fv_xstrdup(v.alerts ? v.alerts : ""), *save = NULL;
	for (char *k = strtok_r(kinds, " ", &save); k; k = strtok_r(NULL, " ", &save))
		fv_buf_addf(&al, "%s%s", al.len ? ", " : "", ui_alert_kind_word(u, k));
	free(kinds);
	const char *alerts = al.len ? al.s : ui_tr(u, UI_S_REVIEW_NONE);
	if (!isnan(v.score)) {
		char score[32];
		snprintf(score, sizeof score, "%g", v.score);
		t = ui_trf(u, UI_S_REVIEW_SCORE, score, *v.band ? v.band : "-", alerts, NULL);
	} else {
		t = ui_trf(u, UI_S_REVIEW_NO_SCORE, alerts, NULL);
	}
	fv_buf_addf(&h, "\n%s", t);
	free(t);
	fv_buf_release(&al);

	/* the decisions taken on it */
	fv_review *rv = NULL;
	size_t nrv = 0;
	if (fv_review_list(u->store, d->id, &rv, &nrv, &err) == FV_OK) {
		for (size_t i = 0; i < nrv; i++) {
			fv_visit_state st = strcmp(rv[i].decision, "approved") == 0
						    ? FV_VISIT_APPROVED
						    : FV_VISIT_RETURNED;
			char on[16];
			snprintf(on, sizeof on, "%.10s", rv[i].reviewed_at ? rv[i].reviewed_at : "");
			if (rv[i].comment && *rv[i].comment)
				t = ui_trf(u, UI_S_REVIEW_DECISION, ui_visit_state_word(u, (int)st), on,
					   rv[i].comment, NULL);
			else
				t = ui_trf(u, UI_S_REVIEW_DECIDED, ui_visit_state_word(u, (int)st), on,
					   NULL);
			fv_buf_addf(&h, "\n%s", t);
			free(t);
		}
		fv_review_list_free(rv, nrv);
	}
	fv_errors_release(&err);

	answer_lines(u, &v, &ans);
	fv_visit_release(&v);
	d->head = h.s ? h.s : fv_xstrdup("");
	d->answers = ans.s ? ans.s : fv_xstrdup("");
	d->loaded = 1;
}

static void review_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	review *d = sc->data;
	u->counts[0] = '\0';
	if (!d->loaded) {
		char *text = ui_trf(u, UI_S_REVIEW_LOAD_FAILED, d->error, NULL);
		ui_wrapped(u, body, 0, UI_ERROR, text);
		free(text);
		return;
	}
	/* the head in full, the first line as a heading */
	const char *nl = strchr(d->head, '\n');
	char *first = fv_xstrndup(d->head, nl ? (size_t)(nl - d->head) : strlen(d->head));
	ui_text(u, body->y, body->x, body->w, UI_HEADING, first);
	free(first);
	ui_rect hr = {body->y + 1, body->x, body->h - 1, body->w};
	int hl = nl ? ui_wrapped(u, &hr, 0, UI_NORMAL, nl + 1) : 0;
	int y = body->y + 1 + hl + 1;
	if (y >= body->y + body->h - 1)
		return;
	ui_text(u, y, body->x, body->w, UI_HEADING, ui_tr(u, UI_S_REVIEW_ANSWERS));
	ui_rect ar = {y + 1, body->x, body->y + body->h - (y + 1), body->w};
	d->page = ar.h;
	if (d->scroll > 0 && d->scroll > d->lines - ar.h)
		d->scroll = d->lines - ar.h > 0 ? d->lines - ar.h : 0;
	d->lines = ui_wrapped(u, &ar, d->scroll, UI_NORMAL, d->answers);
}

static void say_error(ui *u, fv_errors *err)
{
	ui_say(u, 1, UI_S_REVIEW_FAILED, err->n ? err->lines[0] : "", NULL);
}

static int review_key(ui_screen *sc, int key, ui_action act)
{
	ui *u = sc->u;
	review *d = sc->data;
	int step = d->page > 1 ? d->page - 1 : 1;
	(void)key;
	switch (act) {
	case UI_ACT_UP: d->scroll -= 1; break;
	case UI_ACT_DOWN: d->scroll += 1; break;
	case UI_ACT_PGUP: d->scroll -= step; break;
	case UI_ACT_PGDN: d->scroll += step; break;
	case UI_ACT_APPROVE: {
		char rid[FV_ID_BYTES];
		fv_errors err;
		fv_errors_init(&err);
		if (fv_visit_review(u->store, d->id, "approved", NULL, rid, &err) == FV_OK) {
			review_load(sc);
			ui_say(u, 0, UI_S_REVIEW_APPROVED, d->what ? d->what : d->id, NULL);
		} else {
			say_error(u, &err);
		}
		fv_errors_release(&err);
		return 1;
	}
	case UI_ACT_RETURN:
		/* shown only while the visit is received (review_can) */
		ui_push(u, &ui_scr_return, d->id);
		return 1;
	case UI_ACT_NEXT_VISIT: {
		char *next = next_received(u, d->id);
		if (!next) {
			ui_say(u, 1, UI_S_REVIEW_NO_NEXT, NULL);
			return 1;
		}
		free(d->id);
		d->id = next;
		d->scroll = 0;
		review_load(sc);
		return 1;
	}
	default:
		return 0;
	}
	if (d->scroll > d->lines - d->page)
		d->scroll = d->lines - d->page;
	if (d->scroll < 0)
		d->scroll = 0;
	return 1;
}

static int review_can(ui_screen *sc, ui_action act)
{
	review *d = sc->data;
	if (act == UI_ACT_APPROVE || act == UI_ACT_RETURN)
		return d->loaded && d->state == FV_VISIT_RECEIVED;
	return 1;
}

const ui_screen_ops ui_scr_review = {
	.id = UI_SCR_REVIEW,
	.open = review_open,
	.load = review_load,
	.drop = review_drop,
	.draw = review_draw,
	.key = review_key,
	.can = review_can,
	.close = review_close,
};

/* ------------------------------------------------------------------ */
/* return: the comment of a return                                     */

typedef struct ret {
	char *id;
	char *who;
	ui_field comment;
} ret;

static void return_open(ui_screen *sc, void *arg)
{
	ret *d = fv_xcalloc(1, sizeof *d);
	d->id = fv_xstrdup(arg);
	ui_field_init(&d->comment, 0);
	sc->data = d;
}

static void return_load(ui_screen *sc)
{
	ui *u = sc->u;
	ret *d = sc->data;
	fv_visit v;
	fv_errors err;
	free(d->who);
	d->who = NULL;
	fv_errors_init(&err);
	if (fv_visit_get(u->store, d->id, 0, &v, &err) == FV_OK) {
		d->who = visit_what(u, &v);
		fv_visit_release(&v);
	}
	fv_errors_release(&err);
	if (!d->who)
		d->who = fv_xstrdup(d->id);
}

static void return_drop(ui_screen *sc)
{
	ret *d = sc->data;
	free(d->who);
	d->who = NULL;
}

static void return_close(ui_screen *sc)
{
	ret *d = sc->data;
	return_drop(sc);
	ui_field_release(&d->comment);
	free(d->id);
	free(d);
}

static void return_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	ret *d = sc->data;
	char *text = ui_trf(u, UI_S_RETURN_HOW, d->who ? d->who : "", NULL);
	int n = ui_wrapped(u, body, 0, UI_NORMAL, text);
	free(text);
	ui_field_draw(u, &d->comment, body->y + n + 1, body->x, body->w,
		      ui_tr(u, UI_S_RETURN_LABEL), 1);
}

static int return_key(ui_screen *sc, int key, ui_action act)
{
	ui *u = sc->u;
	ret *d = sc->data;
	if (act == UI_ACT_OK) {
		const char *t = d->comment.text;
		while (*t == ' ')
			t++;
		if (!*t) {
			ui_say(u, 1, UI_S_RETURN_EMPTY, NULL);
			return 1;
		}
		char rid[FV_ID_BYTES], *what = fv_xstrdup(d->who ? d->who : d->id);
		fv_errors err;
		fv_errors_init(&err);
		if (fv_visit_review(u->store, d->id, "returned", d->comment.text, rid, &err) ==
		    FV_OK) {
			ui_pop(u);   /* the review below reads the visit again */
			ui_say(u, 0, UI_S_REVIEW_RETURNED, what, NULL);
		} else {
			say_error(u, &err);
		}
		fv_errors_release(&err);
		free(what);
		return 1;
	}
	return ui_field_key(&d->comment, key, act);
}

const ui_screen_ops ui_scr_return = {
	.id = UI_SCR_RETURN,
	.open = return_open,
	.load = return_load,
	.drop = return_drop,
	.draw = return_draw,
	.key = return_key,
	.close = return_close,
};
