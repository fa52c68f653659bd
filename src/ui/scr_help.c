/*
 * fieldvisit screens: help (? or F1).  Every key of the screen it was
 * opened from, with what it does, straight from the action table: what
 * this screen says is what the keys do.
 */
#include <stdlib.h>
#include <string.h>

#include "ui_internal.h"

static void help_open(ui_screen *sc, void *arg)
{
	(void)arg;
	sc->data = fv_xcalloc(1, sizeof(int));   /* the first line shown */
}

static void help_close(ui_screen *sc)
{
	free(sc->data);
}

/* One entry per run of rows with the same sentence: their keys, once
 * each. */
static void entry_keys(const ui_binding *t, size_t from, size_t to, ui_screen *below,
		       fv_buf *out)
{
	for (size_t r = from; r < to; r++) {
		if (!ui_binding_shown(&t[r], below))
			continue;
		for (const int *k = t[r].keys; *k; k++) {
			char buf[16], name[24];
			int dup = 0;
			for (size_t q = from; q < r && !dup; q++)
				if (ui_binding_shown(&t[q], below))
					for (const int *kk = t[q].keys; *kk; kk++)
						dup |= *kk == *k;
			for (const int *kk = t[r].keys; kk < k; kk++)
				dup |= *kk == *k;
			if (dup)
				continue;
			snprintf(name, sizeof name, "%s%s", out->len ? ", " : "", ui_key_name(*k, buf));
			fv_buf_adds(out, name);
		}
	}
}

static void help_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	ui_screen *below = &u->stack[u->depth - 2];
	int *first = sc->data;
	size_t n;
	const ui_binding *t = ui_bindings(&n);
	char *title = ui_trf(u, UI_S_HELP_FOR, ui_tr(u, ui_screen_title(below->ops->id)), NULL);
	ui_text(u, body->y, body->x, body->w, UI_HEADING, title);
	free(title);

	/* the keys column: as wide as the widest, at most a third */
	int kw = 0;
	for (size_t i = 0, j; i < n; i = j) {
		fv_buf keys;
		for (j = i + 1; j < n && t[j].help == t[i].help; j++)
			;
		fv_buf_init(&keys);
		entry_keys(t, i, j, below, &keys);
		int w = (int)ui_width(keys.s);
		kw = w > kw ? w : kw;
		fv_buf_release(&keys);
	}
	if (kw > body->w / 3)
		kw = body->w / 3;
	/* lay out every entry, then show the lines from *first */
	ui_rect list = {body->y + 2, body->x, body->h - 3, body->w};
	int line = 0;
	for (size_t i = 0, j; i < n; i = j) {
		fv_buf keys;
		ui_lines wrapped;
		for (j = i + 1; j < n && t[j].help == t[i].help; j++)
			;
		fv_buf_init(&keys);
		entry_keys(t, i, j, below, &keys);
		if (!keys.len) {
			fv_buf_release(&keys);
			continue;
		}
		const char *text = ui_tr(u, t[i].help);
		ui_lines_init(&wrapped);
		ui_wrap(text, (size_t)(list.w - kw - 2), &wrapped);
		for (size_t l = 0; l < wrapped.n; l++, line++) {
			int y = list.y + line - *first;
			if (y < list.y || y >= list.y + list.h)
				continue;
			char *part = fv_xstrndup(text + wrapped.start[l], wrapped.len[l]);
			ui_text(u, y, list.x, kw + 2, UI_KEY, l ? "" : keys.s);
			ui_text(u, y, list.x + kw + 2, list.w - kw - 2, UI_NORMAL, part);
			free(part);
		}
		ui_lines_release(&wrapped);
		fv_buf_release(&keys);
	}
	/* keep the scroll inside the text; say when more follows */
	int last = line - list.h > 0 ? line - list.h : 0;
	if (*first > last)
		*first = last;
	if (*first < last)
		ui_text_right(u, list.y + list.h, list.x, list.w, UI_DIM, ui_tr(u, UI_S_HELP_MORE));
}

static int help_key(ui_screen *sc, int key, ui_action act)
{
	int *first = sc->data, page = sc->u->rows - 8;
	(void)key;
	switch (act) {
	case UI_ACT_UP: *first -= 1; break;
	case UI_ACT_DOWN: *first += 1; break;
	case UI_ACT_PGUP: *first -= page; break;
	case UI_ACT_PGDN: *first += page; break;
	default: return 0;
	}
	if (*first < 0)
		*first = 0;
	return 1;
}

const ui_screen_ops ui_scr_help = {
	.id = UI_SCR_HELP,
	.open = help_open,
	.draw = help_draw,
	.key = help_key,
	.close = help_close,
};
