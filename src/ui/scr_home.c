/*
 * fieldvisit screens: home.  Who is working, today's date, and what the
 * store holds -- people served, drafts, visits returned for correction --
 * read from the store each time the screen shows.  The counts go to the
 * title bar too.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fieldvisit/store.h"
#include "ui_internal.h"

typedef struct home {
	int loaded;
	size_t people, drafts, returned;
	char error[UI_MSG_MAX];
} home;

static void home_open(ui_screen *sc, void *arg)
{
	(void)arg;
	sc->data = fv_xcalloc(1, sizeof(home));
}

static void home_close(ui_screen *sc)
{
	free(sc->data);
}

static fv_status count_visits(fv_store *s, fv_visit_state state, size_t *n, fv_errors *err)
{
	fv_visit_query q = {NULL, FV_VISIT_BIT(state)};
	fv_visit *v;
	fv_status st = fv_visit_list(s, &q, &v, n, err);
	if (st == FV_OK)
		fv_visit_list_free(v, *n);
	return st;
}

static void home_load(ui_screen *sc)
{
	ui *u = sc->u;
	home *d = sc->data;
	fv_person_query active = {.status = "active"};
	fv_person *p;
	fv_errors err;
	fv_status st;

	fv_errors_init(&err);
	d->loaded = 0;
	d->error[0] = '\0';
	st = fv_person_list(u->store, &active, &p, &d->people, &err);
	if (st == FV_OK)
		fv_person_list_free(p, d->people);
	if (st == FV_OK)
		st = count_visits(u->store, FV_VISIT_DRAFT, &d->drafts, &err);
	if (st == FV_OK)
		st = count_visits(u->store, FV_VISIT_RETURNED, &d->returned, &err);
	if (st == FV_OK)
		d->loaded = 1;
	else
		snprintf(d->error, sizeof d->error, "%s", err.n ? err.lines[0] : "");
	fv_errors_release(&err);
}

static void home_drop(ui_screen *sc)
{
	home *d = sc->data;
	d->loaded = 0;
	d->people = d->drafts = d->returned = 0;
}

static void home_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	home *d = sc->data;
	char date[16], *text;
	int y = body->y;

	/* the title bar's counts, in the language of the moment */
	if (d->loaded) {
		char people[24], drafts[24];
		snprintf(people, sizeof people, "%zu", d->people);
		snprintf(drafts, sizeof drafts, "%zu", d->drafts);
		text = ui_trf(u, UI_S_HOME_COUNTS, people, drafts, NULL);
		snprintf(u->counts, sizeof u->counts, "%s", text);
		free(text);
	}
	const char *role = ui_tr(u, fv_store_role(u->store) == FV_ROLE_SUPERVISOR
					    ? UI_S_ROLE_SUPERVISOR
					    : UI_S_ROLE_WORKER);
	text = ui_trf(u, UI_S_HOME_HELLO,
		      u->demo ? ui_tr(u, UI_S_DEMO_NAME) : fv_store_name(u->store), role, NULL);
	ui_text(u, y++, body->x, body->w, UI_HEADING, text);
	free(text);
	fv_date_format((int32_t)floor(fv_clock_now() / 86400.0), date);
	text = ui_trf(u, UI_S_HOME_TODAY, date, NULL);
	ui_text(u, y++, body->x, body->w, UI_NORMAL, text);
	free(text);
	y++;
	if (!d->loaded) {
		text = ui_trf(u, UI_S_HOME_LOAD_FAILED, d->error, NULL);
		ui_rect r = {y, body->x, body->h - (y - body->y), body->w};
		ui_wrapped(u, &r, 0, UI_ERROR, text);
		free(text);
		return;
	}
	static const ui_str labels[] = {UI_S_HOME_PEOPLE, UI_S_HOME_DRAFTS, UI_S_HOME_RETURNED};
	size_t values[] = {d->people, d->drafts, d->returned};
	int lw = 0;
	for (size_t i = 0; i < 3; i++) {
		int w = (int)ui_width(ui_tr(u, labels[i]));
		lw = w > lw ? w : lw;
	}
	for (size_t i = 0; i < 3; i++, y++) {
		ui_text(u, y, body->x, lw + 2, UI_NORMAL, ui_tr(u, labels[i]));
		ui_number(u, y, body->x + lw + 2, 8, UI_NORMAL, (long)values[i]);
	}
	if (u->demo) {
		ui_rect r = {y + 1, body->x, body->h - (y + 1 - body->y), body->w};
		ui_wrapped(u, &r, 0, UI_DIM, ui_tr(u, UI_S_HOME_DEMO));
	}
}

/* v: a visit of the first person of the list (by village, then name):
 * the way to the visit screens from here. */
static void visit_first(ui *u)
{
	fv_person_query active = {.status = "active"};
	fv_person *p;
	size_t n;
	fv_errors err;
	fv_errors_init(&err);
	if (fv_person_list(u->store, &active, &p, &n, &err) != FV_OK) {
		ui_say(u, 1, UI_S_HOME_LOAD_FAILED, err.n ? err.lines[0] : "", NULL);
	} else {
		if (n)
			ui_visit_start(u, p[0].id);
		else
			ui_say(u, 1, UI_S_VISIT_NO_PERSON, NULL);
		fv_person_list_free(p, n);
	}
	fv_errors_release(&err);
}

static int home_key(ui_screen *sc, int key, ui_action act)
{
	(void)key;
	switch (act) {
	case UI_ACT_SETTINGS: ui_push(sc->u, &ui_scr_settings, NULL); return 1;
	case UI_ACT_VISIT: visit_first(sc->u); return 1;
	case UI_ACT_REGISTER: ui_register_start(sc->u); return 1;
	default: return 0;
	}
}

const ui_screen_ops ui_scr_home = {
	.id = UI_SCR_HOME,
	.open = home_open,
	.load = home_load,
	.drop = home_drop,
	.draw = home_draw,
	.key = home_key,
	.close = home_close,
};
