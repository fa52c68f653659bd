/*
 * fieldvisit screens: one person.  Who (the resident ID partly masked,
 * categories in words, phone, village, household, the two contact
 * persons, status), the schedule on today's date with the reason of each
 * item, the past visits over time (date, form, score, band, length,
 * state), the open alerts and the referrals.  v starts a visit, Enter on
 * an alert opens it, h shows the household, a archives.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/rules.h"
#include "fieldvisit/store.h"
#include "ui_internal.h"

enum { G_INFO, G_SCHED, G_VISITS, G_ALERTS, G_REFERRALS, G_NONE };
enum { T_OTHER, T_ALERT };

static const ui_col info_cols[] = {
	{UI_NSTR, 0, 16, 0, 0},
	{UI_NSTR, 0, 0, 0, 0},
};
static const ui_col sched_cols[] = {
	{UI_S_COL_TYPE, 0, 10, 0, 0},
	{UI_S_COL_STATE, 0, 10, 0, 0},
	{UI_S_COL_WINDOW, 0, 21, 0, 0},
	{UI_S_COL_DONE, 0, 5, 1, 0},
	{UI_S_COL_WHY, 0, 0, 0, 0},
};
static const ui_col visit_cols[] = {
	{UI_S_COL_DATE, 0, 10, 0, 0},
	{UI_S_COL_FORM, 0, 24, 0, 0},
	{UI_S_COL_SCORE, 0, 6, 1, 0},
	{UI_S_COL_BAND, 0, 18, 0, 0},
	{UI_S_COL_MINUTES, 0, 6, 1, 0},
	{UI_S_COL_STATE, 0, 10, 0, 0},
	{UI_S_COL_SERVICES, 110, 0, 0, 0},
};
static const ui_col alert_cols[] = {
	{UI_S_COL_RAISED, 0, 10, 0, 0},
	{UI_S_COL_KIND, 0, 22, 0, 0},
	{UI_S_COL_STATE, 0, 10, 0, 0},
	{UI_S_COL_MESSAGE, 0, 0, 0, 0},
};
static const ui_col referral_cols[] = {
	{UI_S_COL_DATE, 0, 10, 0, 0},
	{UI_S_COL_REFERRED_TO, 0, 20, 0, 0},
	{UI_S_COL_FOLLOWUP_BY, 0, 10, 0, 0},
	{UI_S_COL_STATE, 0, 10, 0, 0},
	{UI_S_COL_OUTCOME, 0, 0, 0, 0},
};
static const ui_col none_cols[] = {{UI_NSTR, 0, 0, 0, 0}};

typedef struct person {
	char *id;
	int loaded;
	char error[UI_MSG_MAX];
	fv_person p;
	ui_list list;
	ui_forms forms;
	char *keep;
} person;

static void person_open(ui_screen *sc, void *arg)
{
	person *d = fv_xcalloc(1, sizeof *d);
	d->id = fv_xstrdup(arg);
	ui_list_init(&d->list);
	d->list.groups[G_INFO] = (ui_cols){info_cols, 2};
	d->list.groups[G_SCHED] = (ui_cols){sched_cols, 5};
	d->list.groups[G_VISITS] = (ui_cols){visit_cols, 7};
	d->list.groups[G_ALERTS] = (ui_cols){alert_cols, 4};
	d->list.groups[G_REFERRALS] = (ui_cols){referral_cols, 5};
	d->list.groups[G_NONE] = (ui_cols){none_cols, 1};
	sc->data = d;
}

static void person_drop(ui_screen *sc)
{
	person *d = sc->data;
	const ui_row *r = ui_list_current(&d->list);
	if (r && r->id && !d->keep)
		d->keep = fv_xstrdup(r->id);
	ui_list_reset(&d->list);
	ui_forms_release(&d->forms);
	if (d->loaded)
		fv_person_release(&d->p);
	d->loaded = 0;
}

static void person_close(ui_screen *sc)
{
	person *d = sc->data;
	person_drop(sc);
	free(d->keep);
	free(d->id);
	free(d);
}

/* ---- building the rows ---- */

