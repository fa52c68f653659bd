/*
 * fieldvisit screens: the supervisor's reports.
 *
 * One screen for every kind of report (coverage, overdue, satisfaction,
 * alerts, callbacks, anomalies, services) of one period: this month at
 * first; p makes it the quarter, then the year, then the month again (of
 * the day shown); Left and Right go a period back and forward, never
 * past today.  It computes the report as `fieldvisit report` does --
 * fv_report_needs, fv_store_report_facts, fv_report_compute -- so the
 * numbers are those of every other format, and lays the tables out as
 * the text writer does: column names, aligned cells, a * before a marked
 * row (below the threshold, a finding), which is drawn as an error.  A
 * table with chart fields gets a bar per row (two when it has two
 * values) in block characters, with the reference line as a |.
 * Tab, Shift-Tab or a digit 1..7 shows another kind.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/report.h"
#include "fieldvisit/rules.h"
#include "fieldvisit/store.h"
#include "ui_internal.h"

void ui_bar(double value, double max, int width, fv_buf *out)
{
	static const char *const eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
	if (!(value > 0) || !(max > 0) || width <= 0)
		return;
	if (value > max)
		value = max;
	long e = lround(value / max * width * 8);
	if (e == 0)
		e = 1;   /* something, however little, shows */
	for (long i = 0; i < e / 8; i++)
		fv_buf_adds(out, "█");
	fv_buf_adds(out, eighths[e % 8]);
}

static const ui_str kind_words[FV_REPORT_NKINDS] = {
	UI_S_REPORT_COVERAGE, UI_S_REPORT_OVERDUE,   UI_S_REPORT_SATISFACTION,
	UI_S_REPORT_ALERTS,   UI_S_REPORT_CALLBACKS, UI_S_REPORT_ANOMALIES,
	UI_S_REPORT_SERVICES,
};

/* A line of the laid-out report. */
typedef struct line {
	char *text;
	ui_attr attr;
} line;

typedef struct reports {
	fv_report_kind kind;
	fv_period period;
	int loaded;
	char error[UI_MSG_MAX];
	fv_report rep;
	int have_rep;
	line *lines;          /* laid out for width */
	size_t n, cap;
	int width;            /* the width they were laid out for */
	int scroll, page;
} reports;

static void reports_open(ui_screen *sc, void *arg)
{
	reports *d = fv_xcalloc(1, sizeof *d);
	(void)arg;
	d->kind = FV_REPORT_COVERAGE;
	fv_period_month(ui_today(), &d->period);
	sc->data = d;
}

static void clear_lines(reports *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->lines[i].text);
	d->n = 0;
	d->width = 0;
}

static void reports_drop(ui_screen *sc)
{
	reports *d = sc->data;
	clear_lines(d);
	if (d->have_rep)
		fv_report_release(&d->rep);
	d->have_rep = 0;
	d->loaded = 0;
}

static void reports_close(ui_screen *sc)
{
	reports *d = sc->data;
	reports_drop(sc);
	free(d->lines);
	free(d);
}

static void reports_load(ui_screen *sc)
{
	ui *u = sc->u;
	reports *d = sc->data;
	fv_report_args a = {0};
	fv_report_facts facts;
	fv_errors err;
	int32_t from, to;

	reports_drop(sc);
	d->error[0] = '\0';
	a.period = d->period;
	a.day = fv_period_day(&d->period, ui_today());
	fv_errors_init(&err);
	unsigned need = fv_report_needs(d->kind, &a, &from, &to);
	if (fv_store_report_facts(u->store, u->rules, need, from, to, &facts, &err) != FV_OK) {
		snprintf(d->error, sizeof d->error, "%s", err.n ? err.lines[0] : "");
		fv_report_facts_release(&facts);
		fv_errors_release(&err);
		return;
	}
	fv_errors_release(&err);
	fv_report_compute(d->kind, u->rules, &facts, &a, &d->rep);
	fv_report_facts_release(&facts);   /* the report copied what it shows */
	d->have_rep = 1;
	d->loaded = 1;
}

/* ---- laying out ------------------------------------------------------ */

static void add_line(reports *d, ui_attr a, char *text)
{
	d->lines = fv_xgrow(d->lines, &d->cap, d->n + 1, sizeof *d->lines);
	d->lines[d->n].text = text;
	d->lines[d->n].attr = a;
	d->n++;
}

static const fv_report_cell *cell(const fv_report_table *t, size_t r, size_t c)
{
	return &t->cells[r * t->ncols + c];
}

/* The word of the screen's language for a report's own word (the
 * reports' vocabulary, ui_catalog_word), else the report's own. */
