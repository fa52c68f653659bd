/*
 * fieldvisit screens: settings.  The screen language (saved for this
 * store in the settings file, config.c), the passphrase (its own screen)
 * and the idle lock time, which the supervisor's rule table sets.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fieldvisit/rules.h"
#include "ui_internal.h"

enum { ROW_LANG, ROW_PASSWD, NCHOICES };

static void settings_open(ui_screen *sc, void *arg)
{
	(void)arg;
	sc->data = fv_xcalloc(1, sizeof(int));   /* the chosen row */
}

static void settings_close(ui_screen *sc)
{
	free(sc->data);
}

static void settings_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	int sel = *(int *)sc->data;
	char minutes[16];
	snprintf(minutes, sizeof minutes, "%d", fv_rules_lock_minutes(u->rules));
	char *lock = ui_trf(u, UI_S_SET_LOCK_VALUE, minutes, NULL);
	const char *rows[][2] = {
		{ui_tr(u, UI_S_SET_LANGUAGE), ui_tr(u, u->lang == UI_ZH ? UI_S_LANG_ZH : UI_S_LANG_EN)},
		{ui_tr(u, UI_S_SET_PASSWD), ui_tr(u, UI_S_SET_PASSWD_VALUE)},
		{ui_tr(u, UI_S_SET_LOCK), lock},
	};
	int lw = 0;
	for (size_t i = 0; i < 3; i++) {
		int w = (int)ui_width(rows[i][0]);
		lw = w > lw ? w : lw;
	}
	lw += 3;
	for (int i = 0; i < 3; i++) {
		int y = body->y + 2 * i;
		ui_attr a = i == sel ? UI_SELECTED : UI_NORMAL;
		ui_text(u, y, body->x, lw, a, rows[i][0]);
		ui_text(u, y, body->x + lw, body->w - lw, a, rows[i][1]);
	}
	free(lock);
}

static int settings_key(ui_screen *sc, int key, ui_action act)
{
	ui *u = sc->u;
	int *sel = sc->data;
	(void)key;
	switch (act) {
	case UI_ACT_UP:
	case UI_ACT_DOWN:
		*sel = (*sel + 1) % NCHOICES;
		return 1;
	case UI_ACT_LEFT:
	case UI_ACT_RIGHT:
		ui_set_lang(u, u->lang == UI_ZH ? UI_EN : UI_ZH, 1);
		return 1;
	case UI_ACT_OK:
		if (*sel == ROW_LANG)
			ui_set_lang(u, u->lang == UI_ZH ? UI_EN : UI_ZH, 1);
		else
			ui_push(u, &ui_scr_passwd, NULL);
		return 1;
	default:
		return 0;
	}
}

static int settings_can(ui_screen *sc, ui_action act)
{
	return (act != UI_ACT_LEFT && act != UI_ACT_RIGHT) || *(int *)sc->data == ROW_LANG;
}

const ui_screen_ops ui_scr_settings = {
	.id = UI_SCR_SETTINGS,
	.open = settings_open,
	.draw = settings_draw,
	.key = settings_key,
	.can = settings_can,
	.close = settings_close,
};