static const char *keep(person *d, char *s)
{
	return ui_list_keep(&d->list, s);
}

static void heading(person *d, const ui *u, char *text)
{
	const char *cell = keep(d, text);
	if (d->list.n)
		ui_list_add(&d->list, u, UI_ROW_TEXT, G_NONE, 0, NULL, NULL, 0);
	ui_list_add(&d->list, u, UI_ROW_HEADING, G_NONE, 0, NULL, &cell, 1);
}

static void none(person *d, const ui *u)
{
	const char *cell = ui_tr(u, UI_S_TODAY_NONE);
	ui_list_add(&d->list, u, UI_ROW_TEXT, G_NONE, 0, NULL, &cell, 1)->attr = UI_DIM;
}

static void info(person *d, const ui *u, ui_str label, const char *value)
{
	const char *cells[] = {ui_tr(u, label), *value ? value : "-"};
	ui_list_add(&d->list, u, UI_ROW_TEXT, G_INFO, 0, NULL, cells, 2);
}

/* "name phone", or "" when neither is given. */
static const char *contact(person *d, int k)
{
	const fv_person *p = &d->p;
	return keep(d, fv_xasprintf("%s%s%s", p->contact_name[k],
				    *p->contact_name[k] && *p->contact_phone[k] ? "  " : "",
				    p->contact_phone[k]));
}

static void add_info(person *d, const ui *u, int32_t day)
{
	const fv_person *p = &d->p;
	char id[64], age[16];
	int a = ui_age(p->birth, day);
	snprintf(age, sizeof age, "%d", a);
	ui_mask_id(p->resident_id, id);
	heading(d, u, ui_trf(u, UI_S_PERSON_WHO, p->name,
			     ui_tr(u, strcmp(p->sex, "male") == 0 ? UI_S_SEX_MALE : UI_S_SEX_FEMALE),
			     a >= 0 ? age : "?", NULL));
	info(d, u, UI_S_PERSON_RESIDENT_ID, keep(d, fv_xstrdup(id)));
	info(d, u, UI_S_PERSON_BIRTH, p->birth);
	info(d, u, UI_S_PERSON_CATEGORIES, keep(d, ui_categories(u, p->categories)));
	info(d, u, UI_S_PERSON_PHONE, p->phone);
	info(d, u, UI_S_PERSON_VILLAGE, p->village);
	info(d, u, UI_S_PERSON_HOUSEHOLD, p->household);
	info(d, u, UI_S_PERSON_CONTACT1, contact(d, 0));
	info(d, u, UI_S_PERSON_CONTACT2, contact(d, 1));
	if (strcmp(p->status, "active") == 0)
		info(d, u, UI_S_PERSON_STATUS, ui_status_word(u, p->status));
	else
		info(d, u, UI_S_PERSON_STATUS,
		     keep(d, ui_trf(u, UI_S_PERSON_ARCHIVED, ui_status_word(u, p->status),
				    p->status_date, p->status_reason, NULL)));
}