static const char *word2(const ui *u, const char *what, const char *a, const char *b,
			 const char *own)
{
	char key[160];
	snprintf(key, sizeof key, "%s.%s.%s", what, a, b);
	const char *w = ui_catalog_word(u->cat, u->lang, key);
	return w ? w : own;
}

static const char *title_word(const ui *u, fv_report_kind k, const fv_report_table *t)
{
	return word2(u, "title", fv_report_name(k), t->name, t->title);
}

static const char *col_word(const ui *u, fv_report_kind k, const char *col)
{
	char key[96];
	snprintf(key, sizeof key, "col.%s", col);
	const char *w = ui_catalog_word(u->cat, u->lang, key);
	return word2(u, "col", fv_report_name(k), col, w ? w : col);
}

/* A cell as text, as the text writer writes it; a code in the words of
 * the screen's language (u NULL: as it is). */
static const char *cell_str(const ui *u, const fv_report_table *t, size_t col,
			    const fv_report_cell *c, char buf[64])
{
	switch (c->kind) {
	case FV_CELL_TEXT:
		return u && c->text ? word2(u, "code", t->cols[col], c->text, c->text) : c->text;
	case FV_CELL_INT:
		snprintf(buf, 64, "%.0f", c->num);
		return buf;
	case FV_CELL_PERCENT:
		snprintf(buf, 64, "%.1f", c->num);
		return buf;
	case FV_CELL_EMPTY:
		break;
	}
	return "";
}

/* Append s to b padded (or clipped) to w columns; right-aligned. */
static void pad(fv_buf *b, const char *s, size_t w, int right)
{
	size_t sw, n = ui_clip(s, strlen(s), w, &sw);
	if (right)
		for (size_t i = sw; i < w; i++)
			fv_buf_addc(b, ' ');
	fv_buf_add(b, s, n);
	if (!right)
		for (size_t i = sw; i < w; i++)
			fv_buf_addc(b, ' ');
}

#define CELL_MAX 24   /* the widest a column grows */

/* The table's rows, columns aligned; the columns that do not fit in
 * width are left out (the chart and the command show them all). */
static void lay_table(const ui *u, reports *d, const fv_report_table *t, int width)
{
	size_t *w = fv_xcalloc(t->ncols ? t->ncols : 1, sizeof *w);
	size_t *nat = fv_xcalloc(t->ncols ? t->ncols : 1, sizeof *nat);
	char buf[64];
	fv_buf b;
	for (size_t c = 0; c < t->ncols; c++) {
		w[c] = ui_width(col_word(u, d->kind, t->cols[c]));
		for (size_t r = 0; r < t->nrows; r++) {
			size_t cw = ui_width(cell_str(u, t, c, cell(t, r, c), buf));
			if (cw > w[c])
				w[c] = cw;
		}
		nat[c] = w[c];
		if (w[c] > CELL_MAX)
			w[c] = CELL_MAX;
	}
	/* how many columns fit after the 2 of the mark */
	size_t nc = 0, used = 2;
	while (nc < t->ncols && used + w[nc] <= (size_t)width) {
		used += w[nc] + 2;
		nc++;
	}
	if (!nc && t->ncols)
		nc = 1;
	/* the last column shown takes the rest of the line (the reasons of
	 * the findings) */
	if (nc && nat[nc - 1] > w[nc - 1] && (size_t)width > used) {
		size_t more = (size_t)width - used + 2;
		w[nc - 1] = nat[nc - 1] < w[nc - 1] + more ? nat[nc - 1] : w[nc - 1] + more;
	}
	fv_buf_init(&b);
	fv_buf_adds(&b, "  ");
	for (size_t c = 0; c < nc; c++) {
		int right = t->nrows && cell(t, 0, c)->kind != FV_CELL_TEXT;
		pad(&b, col_word(u, d->kind, t->cols[c]), w[c], right);
		fv_buf_adds(&b, c + 1 < nc ? "  " : "");
	}
	add_line(d, UI_DIM, b.s);
	for (size_t r = 0; r < t->nrows; r++) {
		fv_buf_init(&b);
		fv_buf_adds(&b, t->marked[r] ? "* " : "  ");
		for (size_t c = 0; c < nc; c++) {
			const fv_report_cell *x = cell(t, r, c);
			pad(&b, cell_str(u, t, c, x, buf), w[c], x->kind != FV_CELL_TEXT);
			fv_buf_adds(&b, c + 1 < nc ? "  " : "");
		}
		add_line(d, t->marked[r] ? UI_ERROR : UI_NORMAL, b.s);
	}
	free(nat);
	free(w);
}

#define LABEL_MAX 24

