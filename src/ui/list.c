/*
 * fieldvisit screens: a list of rows in aligned columns with a cursor, as
 * today, people and person show them.  Rows are grouped; the rows of a
 * group share their columns' widths (the widest cell, at most the
 * column's maximum), so columns line up whatever the characters' widths
 * are.  A wider screen shows the columns that need room (min_body).
 */
#include <stdlib.h>
#include <string.h>

#include "ui_internal.h"

#define GAP 2   /* columns between two columns */

void ui_list_init(ui_list *l)
{
	memset(l, 0, sizeof *l);
}

void ui_list_reset(ui_list *l)
{
	for (size_t i = 0; i < l->npool; i++)
		free(l->pool[i]);
	free(l->pool);
	free(l->rows);
	l->pool = NULL;
	l->npool = l->poolcap = 0;
	l->rows = NULL;
	l->n = l->cap = 0;
	l->cur = 0;
	l->top = 0;
	memset(l->width, 0, sizeof l->width);
}

void ui_list_release(ui_list *l)
{
	ui_list_reset(l);
}

const char *ui_list_keep(ui_list *l, char *s)
{
	l->pool = fv_xgrow(l->pool, &l->poolcap, l->npool + 1, sizeof *l->pool);
	l->pool[l->npool++] = s;
	return s;
}

static void widen(ui_list *l, int g, int c, const char *s)
{
	int w = s ? (int)ui_width(s) : 0;
	if (w > l->width[g][c])
		l->width[g][c] = w;
}

ui_row *ui_list_add(ui_list *l, const ui *u, ui_row_kind kind, int group, int tag,
		    const char *id, const char *const *cells, int ncells)
{
	l->rows = fv_xgrow(l->rows, &l->cap, l->n + 1, sizeof *l->rows);
	ui_row *r = &l->rows[l->n++];
	memset(r, 0, sizeof *r);
	r->kind = kind;
	r->group = group;
	r->tag = tag;
	r->attr = kind == UI_ROW_HEADING ? UI_HEADING : kind == UI_ROW_TITLES ? UI_DIM : UI_NORMAL;
	r->id = id ? ui_list_keep(l, fv_xstrdup(id)) : NULL;
	const ui_cols *g = &l->groups[group];
	if (kind == UI_ROW_TITLES) {
		for (int c = 0; c < g->n && c < UI_LIST_COLS; c++) {
			r->cell[c] = g->col[c].title == UI_NSTR ? "" : ui_tr(u, g->col[c].title);
			widen(l, group, c, r->cell[c]);
		}
		return r;
	}
	for (int c = 0; c < ncells && c < UI_LIST_COLS; c++) {
		r->cell[c] = cells[c] ? ui_list_keep(l, fv_xstrdup(cells[c])) : NULL;
		if (kind != UI_ROW_HEADING)
			widen(l, group, c, cells[c]);
	}
	return r;
}

static int selectable(const ui_list *l, size_t i)
{
	return i < l->n && l->rows[i].kind == UI_ROW_ITEM;
}

void ui_list_select(ui_list *l, const char *id)
{
	size_t first = l->n;
	for (size_t i = 0; i < l->n; i++) {
		if (!selectable(l, i))
			continue;
		if (first == l->n)
			first = i;
		if (id && l->rows[i].id && strcmp(l->rows[i].id, id) == 0) {
			l->cur = i;
			return;
		}
	}
	l->cur = first;
}

const ui_row *ui_list_current(const ui_list *l)
{
	return selectable(l, l->cur) ? &l->rows[l->cur] : NULL;
}

/* The nearest item at or after i going in dir (+1, -1); l->n when none. */
static size_t find_item(const ui_list *l, size_t i, int dir)
{
	while (i < l->n) {
		if (selectable(l, i))
			return i;
		if (dir < 0 && i == 0)
			break;
		i += (size_t)(ptrdiff_t)dir;
	}
	return l->n;
}

