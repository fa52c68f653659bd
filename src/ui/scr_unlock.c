/*
 * fieldvisit screens: unlock.  The first screen: the stores of this laptop
 * to choose from (when there are several), the passphrase without echo,
 * and for the demo its passphrase shown.  A wrong passphrase says so and
 * lets the user type it again.
 */
#include <stdlib.h>

#include "fieldvisit/store.h"
#include "ui_internal.h"

typedef struct unlock {
	ui_field pass;
	size_t sel;
} unlock;

static void unlock_open(ui_screen *sc, void *arg)
{
	unlock *d = fv_xcalloc(1, sizeof *d);
	(void)arg;
	ui_field_init(&d->pass, 1);
	sc->data = d;
	if (sc->u->nstores)   /* read ahead while the passphrase is typed */
		fv_store_prefetch(sc->u->stores[0]);
}

static void unlock_close(ui_screen *sc)
{
	unlock *d = sc->data;
	ui_field_release(&d->pass);
	free(d);
}

static void unlock_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	unlock *d = sc->data;
	ui_rect r = *body;
	char *text;

	if (u->demo) {
		r.y += ui_wrapped(u, &r, 0, UI_NORMAL, ui_tr(u, UI_S_UNLOCK_DEMO));
		text = ui_trf(u, UI_S_UNLOCK_DEMO_PASS, u->demo_pass, NULL);
		ui_text(u, r.y, r.x, r.w, UI_HEADING, text);
		free(text);
		r.y += 2;
	}
	if (!u->nstores) {
		text = ui_trf(u, UI_S_UNLOCK_NONE, u->store_dir, NULL);
		ui_wrapped(u, &r, 0, UI_NORMAL, text);
		free(text);
		return;
	}
	if (u->nstores > 1) {
		ui_text(u, r.y++, r.x, r.w, UI_NORMAL, ui_tr(u, UI_S_UNLOCK_CHOOSE));
		/* as many names as fit above the passphrase; the chosen one shows */
		size_t room = (size_t)(r.h - (r.y - body->y) - 3), first = 0;
		if (room < 1)
			room = 1;
		if (d->sel >= room)
			first = d->sel - room + 1;
		for (size_t i = first; i < u->nstores && i < first + room; i++) {
			char *name = ui_store_name(u->stores[i]);
			ui_text(u, r.y, r.x, 2, UI_NORMAL, "");
			ui_text(u, r.y++, r.x + 2, r.w - 2 < 40 ? r.w - 2 : 40,
				i == d->sel ? UI_SELECTED : UI_NORMAL, name);
			free(name);
		}
	} else {
		char *name = ui_store_name(u->stores[0]);
		text = ui_trf(u, UI_S_UNLOCK_STORE, name, NULL);
		ui_text(u, r.y++, r.x, r.w, UI_NORMAL, text);
		free(text);
		free(name);
	}
	r.y++;
	ui_field_draw(u, &d->pass, r.y, r.x, r.w < 60 ? r.w : 60,
		      ui_tr(u, UI_S_UNLOCK_PASSPHRASE), 1);
}

static int unlock_key(ui_screen *sc, int key, ui_action act)
{
	unlock *d = sc->data;
	size_t n = sc->u->nstores;
	switch (act) {
	case UI_ACT_UP:
		d->sel = d->sel ? d->sel - 1 : n - 1;
		fv_store_prefetch(sc->u->stores[d->sel]);
		return 1;
	case UI_ACT_DOWN:
		d->sel = (d->sel + 1) % n;
		fv_store_prefetch(sc->u->stores[d->sel]);
		return 1;
	case UI_ACT_OK:
		if (ui_unlock(sc->u, sc->u->stores[d->sel], &d->pass))
			ui_replace(sc->u, &ui_scr_home, NULL);
		return 1;
	default:
		return n && ui_field_key(&d->pass, key, act);
	}
}

static int unlock_can(ui_screen *sc, ui_action act)
{
	size_t n = sc->u->nstores;
	if (act == UI_ACT_UP || act == UI_ACT_DOWN)
		return n > 1;
	if (act == UI_ACT_QUIT || act == UI_ACT_HELP)
		return 1;
	return n > 0;
}

const ui_screen_ops ui_scr_unlock = {
	.id = UI_SCR_UNLOCK,
	.open = unlock_open,
	.draw = unlock_draw,
	.key = unlock_key,
	.can = unlock_can,
	.close = unlock_close,
};
