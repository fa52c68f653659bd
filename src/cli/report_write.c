/*
 * fieldvisit report: the writers.  Each lays out the tables of one
 * computed report (fv_report); none computes anything, so the numbers are
 * the same in every format: a count is written as an integer, a
 * percentage with one decimal, everywhere.
 */
#include "config.h"   /* first: _GNU_SOURCE, for open_memstream */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/report.h"
#include "report_write.h"

/* A cell as text: "" for none, integers without decimals, percentages
 * with one. */
static const char *cell_str(const fv_report_cell *c, char buf[64])
{
	switch (c->kind) {
	case FV_CELL_TEXT:
		return c->text;
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

static const fv_report_cell *cell(const fv_report_table *t, size_t r, size_t c)
{
	return &t->cells[r * t->ncols + c];
}

/* The report's heading in words. */
static char *heading(const fv_report *rep)
{
	char a[16], b[16], d[16];
	fv_date_format(rep->period.first, a);
	fv_date_format(rep->period.last, b);
	fv_date_format(rep->day, d);
	return fv_xasprintf("%s report, period %s (%s to %s), computed on %s%s%s%s%s",
			    fv_report_name(rep->kind), rep->period.label, a, b, d,
			    rep->village ? ", village " : "", rep->village ? rep->village : "",
			    rep->worker ? ", worker " : "", rep->worker ? rep->worker : "");
}

/* ---- text ------------------------------------------------------------ */

static void write_text(const fv_report *rep, fv_buf *out)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&mem, &len);
	if (!fp) {
		fputs("fieldvisit: out of memory\n", stderr);
		exit(4);
	}
	char *h = heading(rep);
	fprintf(fp, "%s\n", h);
	free(h);
	for (size_t i = 0; i < rep->ntables; i++) {
		const fv_report_table *t = &rep->tables[i];
		size_t nc = t->ncols + 1;
		fprintf(fp, "\n%s (%s):\n", t->title, t->name);
		if (t->nrows == 0) {
			fputs("  none\n", fp);
			continue;
		}
		const char **cells = fv_xcalloc((t->nrows + 1) * nc, sizeof *cells);
		char (*bufs)[64] = fv_xcalloc(t->nrows * t->ncols, sizeof *bufs);
		char **heads = fv_xcalloc(t->ncols, sizeof *heads);
		cells[0] = "";
		for (size_t c = 0; c < t->ncols; c++) {
			heads[c] = fv_xstrdup(t->cols[c]);
			for (char *p = heads[c]; *p; p++)
				*p = *p == '_' ? ' ' : (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
			cells[1 + c] = heads[c];
		}
		for (size_t r = 0; r < t->nrows; r++) {
			cells[(r + 1) * nc] = t->marked[r] ? "*" : "";
			for (size_t c = 0; c < t->ncols; c++)
				cells[(r + 1) * nc + 1 + c] =
					cell_str(cell(t, r, c), bufs[r * t->ncols + c]);
		}
		fv_cli_table(fp, cells, t->nrows + 1, nc);
		for (size_t c = 0; c < t->ncols; c++)
			free(heads[c]);
		free(heads);
		free(bufs);
		free(cells);
	}
	if (rep->nnotes)
		fputc('\n', fp);
	for (size_t i = 0; i < rep->nnotes; i++)
		fprintf(fp, "note: %s\n", rep->notes[i]);
	fclose(fp);
	fv_buf_add(out, mem, len);
	free(mem);
}

/* ---- CSV --------------------------------------------------------------- */

/* One CSV cell (RFC 4180).  Text from other laptops that a spreadsheet
 * would run as a formula (= + - @ at the start) gets a leading '. */
static void csv_cell(fv_buf *b, const char *s, int text)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	int guard = text && strchr("=+-@", *s) && *s;
	if (quote)
		fv_buf_addc(b, '"');
	if (guard)
		fv_buf_addc(b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fv_buf_addc(b, '"');
		fv_buf_addc(b, *p);
	}
	if (quote)
		fv_buf_addc(b, '"');
}

