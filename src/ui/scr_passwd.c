/*
 * fieldvisit screens: change the passphrase.  The current one again
 * (someone at an unlocked laptop must not take it over), the new one
 * twice, then the same path as `fieldvisit passwd` (fv_cli_set_passphrase:
 * the master key is rewrapped, the change audited).  The fields are
 * secrets: leaving the screen or locking wipes them rather than keep them.
 */
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/store.h"
#include "fieldvisit/vault.h"
#include "ui_internal.h"

enum { F_CURRENT, F_NEW, F_AGAIN, NFIELDS };

typedef struct passwd {
	ui_field f[NFIELDS];
	int focus;
} passwd;

static const ui_str labels[NFIELDS] = {UI_S_PW_CURRENT, UI_S_PW_NEW, UI_S_PW_AGAIN};

static void passwd_open(ui_screen *sc, void *arg)
{
	passwd *d = fv_xcalloc(1, sizeof *d);
	(void)arg;
	for (int i = 0; i < NFIELDS; i++)
		ui_field_init(&d->f[i], 1);
	sc->data = d;
}

static void passwd_drop(ui_screen *sc)
{
	passwd *d = sc->data;
	for (int i = 0; i < NFIELDS; i++)
		ui_field_clear(&d->f[i]);
	d->focus = F_CURRENT;
}

static void passwd_close(ui_screen *sc)
{
	passwd *d = sc->data;
	for (int i = 0; i < NFIELDS; i++)
		ui_field_release(&d->f[i]);
	free(d);
}

static void passwd_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	passwd *d = sc->data;
	ui_rect r = *body;
	int lw = 0;
	r.y += ui_wrapped(u, &r, 0, UI_NORMAL, ui_tr(u, UI_S_PW_RULE)) + 1;
	for (int i = 0; i < NFIELDS; i++) {
		int w = (int)ui_width(ui_tr(u, labels[i]));
		lw = w > lw ? w : lw;
	}
	for (int i = 0; i < NFIELDS; i++) {
		/* labels padded to one width, so the fields line up */
		fv_buf label;
		fv_buf_init(&label);
		fv_buf_adds(&label, ui_tr(u, labels[i]));
		for (int w = (int)ui_width(label.s); w < lw; w++)
			fv_buf_addc(&label, ' ');
		ui_field_draw(u, &d->f[i], r.y + 2 * i, r.x, r.w < 70 ? r.w : 70, label.s,
			      i == d->focus);
		fv_buf_release(&label);
	}
}

static void change(ui_screen *sc)
{
	ui *u = sc->u;
	passwd *d = sc->data;
	vault_pwcost cost;
	fv_errors err;
	fv_status st;
	int changed = 0;

	for (int i = 0; i < NFIELDS; i++)
		if (!d->f[i].len) {
			d->focus = i;
			ui_say(u, 1, UI_S_UNLOCK_EMPTY, NULL);
			return;
		}
	if (vault_passphrase_problem(d->f[F_NEW].text)) {
		ui_say(u, 1, UI_S_PW_WEAK, NULL);
		goto retype_new;
	}
	if (strcmp(d->f[F_NEW].text, d->f[F_AGAIN].text) != 0) {
		ui_say(u, 1, UI_S_PW_DIFFER, NULL);
		goto retype_new;
	}
	ui_say(u, 0, UI_S_PW_WORKING, NULL);
	ui_flush(u);   /* Argon2, twice */
	fv_errors_init(&err);
	st = fv_cli_check_passphrase(u->store, d->f[F_CURRENT].text, &err);
	if (st == FV_OK) {
		fv_cli_pwcost_pick(&cost);
		st = fv_cli_set_passphrase(u->store, d->f[F_NEW].text, &cost, "passwd", &changed,
					   &err);
	}
	if (st == FV_EPASS && !changed) {
		ui_field_clear(&d->f[F_CURRENT]);
		d->focus = F_CURRENT;
		ui_say(u, 1, UI_S_PW_WRONG, NULL);
	} else if (!changed) {
		ui_say(u, 1, UI_S_PW_FAILED, err.n ? err.lines[0] : "", NULL);
	} else {
		ui_pop(u);   /* wipes the fields */
		if (st == FV_OK)
			ui_say(u, 0, UI_S_PW_DONE, NULL);
		else
			ui_say(u, 1, UI_S_PW_NOT_AUDITED, err.n ? err.lines[0] : "", NULL);
	}
	fv_errors_release(&err);
	return;
retype_new:
	ui_field_clear(&d->f[F_NEW]);
	ui_field_clear(&d->f[F_AGAIN]);
	d->focus = F_NEW;
}

static int passwd_key(ui_screen *sc, int key, ui_action act)
{
	passwd *d = sc->data;
	switch (act) {
	case UI_ACT_NEXT_FIELD:
		d->focus = (d->focus + 1) % NFIELDS;
		return 1;
	case UI_ACT_PREV_FIELD:
		d->focus = (d->focus + NFIELDS - 1) % NFIELDS;
		return 1;
	case UI_ACT_OK:
		/* Enter moves on until the last field, then changes */
		if (d->focus < F_AGAIN && d->f[d->focus].len)
			d->focus++;
		else
			change(sc);
		return 1;
	default:
		return ui_field_key(&d->f[d->focus], key, act);
	}
}

const ui_screen_ops ui_scr_passwd = {
	.id = UI_SCR_PASSWD,
	.open = passwd_open,
	.drop = passwd_drop,
	.draw = passwd_draw,
	.key = passwd_key,
	.close = passwd_close,
};
