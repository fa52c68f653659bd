/*
 * fieldvisit screens: people, and find (its search as you type).
 *
 * people lists everyone of the ledger (village, name, age, categories,
 * last visit; the resident ID, partly masked, and the phone when the
 * screen is wide), or with a household id as its argument the people of
 * that household.  / opens find: a text field over the same list, which
 * keeps the people whose name, village or resident ID contains the text
 * typed, at each key, as ncdu and htop search.  Esc leaves find with the
 * list as found; Esc on the list clears the search, then goes back.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/store.h"
#include "ui_internal.h"

enum { G_PEOPLE, G_NONE };

static const ui_col people_cols[] = {
	{UI_S_COL_VILLAGE, 0, 12, 0, 0},
	{UI_S_COL_NAME, 0, 12, 0, 0},
	{UI_S_COL_AGE, 0, 4, 1, 0},
	{UI_S_COL_CATEGORIES, 0, 0, 0, 0},
	{UI_S_COL_LAST_VISIT, 0, 10, 0, 0},
	{UI_S_COL_STATUS, 0, 8, 0, 0},
	{UI_S_COL_RESIDENT_ID, 110, 18, 0, 0},
	{UI_S_COL_PHONE, 110, 11, 0, 0},
};
static const ui_col none_cols[] = {{UI_NSTR, 0, 0, 0, 0}};

typedef struct people {
	char *household;      /* the household shown; NULL: everyone */
	int loaded;
	char error[UI_MSG_MAX];
	fv_person *all;
	size_t n, shown;
	char **cats, **ages, **ids;   /* per person, in words */
	ui_field find;
	ui_list list;
	char *keep;           /* the id selected before a reload */
} people;

static void people_open(ui_screen *sc, void *arg)
{
	people *d = fv_xcalloc(1, sizeof *d);
	d->household = arg ? fv_xstrdup(arg) : NULL;
	ui_field_init(&d->find, 0);
	ui_list_init(&d->list);
	d->list.groups[G_PEOPLE] = (ui_cols){people_cols, 8};
	d->list.groups[G_NONE] = (ui_cols){none_cols, 1};
	sc->data = d;
}

static void people_drop(ui_screen *sc)
{
	people *d = sc->data;
	const ui_row *r = ui_list_current(&d->list);
	if (r && !d->keep)
		d->keep = fv_xstrdup(r->id);
	ui_list_reset(&d->list);
	for (size_t i = 0; i < d->n; i++) {
		free(d->cats[i]);
		free(d->ages[i]);
		free(d->ids[i]);
	}
	free(d->cats);
	free(d->ages);
	free(d->ids);
	d->cats = d->ages = d->ids = NULL;
	fv_person_list_free(d->all, d->n);
	d->all = NULL;
	d->n = d->shown = 0;
	d->loaded = 0;
}

static void people_close(ui_screen *sc)
{
	people *d = sc->data;
	people_drop(sc);
	ui_field_release(&d->find);
	free(d->household);
	free(d->keep);
	free(d);
}

/* Whether person p matches the search text t (upper: t with a-z
 * upper-cased, for IDs ending in X). */
static int matches(const fv_person *p, const char *t, const char *upper)
{
	return !*t || strstr(p->name, t) || strstr(p->village, t) || strstr(p->resident_id, upper);
}

/* Make the rows of the people that match the search, keeping the
 * selection on the same person when it is still there. */