int ui_list_key(ui_list *l, ui_action act)
{
	int page = l->page > 1 ? l->page - 1 : 1;
	size_t to;
	if (act != UI_ACT_UP && act != UI_ACT_DOWN && act != UI_ACT_PGUP && act != UI_ACT_PGDN)
		return 0;
	if (!ui_list_current(l)) {   /* nothing to select: scroll */
		if (act == UI_ACT_UP || act == UI_ACT_PGUP)
			l->top -= l->top < (size_t)(act == UI_ACT_UP ? 1 : page)
					  ? l->top : (size_t)(act == UI_ACT_UP ? 1 : page);
		else if (l->top + (size_t)l->page < l->n)
			l->top += act == UI_ACT_DOWN ? 1 : (size_t)page;
		return 1;
	}
	switch (act) {
	case UI_ACT_UP:
		to = l->cur ? find_item(l, l->cur - 1, -1) : l->n;
		break;
	case UI_ACT_DOWN:
		to = find_item(l, l->cur + 1, +1);
		break;
	case UI_ACT_PGUP:
		to = find_item(l, l->cur > (size_t)page ? l->cur - (size_t)page : 0, +1);
		if (to >= l->cur)
			to = find_item(l, 0, +1);
		break;
	default:
		to = find_item(l, l->cur + (size_t)page < l->n ? l->cur + (size_t)page : l->n - 1, -1);
		if (to <= l->cur)
			to = find_item(l, l->n - 1, -1);
		break;
	}
	if (to < l->n && to != l->cur)
		l->cur = to;
	else if (act == UI_ACT_UP || act == UI_ACT_PGUP)
		l->top = 0;   /* above the first item: its heading */
	else if (l->n > (size_t)l->page && l->cur >= l->n - (size_t)l->page)
		l->top = l->n - (size_t)l->page;   /* below the last: what follows it */
	return 1;
}

/* Scroll so that the cursor shows, with the heading and titles just
 * above it when they fit. */
static void scroll(ui_list *l, int h)
{
	if (!ui_list_current(l)) {
		if (l->top + (size_t)h > l->n)
			l->top = l->n > (size_t)h ? l->n - (size_t)h : 0;
		return;
	}
	if (l->cur < l->top) {
		l->top = l->cur;
		while (l->top > 0 && l->rows[l->top - 1].kind != UI_ROW_ITEM &&
		       l->cur - (l->top - 1) < (size_t)h)
			l->top--;
	}
	if (l->cur >= l->top + (size_t)h)
		l->top = l->cur - (size_t)h + 1;
}

void ui_list_draw(ui *u, ui_list *l, const ui_rect *r)
{
	int x[8][UI_LIST_COLS + 1], w[8][UI_LIST_COLS];
	int shared[UI_LIST_COLS] = {0};
	l->page = r->h;
	scroll(l, r->h);
	for (int g = 0; g < 8; g++)
		for (int c = 0; c < l->groups[g].n && c < UI_LIST_COLS; c++)
			if (l->groups[g].col[c].share && l->width[g][c] > shared[c])
				shared[c] = l->width[g][c];
	/* each group's columns: those the width allows, at their natural
	 * width up to their maximum; a column of max 0 takes the rest */
	for (int g = 0; g < 8; g++) {
		const ui_cols *gc = &l->groups[g];
		int pos = r->x, rest = -1;
		for (int c = 0; c < gc->n && c < UI_LIST_COLS; c++) {
			const ui_col *col = &gc->col[c];
			x[g][c] = pos;
			w[g][c] = 0;
			if (col->min_body > r->w)
				continue;
			int cw = col->share ? shared[c] : l->width[g][c];
			if (col->max == 0)
				rest = c;
			else if (cw > col->max)
				cw = col->max;
			w[g][c] = cw;
			pos += cw + GAP;
		}
		if (rest >= 0) {   /* give it what the others leave */
			int others = pos - r->x - w[g][rest] - GAP;
			int room = r->w - others;
			w[g][rest] = room > 0 ? room : 0;
			for (int c = rest + 1, p = x[g][rest] + w[g][rest] + GAP; c < gc->n; c++)
				if (w[g][c] || gc->col[c].min_body <= r->w) {
					x[g][c] = p;
					p += w[g][c] + GAP;
				}
		}
	}
	for (int i = 0; i < r->h; i++) {
		size_t k = l->top + (size_t)i;
		int y = r->y + i;
		if (k >= l->n) {
			ui_text(u, y, r->x, r->w, UI_NORMAL, "");
			continue;
		}
		const ui_row *row = &l->rows[k];
		ui_attr a = k == l->cur && row->kind == UI_ROW_ITEM ? UI_SELECTED : row->attr;
		ui_text(u, y, r->x, r->w, a, "");
		if (r->x >= 2)
			ui_text(u, y, r->x - 2, 1, UI_NORMAL, a == UI_SELECTED ? ">" : "");
		if (row->kind == UI_ROW_HEADING) {
			ui_text(u, y, r->x, r->w, a, row->cell[0] ? row->cell[0] : "");
			continue;
		}
		const ui_cols *gc = &l->groups[row->group];
		for (int c = 0; c < gc->n && c < UI_LIST_COLS; c++) {
			int cw = w[row->group][c], cx = x[row->group][c];
			if (cw <= 0 || cx >= r->x + r->w)
				continue;
			if (cx + cw > r->x + r->w)
				cw = r->x + r->w - cx;
			const char *s = row->cell[c] ? row->cell[c] : "";
			if (gc->col[c].right)
				ui_text_right(u, y, cx, cw, a, s);
			else
				ui_text(u, y, cx, cw, a, s);
		}
	}
}