static fv_status add_schedule(person *d, ui *u, int32_t day, fv_errors *err)
{
	fv_schedule_facts f;
	int y, m, dd;
	int32_t since;
	fv_date_to_ymd(day, &y, &m, &dd);
	(void)fv_date_from_ymd(y - 2, 1, 1, &since);   /* as `visit list --due` */
	fv_status st = fv_store_schedule_facts(u->store, d->id, since, &f, err);
	if (st != FV_OK)
		return st;
	fv_schedule s = {0};
	if (f.n == 1)
		fv_schedule_person(u->rules, &f.people[0], day, &s);
	heading(d, u, fv_xstrdup(ui_tr(u, UI_S_PERSON_SCHEDULE)));
	if (s.n)
		ui_list_add(&d->list, u, UI_ROW_TITLES, G_SCHED, 0, NULL, NULL, 0);
	else
		none(d, u);
	for (size_t k = 0; k < s.n; k++) {
		const fv_sched_item *it = &s.items[k];
		char from[16], due[16];
		fv_date_format(it->from, from);
		fv_date_format(it->due, due);
		const char *cells[] = {
			ui_sched_type_word(u, it->type), ui_sched_state_word(u, it->state),
			keep(d, fv_xasprintf("%s~%s", from, due)),
			keep(d, fv_xasprintf("%d/%d", it->done, it->needed)),
			keep(d, ui_sched_why(u, u->rules, it,
					     it->form_id ? ui_form_name(u, &d->forms, it->form_id)
							 : NULL)),
		};
		ui_row *r = ui_list_add(&d->list, u, UI_ROW_ITEM, G_SCHED, T_OTHER, NULL, cells, 5);
		if (it->state == FV_SCHED_OVERDUE)
			r->attr = UI_ERROR;
		else if (it->state == FV_SCHED_DONE || it->state == FV_SCHED_UPCOMING)
			r->attr = UI_DIM;
	}
	fv_schedule_release(&s);
	fv_schedule_facts_release(&f);
	return FV_OK;
}

static fv_status add_visits(person *d, ui *u, fv_errors *err)
{
	fv_visit_query q = {.person = d->id};
	fv_visit *v;
	size_t n;
	char num[24];
	fv_status st = fv_visit_list(u->store, &q, &v, &n, err);
	if (st != FV_OK)
		return st;
	snprintf(num, sizeof num, "%zu", n);
	heading(d, u, ui_trf(u, UI_S_PERSON_VISITS, num, NULL));
	if (n)
		ui_list_add(&d->list, u, UI_ROW_TITLES, G_VISITS, 0, NULL, NULL, 0);
	else
		none(d, u);
	for (size_t i = n; i-- > 0;) {   /* the latest first */
		const fv_visit *x = &v[i];
		const char *date = *x->visit_date ? x->visit_date
				 : keep(d, fv_xstrndup(*x->checkin ? x->checkin : x->created_at, 10));
		char *services = fv_xstrdup(x->services);
		const char *cells[] = {
			date, ui_form_name(u, &d->forms, x->form_id),
			isnan(x->score) ? "" : keep(d, fv_xasprintf("%g", x->score)), x->band,
			x->duration >= 0 ? keep(d, fv_xasprintf("%d", x->duration)) : "",
			ui_visit_state_word(u, (int)x->state), keep(d, services),
		};
		ui_list_add(&d->list, u, UI_ROW_ITEM, G_VISITS, T_OTHER, x->id, cells, 7);
	}
	fv_visit_list_free(v, n);
	return FV_OK;
}

static fv_status add_alerts(person *d, ui *u, fv_errors *err)
{
	fv_alert *a;
	fv_referral *r;
	size_t n, nr;
	fv_status st = fv_alert_list(u->store, d->id, 1, &a, &n, err);
	if (st != FV_OK)
		return st;
	heading(d, u, fv_xstrdup(ui_tr(u, UI_S_PERSON_ALERTS)));
	if (n)
		ui_list_add(&d->list, u, UI_ROW_TITLES, G_ALERTS, 0, NULL, NULL, 0);
	else
		none(d, u);
	for (size_t i = 0; i < n; i++) {
		const char *cells[] = {
			keep(d, fv_xstrndup(a[i].raised_at, 10)), ui_alert_kind_word(u, a[i].kind),
			ui_alert_state_word(u, a[i].state), ui_alert_text(u, &d->forms, &a[i]),
		};
		ui_list_add(&d->list, u, UI_ROW_ITEM, G_ALERTS, T_ALERT, a[i].id, cells, 4)->attr =
			UI_ERROR;
	}
	fv_alert_list_free(a, n);
	if ((st = fv_referral_list(u->store, d->id, &r, &nr, err)) != FV_OK)
		return st;
	heading(d, u, fv_xstrdup(ui_tr(u, UI_S_PERSON_REFERRALS)));
	if (nr)
		ui_list_add(&d->list, u, UI_ROW_TITLES, G_REFERRALS, 0, NULL, NULL, 0);
	else
		none(d, u);
	for (size_t i = 0; i < nr; i++) {
		const char *cells[] = {
			r[i].referred_on, r[i].referred_to, r[i].follow_up_on,
			ui_tr(u, strcmp(r[i].state, "open") == 0 ? UI_S_ALERT_OPEN : UI_S_ALERT_CLOSED),
			r[i].outcome,
		};
		for (int c = 0; c < 5; c++)
			cells[c] = keep(d, fv_xstrdup(cells[c]));
		ui_list_add(&d->list, u, UI_ROW_ITEM, G_REFERRALS, T_OTHER, r[i].id, cells, 5);
	}
	fv_referral_list_free(r, nr);
	return FV_OK;
}