static void rebuild(people *d, const ui *u)
{
	const ui_row *r = ui_list_current(&d->list);
	char *keep = d->keep ? d->keep : r ? fv_xstrdup(r->id) : NULL;
	char *upper = fv_xstrdup(d->find.text);
	for (char *c = upper; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	d->keep = NULL;
	ui_list_reset(&d->list);
	d->shown = 0;
	ui_list_add(&d->list, u, UI_ROW_TITLES, G_PEOPLE, 0, NULL, NULL, 0);
	for (size_t i = 0; i < d->n; i++) {
		const fv_person *p = &d->all[i];
		if (!matches(p, d->find.text, upper))
			continue;
		int active = strcmp(p->status, "active") == 0;
		const char *cells[] = {
			p->village, p->name, d->ages[i], d->cats[i], p->last_visit,
			active ? "" : ui_status_word(u, p->status), d->ids[i], p->phone,
		};
		ui_row *row = ui_list_add(&d->list, u, UI_ROW_ITEM, G_PEOPLE, 0, p->id, cells, 8);
		if (!active)
			row->attr = UI_DIM;
		d->shown++;
	}
	if (!d->shown) {
		const char *cell = ui_tr(u, *d->find.text ? UI_S_PEOPLE_NO_MATCH : UI_S_PEOPLE_NONE);
		ui_list_add(&d->list, u, UI_ROW_TEXT, G_NONE, 0, NULL, &cell, 1)->attr = UI_DIM;
	}
	ui_list_select(&d->list, keep);
	free(keep);
	free(upper);
}

static void people_load(ui_screen *sc)
{
	ui *u = sc->u;
	people *d = sc->data;
	fv_person_query q = {.household = d->household};
	fv_errors err;
	int32_t day = ui_today();

	people_drop(sc);
	fv_errors_init(&err);
	d->error[0] = '\0';
	if (fv_person_list(u->store, &q, &d->all, &d->n, &err) != FV_OK) {
		snprintf(d->error, sizeof d->error, "%s", err.n ? err.lines[0] : "");
		fv_errors_release(&err);
		return;
	}
	fv_errors_release(&err);
	d->cats = fv_xcalloc(d->n ? d->n : 1, sizeof *d->cats);
	d->ages = fv_xcalloc(d->n ? d->n : 1, sizeof *d->ages);
	d->ids = fv_xcalloc(d->n ? d->n : 1, sizeof *d->ids);
	for (size_t i = 0; i < d->n; i++) {
		char id[64];
		int age = ui_age(d->all[i].birth, day);
		d->cats[i] = ui_categories(u, d->all[i].categories);
		d->ages[i] = age >= 0 ? fv_xasprintf("%d", age) : fv_xstrdup("");
		ui_mask_id(d->all[i].resident_id, id);
		d->ids[i] = fv_xstrdup(id);
	}
	d->loaded = 1;
	rebuild(d, u);
}

/* The line above the list: how many, which household, what is searched. */
static void draw_summary(ui *u, people *d, int y, const ui_rect *body)
{
	char n[24], shown[24], *text;
	snprintf(n, sizeof n, "%zu", d->n);
	snprintf(shown, sizeof shown, "%zu", d->shown);
	if (d->household) {
		const char *village = d->n ? d->all[0].village : "";
		text = ui_trf(u, UI_S_PEOPLE_HOUSEHOLD, d->household, village, n, NULL);
	} else if (*d->find.text) {
		text = ui_trf(u, UI_S_PEOPLE_FOUND, d->find.text, shown, n, NULL);
	} else {
		text = ui_trf(u, UI_S_PEOPLE_COUNT, n, NULL);
	}
	ui_text(u, y, body->x, body->w, UI_HEADING, text);
	free(text);
}

static void draw_list(ui *u, people *d, const ui_rect *body, int finding)
{
	int y = body->y;
	if (!d->loaded) {
		char *text = ui_trf(u, UI_S_HOME_LOAD_FAILED, d->error, NULL);
		ui_wrapped(u, body, 0, UI_ERROR, text);
		free(text);
		return;
	}
	if (finding)
		ui_field_draw(u, &d->find, y++, body->x, body->w, ui_tr(u, UI_S_PEOPLE_FIND), 1);
	else
		draw_summary(u, d, y++, body);
	ui_rect r = {y + 1, body->x, body->h - (y + 1 - body->y), body->w};
	ui_list_draw(u, &d->list, &r);
}

static void people_draw(ui_screen *sc, const ui_rect *body)
{
	draw_list(sc->u, sc->data, body, 0);
}

/* What the keys of a person do on people and find: open, household,
 * archive. */
static int person_keys(ui *u, people *d, ui_action act)
{
	const ui_row *r = ui_list_current(&d->list);
	if (ui_list_key(&d->list, act))
		return 1;
	switch (act) {
	case UI_ACT_OK:
		if (r)
			ui_push(u, &ui_scr_person, (void *)r->id);
		return 1;
	default:
		return 0;
	}
}

/* The person of the selected row. */
static const fv_person *selected(people *d)
{
	const ui_row *r = ui_list_current(&d->list);
	for (size_t i = 0; r && i < d->n; i++)
		if (strcmp(d->all[i].id, r->id) == 0)
			return &d->all[i];
	return NULL;
}

static int people_key(ui_screen *sc, int key, ui_action act)
{
	ui *u = sc->u;
	people *d = sc->data;
	const fv_person *p = selected(d);
	(void)key;
	if (person_keys(u, d, act))
		return 1;
	switch (act) {
	case UI_ACT_FIND:
		ui_push(u, &ui_scr_find, NULL);
		return 1;
	case UI_ACT_BACK:
		if (!*d->find.text)
			return 0;
		ui_field_clear(&d->find);
		rebuild(d, u);
		return 1;
	case UI_ACT_HOUSEHOLD:
		if (p && *p->household)
			ui_push(u, &ui_scr_people, p->household);
		else if (p)
			ui_say(u, 1, UI_S_PEOPLE_NO_HOUSEHOLD, NULL);
		return 1;
	case UI_ACT_ARCHIVE:
		if (p && strcmp(p->status, "active") == 0)
			ui_push(u, &ui_scr_archive, p->id);
		else if (p)
			ui_say(u, 1, UI_S_ARCHIVE_ALREADY, ui_status_word(u, p->status), NULL);
		return 1;
	case UI_ACT_REGISTER:
		ui_register_start(u);
		return 1;
	default:
		return 0;
	}
}

static int people_can(ui_screen *sc, ui_action act)
{
	people *d = sc->data;
	switch (act) {
	case UI_ACT_OK:
	case UI_ACT_ARCHIVE:
		return ui_list_current(&d->list) != NULL;
	case UI_ACT_HOUSEHOLD:
		return !d->household && ui_list_current(&d->list) != NULL;
	case UI_ACT_FIND:
		return !d->household;
	default:
		return 1;
	}
}

const ui_screen_ops ui_scr_people = {
	.id = UI_SCR_PEOPLE,
	.open = people_open,
	.load = people_load,
	.drop = people_drop,
	.draw = people_draw,
	.key = people_key,
	.can = people_can,
	.close = people_close,
};

/* ------------------------------------------------------------------ */
/* find: the search field over the list of the people screen below     */

static people *below(ui_screen *sc)
{
	ui *u = sc->u;
	for (int i = u->depth - 1; i >= 0; i--)
		if (u->stack[i].ops == &ui_scr_people)
			return u->stack[i].data;
	abort();   /* find is only opened over people */
}

/* After an unlock with find on top, the list below is loaded again. */
static void find_load(ui_screen *sc)
{
	ui *u = sc->u;
	for (int i = u->depth - 1; i >= 0; i--)
		if (u->stack[i].ops == &ui_scr_people) {
			if (!((people *)u->stack[i].data)->loaded)
				people_load(&u->stack[i]);
			return;
		}
}

static void find_draw(ui_screen *sc, const ui_rect *body)
{
	draw_list(sc->u, below(sc), body, 1);
}

static int find_key(ui_screen *sc, int key, ui_action act)
{
	ui *u = sc->u;
	people *d = below(sc);
	if (act == UI_ACT_OK) {
		const ui_row *r = ui_list_current(&d->list);
		char *id = r ? fv_xstrdup(r->id) : NULL;
		ui_pop(u);   /* the list, as found, is under the person */
		if (id)
			ui_push(u, &ui_scr_person, id);
		free(id);
		return 1;
	}
	if (person_keys(u, d, act))
		return 1;
	if (ui_field_key(&d->find, key, act)) {
		rebuild(d, u);
		return 1;
	}
	return 0;
}

const ui_screen_ops ui_scr_find = {
	.id = UI_SCR_FIND,
	.load = find_load,
	.draw = find_draw,
	.key = find_key,
};
