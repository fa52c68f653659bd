/*
 * fieldvisit screens: lock.  Covers whatever was on the screen after the
 * idle time of the rule table or on the lock key; the store is closed and
 * its keys wiped (ui_lock).  The passphrase opens it again and the screen
 * below comes back as it was.
 */
#include <stdlib.h>

#include "ui_internal.h"

static void lock_open(ui_screen *sc, void *arg)
{
	ui_field *f = fv_xcalloc(1, sizeof *f);
	(void)arg;
	ui_field_init(f, 1);
	sc->data = f;
}

static void lock_close(ui_screen *sc)
{
	ui_field_release(sc->data);
	free(sc->data);
}

static void lock_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	ui_rect r = *body;
	r.y += ui_wrapped(u, &r, 0, UI_HEADING, ui_tr(u, UI_S_LOCK_LOCKED)) + 1;
	char *name = ui_store_name(u->store_path);
	char *text = ui_trf(u, UI_S_UNLOCK_STORE, name, NULL);
	ui_text(u, r.y, r.x, r.w, UI_NORMAL, text);
	free(text);
	free(name);
	ui_field_draw(u, sc->data, r.y + 2, r.x, r.w < 60 ? r.w : 60,
		      ui_tr(u, UI_S_UNLOCK_PASSPHRASE), 1);
}

static int lock_key(ui_screen *sc, int key, ui_action act)
{
	if (act != UI_ACT_OK)
		return ui_field_key(sc->data, key, act);
	if (ui_unlock(sc->u, sc->u->store_path, sc->data))
		ui_pop(sc->u);   /* the screen under the lock loads its data again */
	return 1;
}

const ui_screen_ops ui_scr_lock = {
	.id = UI_SCR_LOCK,
	.open = lock_open,
	.draw = lock_draw,
	.key = lock_key,
	.close = lock_close,
};