static void csv_row(fv_buf *b, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			fv_buf_addc(b, ',');
		csv_cell(b, cells[i], 1);
	}
	fv_buf_adds(b, "\r\n");
}

static void write_csv(const fv_report *rep, int bom, fv_buf *out)
{
	char a[16], b[16], d[16];
	fv_date_format(rep->period.first, a);
	fv_date_format(rep->period.last, b);
	fv_date_format(rep->day, d);
	if (bom)
		fv_buf_adds(out, "\xEF\xBB\xBF");
	const char *head[] = {"report", "period", "from", "to", "day", "village", "worker"};
	const char *meta[] = {fv_report_name(rep->kind), rep->period.label, a, b, d,
			      rep->village ? rep->village : "", rep->worker ? rep->worker : ""};
	csv_row(out, head, 7);
	csv_row(out, meta, 7);
	for (size_t i = 0; i < rep->ntables; i++) {
		const fv_report_table *t = &rep->tables[i];
		fv_buf_adds(out, "\r\n");
		csv_row(out, &t->name, 1);
		csv_row(out, t->cols, t->ncols);
		for (size_t r = 0; r < t->nrows; r++) {
			for (size_t c = 0; c < t->ncols; c++) {
				char buf[64];
				const fv_report_cell *x = cell(t, r, c);
				if (c)
					fv_buf_addc(out, ',');
				csv_cell(out, cell_str(x, buf), x->kind == FV_CELL_TEXT);
			}
			fv_buf_adds(out, "\r\n");
		}
	}
	if (rep->nnotes) {
		fv_buf_adds(out, "\r\nnote\r\n");
		for (size_t i = 0; i < rep->nnotes; i++)
			csv_row(out, (const char *const *)&rep->notes[i], 1);
	}
}

/* ---- JSON -------------------------------------------------------------- */

/* Written as the rows are walked, in the layout json_dumps gives with
 * JSON_INDENT(2), JSON_PRESERVE_ORDER and JSON_REAL_PRECISION(15) (what
 * this writer made before; test_report compares the two): a tree of a
 * year's rows in jansson took more memory than the report itself.  As
 * jansson does, a text that is not UTF-8 is left out (its key, its array
 * item), and so is a table whose name or title is not. */

/* The length of the valid UTF-8 sequence at s (n bytes left), 0 when not:
 * no overlong forms, surrogates or code points past U+10FFFF, no NUL. */
static size_t utf8_at(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned cp;
	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c < 0xC2 || c > 0xF4)
		return 0;
	len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = c & (0x7F >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

static int utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	while (n) {
		size_t k = utf8_at(p, n);
		if (!k)
			return 0;
		p += k;
		n -= k;
	}
	return 1;
}

/* s (valid UTF-8) as a JSON string. */
static void json_str(fv_buf *b, const char *s)
{
	fv_buf_addc(b, '"');
	for (const char *run = s;; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		fv_buf_add(b, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case 0: fv_buf_addc(b, '"'); return;
		case '"': fv_buf_adds(b, "\\\""); break;
		case '\\': fv_buf_adds(b, "\\\\"); break;
		case '\b': fv_buf_adds(b, "\\b"); break;
		case '\f': fv_buf_adds(b, "\\f"); break;
		case '\n': fv_buf_adds(b, "\\n"); break;
		case '\r': fv_buf_adds(b, "\\r"); break;
		case '\t': fv_buf_adds(b, "\\t"); break;
		default: fv_buf_addf(b, "\\u%04X", c); break;
		}
	}
}

/* A real as jansson writes it at precision 15: %.15g, ".0" when it
 * reads as an integer, the exponent without '+' or leading zeros. */
static void json_real_str(fv_buf *b, double v)
{
	char t[64], *e;
	snprintf(t, sizeof t, "%.15g", v);
	if (!strchr(t, '.') && !strchr(t, 'e'))
		strcat(t, ".0");
	if ((e = strchr(t, 'e')) != NULL) {
		char *start = e + 1, *end;
		if (*start == '-')
			start++;
		end = start;
		while (*end == '+' || *end == '0')
			end++;
		if (end != start)
			memmove(start, end, strlen(end) + 1);
	}
	fv_buf_adds(b, t);
}