/* The table's bar chart: per row its label and a bar of each value (the
 * second as a lighter bar under it), scaled to the largest value or the
 * reference line, with the reference line drawn as |. */
static void lay_chart(const ui *u, reports *d, const fv_report_table *t, int width)
{
	int nv = t->chart_value[1] >= 0 ? 2 : 1;
	double max = isnan(t->chart_line) ? 0 : t->chart_line;
	size_t lw = 0;
	char buf[64];
	for (size_t r = 0; r < t->nrows; r++) {
		for (int k = 0; k < nv; k++) {
			const fv_report_cell *c = cell(t, r, (size_t)t->chart_value[k]);
			if (c->kind != FV_CELL_EMPTY && c->num > max)
				max = c->num;
		}
		size_t cw = ui_width(cell_str(u, t, (size_t)t->chart_label,
					      cell(t, r, (size_t)t->chart_label), buf));
		if (cw > lw)
			lw = cw;
	}
	if (lw > LABEL_MAX)
		lw = LABEL_MAX;
	int bars = width - (int)lw - 2 - 8;
	if (bars < 8 || max <= 0)
		return;
	fv_buf b;
	fv_buf_init(&b);
	for (int k = 0; k < nv; k++)
		fv_buf_addf(&b, "%s%s %s", k ? "   " : "", k ? "░" : "█",
			    col_word(u, d->kind, t->cols[t->chart_value[k]]));
	if (!isnan(t->chart_line)) {
		char v[32];
		snprintf(v, sizeof v, "%g", t->chart_line);
		fv_buf_addf(&b, "   | %s", v);
	}
	add_line(d, UI_DIM, b.s);
	int ref = isnan(t->chart_line) ? -1 : (int)lround(t->chart_line / max * bars);
	for (size_t r = 0; r < t->nrows; r++) {
		for (int k = 0; k < nv; k++) {
			const fv_report_cell *c = cell(t, r, (size_t)t->chart_value[k]);
			fv_buf bar;
			fv_buf_init(&b);
			fv_buf_init(&bar);
			pad(&b, k ? "" : cell_str(u, t, (size_t)t->chart_label,
						  cell(t, r, (size_t)t->chart_label), buf), lw, 0);
			fv_buf_adds(&b, "  ");
			double v = c->kind == FV_CELL_EMPTY ? 0 : c->num;
			if (k == 0) {
				ui_bar(v, max, bars, &bar);
			} else {   /* the second value, lighter */
				long cols = lround(v / max * bars);
				for (long i = 0; i < cols; i++)
					fv_buf_adds(&bar, "░");
			}
			size_t bw = bar.len ? ui_width(bar.s) : 0;
			if (bar.len)
				fv_buf_adds(&b, bar.s);
			for (int x = (int)bw; x < bars; x++)
				fv_buf_adds(&b, x == ref ? "|" : " ");
			fv_buf_addf(&b, " %s", cell_str(u, t, (size_t)t->chart_value[k], c, buf));
			fv_buf_release(&bar);
			add_line(d, t->marked[r] ? UI_ERROR : UI_NORMAL, b.s);
		}
	}
}

static void lay_out(ui *u, reports *d, int width)
{
	const fv_report *rep = &d->rep;
	int marked = 0;
	clear_lines(d);
	d->width = width;
	for (size_t i = 0; i < rep->ntables; i++) {
		const fv_report_table *t = &rep->tables[i];
		if (i)
			add_line(d, UI_NORMAL, fv_xstrdup(""));
		add_line(d, UI_HEADING, fv_xasprintf("%s (%s)", title_word(u, d->kind, t), t->name));
		if (!t->nrows) {
			add_line(d, UI_DIM, fv_xasprintf("  %s", ui_tr(u, UI_S_REPORT_EMPTY)));
			continue;
		}
		for (size_t r = 0; r < t->nrows; r++)
			marked |= t->marked[r];
		lay_table(u, d, t, width);
		if (t->chart_label >= 0) {
			add_line(d, UI_NORMAL, fv_xstrdup(""));
			lay_chart(u, d, t, width);
		}
	}
	if (rep->nnotes || marked)
		add_line(d, UI_NORMAL, fv_xstrdup(""));
	if (marked)
		add_line(d, UI_DIM, fv_xstrdup(ui_tr(u, UI_S_REPORT_MARKED)));
	for (size_t i = 0; i < rep->nnotes; i++) {
		/* a note may be longer than the line: wrapped */
		char *text = ui_trf(u, UI_S_REPORT_NOTE, rep->notes[i], NULL);
		ui_lines l;
		ui_lines_init(&l);
		ui_wrap(text, (size_t)(width > 2 ? width : 2), &l);
		for (size_t k = 0; k < l.n; k++)
			add_line(d, UI_DIM, fv_xstrndup(text + l.start[k], l.len[k]));
		ui_lines_release(&l);
		free(text);
	}
}

