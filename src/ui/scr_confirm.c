/*
 * fieldvisit screens: a yes/no question (quitting with a form not
 * submitted, quitting the demo).  y does it, n or Esc goes back.
 */
#include "ui_internal.h"

static void confirm_open(ui_screen *sc, void *arg)
{
	sc->data = arg;   /* a static ui_confirm_arg: not freed */
}

static void confirm_draw(ui_screen *sc, const ui_rect *body)
{
	const ui_confirm_arg *a = sc->data;
	ui_rect r = *body;
	r.y += 1;
	ui_wrapped(sc->u, &r, 0, UI_HEADING, ui_tr(sc->u, a->question));
}

static int confirm_key(ui_screen *sc, int key, ui_action act)
{
	const ui_confirm_arg *a = sc->data;
	ui *u = sc->u;
	(void)key;
	if (act == UI_ACT_YES) {
		ui_pop(u);
		a->yes(u);
		return 1;
	}
	if (act == UI_ACT_NO) {
		ui_pop(u);
		return 1;
	}
	return 0;
}

const ui_screen_ops ui_scr_confirm = {
	.id = UI_SCR_CONFIRM,
	.open = confirm_open,
	.draw = confirm_draw,
	.key = confirm_key,
};