/* A cell's value, or 0 when jansson would have none (text not UTF-8, a
 * real that is not finite). */
static int cell_ok(const fv_report_cell *c)
{
	return c->kind == FV_CELL_TEXT	  ? utf8_ok(c->text)
	       : c->kind == FV_CELL_PERCENT ? isfinite(c->num)
					    : 1;
}

static void cell_val(fv_buf *b, const fv_report_cell *c)
{
	switch (c->kind) {
	case FV_CELL_TEXT:
		json_str(b, c->text);
		return;
	case FV_CELL_INT:
		fv_buf_addf(b, "%lld", (long long)c->num);
		return;
	case FV_CELL_PERCENT:
		json_real_str(b, c->num);
		return;
	case FV_CELL_EMPTY:
		break;
	}
	fv_buf_adds(b, "null");
}

static void indent(fv_buf *b, int depth)
{
	fv_buf_addc(b, '\n');
	for (int i = 0; i < depth; i++)
		fv_buf_adds(b, "  ");
}

/* One member "key": of an object at depth (first: no comma before). */
static void json_key(fv_buf *b, int depth, int *first, const char *key)
{
	if (!*first)
		fv_buf_addc(b, ',');
	*first = 0;
	indent(b, depth + 1);
	json_str(b, key);
	fv_buf_adds(b, ": ");
}

/* An array of texts (the invalid left out) at depth. */
static void json_texts(fv_buf *b, int depth, const char *const *v, size_t n)
{
	size_t shown = 0;
	fv_buf_addc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (!utf8_ok(v[i]))
			continue;
		if (shown++)
			fv_buf_addc(b, ',');
		indent(b, depth + 1);
		json_str(b, v[i]);
	}
	if (shown)
		indent(b, depth);
	fv_buf_addc(b, ']');
}

static void write_json(const fv_report *rep, fv_buf *out)
{
	char a[16], b[16], d[16];
	const char *top[7] = {fv_report_name(rep->kind), rep->period.label, a, b, d,
			      rep->village, rep->worker};
	fv_date_format(rep->period.first, a);
	fv_date_format(rep->period.last, b);
	fv_date_format(rep->day, d);
	for (int i = 0; i < 7; i++)
		if (top[i] && !utf8_ok(top[i])) {
			/* jansson could not make the report's object */
			fputs("fieldvisit: out of memory\n", stderr);
			exit(4);
		}
	static const char *const keys[7] = {"report", "period", "from", "to", "day", "village",
					    "worker"};
	int first = 1;
	fv_buf_addc(out, '{');
	for (int i = 0; i < 7; i++) {
		json_key(out, 0, &first, keys[i]);
		if (top[i])
			json_str(out, top[i]);
		else
			fv_buf_adds(out, "null");
	}
	json_key(out, 0, &first, "tables");
	int tfirst = 1;
	fv_buf_addc(out, '{');
	for (size_t i = 0; i < rep->ntables; i++) {
		const fv_report_table *t = &rep->tables[i];
		if (!utf8_ok(t->name) || !utf8_ok(t->title))
			continue;
		json_key(out, 1, &tfirst, t->name);
		int f = 1;
		fv_buf_addc(out, '{');
		json_key(out, 2, &f, "title");
		json_str(out, t->title);
		json_key(out, 2, &f, "columns");
		json_texts(out, 3, t->cols, t->ncols);
		json_key(out, 2, &f, "rows");
		fv_buf_addc(out, '[');
		for (size_t r = 0; r < t->nrows; r++) {
			if (r)
				fv_buf_addc(out, ',');
			indent(out, 4);
			int rf = 1;
			fv_buf_addc(out, '{');
			for (size_t c = 0; c < t->ncols; c++) {
				const fv_report_cell *x = cell(t, r, c);
				if (!utf8_ok(t->cols[c]) || !cell_ok(x))
					continue;
				json_key(out, 4, &rf, t->cols[c]);
				cell_val(out, x);
			}
			if (!rf)
				indent(out, 4);
			fv_buf_addc(out, '}');
		}
		if (t->nrows)
			indent(out, 3);
		fv_buf_addc(out, ']');
		indent(out, 2);
		fv_buf_addc(out, '}');
	}
	if (!tfirst)
		indent(out, 1);
	fv_buf_addc(out, '}');
	json_key(out, 0, &first, "notes");
	json_texts(out, 1, (const char *const *)rep->notes, rep->nnotes);
	indent(out, 0);
	fv_buf_adds(out, "}\n");
}