static void person_load(ui_screen *sc)
{
	ui *u = sc->u;
	person *d = sc->data;
	int32_t day = ui_today();
	fv_errors err;
	fv_status st;

	person_drop(sc);
	fv_errors_init(&err);
	d->error[0] = '\0';
	st = fv_person_get(u->store, d->id, &d->p, &err);
	if (st == FV_OK) {
		d->loaded = 1;
		add_info(d, u, day);
		st = add_schedule(d, u, day, &err);
	}
	if (st == FV_OK)
		st = add_visits(d, u, &err);
	if (st == FV_OK)
		st = add_alerts(d, u, &err);
	if (st != FV_OK) {
		snprintf(d->error, sizeof d->error, "%s", err.n ? err.lines[0] : "");
		person_drop(sc);
	} else {
		ui_list_select(&d->list, d->keep);
	}
	free(d->keep);
	d->keep = NULL;
	fv_errors_release(&err);
}

static void person_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	person *d = sc->data;
	if (!d->loaded) {
		char *text = ui_trf(u, UI_S_HOME_LOAD_FAILED, d->error, NULL);
		ui_wrapped(u, body, 0, UI_ERROR, text);
		free(text);
		return;
	}
	ui_list_draw(u, &d->list, body);
}

static int active(const person *d)
{
	return d->loaded && strcmp(d->p.status, "active") == 0;
}

static int person_key(ui_screen *sc, int key, ui_action act)
{
	ui *u = sc->u;
	person *d = sc->data;
	const ui_row *r = ui_list_current(&d->list);
	(void)key;
	if (ui_list_key(&d->list, act))
		return 1;
	switch (act) {
	case UI_ACT_OK:
		if (r && r->tag == T_ALERT)
			ui_alert_open(u, r->id);
		return 1;
	case UI_ACT_VISIT:
		if (active(d))
			ui_visit_start(u, d->id);
		return 1;
	case UI_ACT_HOUSEHOLD:
		if (d->loaded && *d->p.household)
			ui_push(u, &ui_scr_people, d->p.household);
		return 1;
	case UI_ACT_ARCHIVE:
		if (active(d))
			ui_push(u, &ui_scr_archive, d->id);
		return 1;
	default:
		return 0;
	}
}

static int person_can(ui_screen *sc, ui_action act)
{
	person *d = sc->data;
	const ui_row *r = ui_list_current(&d->list);
	switch (act) {
	case UI_ACT_OK:
		return r && r->tag == T_ALERT;
	case UI_ACT_VISIT:
	case UI_ACT_ARCHIVE:
		return active(d);
	case UI_ACT_HOUSEHOLD:
		return d->loaded && *d->p.household;
	default:
		return 1;
	}
}

const ui_screen_ops ui_scr_person = {
	.id = UI_SCR_PERSON,
	.open = person_open,
	.load = person_load,
	.drop = person_drop,
	.draw = person_draw,
	.key = person_key,
	.can = person_can,
	.close = person_close,
};