/* ---- drawing ---------------------------------------------------------- */

static void reports_draw(ui_screen *sc, const ui_rect *body)
{
	ui *u = sc->u;
	reports *d = sc->data;
	int y = body->y, x = body->x;
	char a[16], b[16], *text;

	/* the kinds, the one shown selected */
	for (int k = 0; k < FV_REPORT_NKINDS; k++) {
		char *t = fv_xasprintf("%d %s", k + 1, ui_tr(u, kind_words[k]));
		int w = (int)ui_width(t);
		if (x + w <= body->x + body->w)
			ui_text(u, y, x, w, (int)d->kind == k ? UI_SELECTED : UI_NORMAL, t);
		x += w + 2;
		free(t);
	}
	y++;
	fv_date_format(d->period.first, a);
	fv_date_format(d->period.last, b);
	text = ui_trf(u, UI_S_REPORT_HEADING, ui_tr(u, kind_words[d->kind]), d->period.label, a, b,
		      NULL);
	ui_text(u, y++, body->x, body->w, UI_HEADING, text);
	free(text);
	snprintf(u->counts, sizeof u->counts, "%s", d->period.label);
	if (!d->loaded) {
		text = ui_trf(u, UI_S_REPORT_LOAD_FAILED, d->error, NULL);
		ui_rect r = {y + 1, body->x, body->h - (y + 1 - body->y), body->w};
		ui_wrapped(u, &r, 0, UI_ERROR, text);
		free(text);
		return;
	}
	if (d->width != body->w)
		lay_out(u, d, body->w);
	int h = body->h - (y + 1 - body->y);
	d->page = h;
	if (d->scroll > (int)d->n - h)
		d->scroll = (int)d->n - h;
	if (d->scroll < 0)
		d->scroll = 0;
	for (int i = 0; i < h && (size_t)(d->scroll + i) < d->n; i++) {
		const line *l = &d->lines[d->scroll + i];
		ui_text(u, y + 1 + i, body->x, body->w, l->attr, l->text);
	}
}

static void show(ui_screen *sc, fv_report_kind k)
{
	reports *d = sc->data;
	d->kind = k;
	d->scroll = 0;
	reports_load(sc);
}

static int reports_key(ui_screen *sc, int key, ui_action act)
{
	ui *u = sc->u;
	reports *d = sc->data;
	int step = d->page > 1 ? d->page - 1 : 1;
	switch (act) {
	case UI_ACT_KIND:
		if (key == UI_K_TAB)
			show(sc, (fv_report_kind)((d->kind + 1) % FV_REPORT_NKINDS));
		else if (key == UI_K_BTAB)
			show(sc, (fv_report_kind)((d->kind + FV_REPORT_NKINDS - 1) %
						  FV_REPORT_NKINDS));
		else if (key >= '1' && key < '1' + FV_REPORT_NKINDS)
			show(sc, (fv_report_kind)(key - '1'));
		return 1;
	case UI_ACT_PERIOD: {
		int months = d->period.months == 1 ? 3 : d->period.months == 3 ? 12 : 1;
		fv_period_of(fv_period_day(&d->period, ui_today()), months, &d->period);
		d->scroll = 0;
		reports_load(sc);
		return 1;
	}
	case UI_ACT_LEFT:
		fv_period_of(d->period.first - 1, d->period.months, &d->period);
		d->scroll = 0;
		reports_load(sc);
		return 1;
	case UI_ACT_RIGHT: {
		fv_period next;
		fv_period_of(d->period.last + 1, d->period.months, &next);
		if (next.first > ui_today()) {
			ui_say(u, 1, UI_S_REPORT_NOT_BEGUN, next.label, NULL);
			return 1;
		}
		d->period = next;
		d->scroll = 0;
		reports_load(sc);
		return 1;
	}
	case UI_ACT_UP: d->scroll -= 1; return 1;
	case UI_ACT_DOWN: d->scroll += 1; return 1;
	case UI_ACT_PGUP: d->scroll -= step; return 1;
	case UI_ACT_PGDN: d->scroll += step; return 1;
	default:
		return 0;
	}
}

const ui_screen_ops ui_scr_reports = {
	.id = UI_SCR_REPORTS,
	.open = reports_open,
	.load = reports_load,
	.drop = reports_drop,
	.draw = reports_draw,
	.key = reports_key,
	.close = reports_close,
};