/* ---- HTML -------------------------------------------------------------- */

static void html_text(fv_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fv_buf_adds(b, "&amp;"); break;
		case '<': fv_buf_adds(b, "&lt;"); break;
		case '>': fv_buf_adds(b, "&gt;"); break;
		case '"': fv_buf_adds(b, "&quot;"); break;
		case '\'': fv_buf_adds(b, "&#39;"); break;
		default: fv_buf_addc(b, *s);
		}
	}
}

/* A horizontal bar chart of a table: one bar (or two) per row. */
static void html_chart(fv_buf *b, const fv_report_table *t)
{
	enum { LABEL = 170, BARS = 420, ROW = 18, TOP = 22 };
	double max = isnan(t->chart_line) ? 0 : t->chart_line;
	int nv = t->chart_value[1] >= 0 ? 2 : 1;
	for (size_t r = 0; r < t->nrows; r++)
		for (int k = 0; k < nv; k++) {
			const fv_report_cell *c = cell(t, r, (size_t)t->chart_value[k]);
			if (c->kind != FV_CELL_EMPTY && c->kind != FV_CELL_TEXT && c->num > max)
				max = c->num;
		}
	if (max <= 0)
		max = 1;
	size_t h = TOP + t->nrows * (size_t)ROW * (size_t)nv + 8;
	fv_buf_addf(b, "<svg class=\"chart\" width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\""
		       " xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">\n",
		    LABEL + BARS + 60, h, LABEL + BARS + 60, h);
	fv_buf_adds(b, "<text x=\"0\" y=\"14\" class=\"legend\">");
	for (int k = 0; k < nv; k++) {
		fv_buf_addf(b, "<tspan class=\"s%d\">&#9632;</tspan> ", k);
		html_text(b, t->cols[t->chart_value[k]]);
		fv_buf_adds(b, "  ");
	}
	fv_buf_adds(b, "</text>\n");
	for (size_t r = 0; r < t->nrows; r++) {
		char lab[64];
		size_t y = TOP + r * (size_t)ROW * (size_t)nv;
		fv_buf_addf(b, "<text x=\"%d\" y=\"%zu\" class=\"label\">", LABEL - 6, y + 13);
		html_text(b, cell_str(cell(t, r, (size_t)t->chart_label), lab));
		fv_buf_adds(b, "</text>\n");
		for (int k = 0; k < nv; k++) {
			char v[64];
			const fv_report_cell *c = cell(t, r, (size_t)t->chart_value[k]);
			double x = c->kind == FV_CELL_INT || c->kind == FV_CELL_PERCENT ? c->num : 0;
			double w = x / max * BARS;
			size_t yy = y + (size_t)k * ROW;
			fv_buf_addf(b, "<rect class=\"s%d\" x=\"%d\" y=\"%zu\" width=\"%.1f\""
				       " height=\"%d\"/>",
				    k, LABEL, yy + 3, w, ROW - 5);
			fv_buf_addf(b, "<text x=\"%.1f\" y=\"%zu\" class=\"value\">%s</text>\n",
				    LABEL + w + 4, yy + 13, cell_str(c, v));
		}
	}
	if (!isnan(t->chart_line)) {
		double x = LABEL + t->chart_line / max * BARS;
		fv_buf_addf(b, "<line class=\"line\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%zu\"/>\n",
			    x, TOP - 4, x, h - 4);
	}
	fv_buf_adds(b, "</svg>\n");
}

