/*
 * fieldvisit screens: archive a person.  Service stops for someone who
 * moved away or died; the record is kept (DOMAIN.md: archived, never
 * deleted).  The screen asks why (moved, died, or archived for another
 * reason), since when, and the reason in words, then asks to confirm
 * before fv_person_archive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/store.h"
#include "ui_internal.h"

enum { F_STATUS, F_DATE, F_REASON, NFIELDS };

static const char *const statuses[] = {"moved", "died", "archived"};
#define NSTATUSES 3

typedef struct archive {
	char *id;
	char *name, *village;   /* who, while unlocked */
	int status;             /* index into statuses */
	int focus;
	ui_field date, reason;
} archive;

static void archive_open(ui_screen *sc, void *arg)
{
	archive *d = fv_xcalloc(1, sizeof *d);
	char today[16];
	d->id = fv_xstrdup(arg);
	ui_field_init(&d->date, 0);
	ui_field_init(&d->reason, 0);
	fv_date_format(ui_today(), today);
	for (const char *c = today; *c; c++)
		(void)ui_field_key(&d->date, (unsigned char)*c, UI_ACT_NONE);
	d->focus = F_REASON;
	sc->data = d;
}

static void archive_drop(ui_screen *sc)
{
	archive *d = sc->data;
	free(d->name);
	free(d->village);
	d->name = d->village = NULL;
}

static void archive_load(ui_screen *sc)
{
	archive *d = sc->data;
	fv_person p;
	fv_errors err;
	archive_drop(sc);
	fv_errors_init(&err);
	if (fv_person_get(sc->u->store, d->id, &p, &err) == FV_OK) {
		d->name = fv_xstrdup(p.name);
		d->village = fv_xstrdup(p.village);
		fv_person_release(&p);
	}
	fv_errors_release(&err);
}

static void archive_close(ui_screen *sc)
{
	archive *d = sc->data;
	archive_drop(sc);
	ui_field_release(&d->date);
	ui_field_release(&d->reason);
	free(d->id);
	free(d);
}

static void archive_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	archive *d = sc->data;
	static const ui_str labels[NFIELDS] = {UI_S_ARCHIVE_STATUS, UI_S_ARCHIVE_DATE,
					       UI_S_ARCHIVE_REASON};
	static const ui_str words[NSTATUSES] = {UI_S_STATUS_MOVED, UI_S_STATUS_DIED,
						UI_S_STATUS_ARCHIVED};
	int y = body->y, lw = 0;
	char *text = ui_trf(u, UI_S_ARCHIVE_WHO, d->name ? d->name : "",
			    d->village ? d->village : "", NULL);
	ui_text(u, y++, body->x, body->w, UI_HEADING, text);
	free(text);
	ui_rect r = {y + 1, body->x, 3, body->w};
	y += 1 + ui_wrapped(u, &r, 0, UI_DIM, ui_tr(u, UI_S_ARCHIVE_EXPLAIN)) + 1;
	for (int i = 0; i < NFIELDS; i++) {
		int w = (int)ui_width(ui_tr(u, labels[i]));
		lw = w > lw ? w : lw;
	}
	lw += 2;
	for (int i = 0; i < NFIELDS; i++, y += 2) {
		const char *label = ui_tr(u, labels[i]);
		ui_text(u, y, body->x, lw, d->focus == i ? UI_HEADING : UI_NORMAL, label);
		if (i == F_STATUS) {
			text = fv_xasprintf("< %s >", ui_tr(u, words[d->status]));
			/* where a field's text begins, after its blank label */
			ui_text(u, y, body->x + lw + 1, body->w - lw - 1,
				d->focus == i ? UI_SELECTED : UI_NORMAL, text);
			free(text);
		} else {
			ui_field_draw(u, i == F_DATE ? &d->date : &d->reason, y, body->x + lw,
				      body->w - lw, "", d->focus == i);
		}
	}
	ui_text(u, y, body->x, body->w, UI_DIM, ui_tr(u, UI_S_ARCHIVE_HINT));
}

/* Confirmed: archive the person of the screen on top (this one). */
static void archive_yes(ui *u)
{
	ui_screen *sc = ui_top(u);
	archive *d = sc->data;
	fv_errors err;
	fv_errors_init(&err);
	if (fv_person_archive(u->store, d->id, statuses[d->status], d->date.text, d->reason.text,
			      &err) == FV_OK) {
		char *name = fv_xstrdup(d->name ? d->name : "");
		ui_pop(u);   /* the screen below reads the person again */
		ui_say(u, 0, UI_S_ARCHIVE_DONE, name, NULL);
		free(name);
	} else {
		ui_say(u, 1, UI_S_ARCHIVE_FAILED, err.n ? err.lines[0] : "", NULL);
	}
	fv_errors_release(&err);
}

static int archive_key(ui_screen *sc, int key, ui_action act)
{
	static const ui_confirm_arg confirm = {UI_S_ARCHIVE_CONFIRM, archive_yes};
	ui *u = sc->u;
	archive *d = sc->data;
	int32_t day;
	switch (act) {
	case UI_ACT_NEXT_FIELD:
		d->focus = (d->focus + 1) % NFIELDS;
		return 1;
	case UI_ACT_PREV_FIELD:
		d->focus = (d->focus + NFIELDS - 1) % NFIELDS;
		return 1;
	case UI_ACT_OK:
		/* what the screen can say in the worker's language; the store
		 * checks the rest */
		if (!fv_date_parse(d->date.text, &day) || day > ui_today()) {
			d->focus = F_DATE;
			ui_say(u, 1, UI_S_ARCHIVE_BAD_DATE, NULL);
		} else if (!d->reason.text[strspn(d->reason.text, " ")]) {
			d->focus = F_REASON;
			ui_say(u, 1, UI_S_ARCHIVE_NO_REASON, NULL);
		} else {
			ui_push(u, &ui_scr_confirm, (void *)&confirm);
		}
		return 1;
	default:
		break;
	}
	if (d->focus == F_STATUS) {
		if (act == UI_ACT_LEFT || act == UI_ACT_RIGHT) {
			d->status = (d->status + (act == UI_ACT_RIGHT ? 1 : NSTATUSES - 1)) % NSTATUSES;
			return 1;
		}
		return 0;
	}
	return ui_field_key(d->focus == F_DATE ? &d->date : &d->reason, key, act);
}

const ui_screen_ops ui_scr_archive = {
	.id = UI_SCR_ARCHIVE,
	.open = archive_open,
	.load = archive_load,
	.drop = archive_drop,
	.draw = archive_draw,
	.key = archive_key,
	.close = archive_close,
};