static void write_html(const fv_report *rep, fv_buf *b)
{
	char *h = heading(rep);
	fv_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n"
		       "<title>");
	html_text(b, h);
	fv_buf_adds(b,
		"</title>\n<style>\n"
		"@page { size: A4; margin: 15mm 12mm; }\n"
		"body { font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"Microsoft YaHei\","
		" \"SimSun\", sans-serif; font-size: 10pt; color: #000; max-width: 186mm; margin: auto; }\n"
		"h1 { font-size: 14pt; } h2 { font-size: 11pt; margin-top: 1.2em; }\n"
		"table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }\n"
		"th, td { border: 1px solid #999; padding: 2px 4px; text-align: left;"
		" overflow-wrap: anywhere; }\n"
		"td.n { text-align: right; } th { background: #e8e8e8; }\n"
		"thead { display: table-header-group; } tr { page-break-inside: avoid; }\n"
		"tr.mark td { background: #fde0dc; font-weight: bold; }\n"
		"svg.chart { display: block; margin: 0.5em 0; page-break-inside: avoid; }\n"
		".label { text-anchor: end; font-size: 10px; } .value, .legend { font-size: 10px; }\n"
		"rect.s0, tspan.s0 { fill: #3b6ea8; } rect.s1, tspan.s1 { fill: #9cc3e6; }\n"
		".line { stroke: #c0392b; stroke-width: 1.5; stroke-dasharray: 4 3; }\n"
		"p.note { font-size: 9pt; color: #333; }\n"
		"</style>\n</head>\n<body>\n<h1>");
	html_text(b, h);
	fv_buf_adds(b, "</h1>\n");
	free(h);
	for (size_t i = 0; i < rep->ntables; i++) {
		const fv_report_table *t = &rep->tables[i];
		fv_buf_adds(b, "<h2>");
		html_text(b, t->title);
		fv_buf_adds(b, "</h2>\n");
		if (t->chart_label >= 0 && t->nrows)
			html_chart(b, t);
		if (t->nrows == 0) {
			fv_buf_adds(b, "<p>none</p>\n");
			continue;
		}
		fv_buf_addf(b, "<table id=\"%s\">\n<thead><tr>", t->name);
		for (size_t c = 0; c < t->ncols; c++) {
			fv_buf_adds(b, "<th>");
			html_text(b, t->cols[c]);
			fv_buf_adds(b, "</th>");
		}
		fv_buf_adds(b, "</tr></thead>\n<tbody>\n");
		for (size_t r = 0; r < t->nrows; r++) {
			fv_buf_adds(b, t->marked[r] ? "<tr class=\"mark\">" : "<tr>");
			for (size_t c = 0; c < t->ncols; c++) {
				char buf[64];
				const fv_report_cell *x = cell(t, r, c);
				fv_buf_adds(b, x->kind == FV_CELL_INT || x->kind == FV_CELL_PERCENT
						       ? "<td class=\"n\">"
						       : "<td>");
				html_text(b, cell_str(x, buf));
				fv_buf_adds(b, "</td>");
			}
			fv_buf_adds(b, "</tr>\n");
		}
		fv_buf_adds(b, "</tbody>\n</table>\n");
	}
	for (size_t i = 0; i < rep->nnotes; i++) {
		fv_buf_adds(b, "<p class=\"note\">");
		html_text(b, rep->notes[i]);
		fv_buf_adds(b, "</p>\n");
	}
	fv_buf_adds(b, "</body>\n</html>\n");
}

/* ---------------------------------------------------------------------- */

int fv_cli_report_format_parse(const char *s, fv_cli_report_format *out)
{
	static const char *const names[] = {"text", "csv", "json", "html"};
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (fv_cli_report_format)i;
			return 1;
		}
	return 0;
}

void fv_cli_report_write(const fv_report *rep, fv_cli_report_format fmt, int bom, fv_buf *out)
{
	switch (fmt) {
	case FV_REPORT_TEXT: write_text(rep, out); break;
	case FV_REPORT_CSV: write_csv(rep, bom, out); break;
	case FV_REPORT_JSON: write_json(rep, out); break;
	case FV_REPORT_HTML: write_html(rep, out); break;
	}
}
