/*
 * fieldvisit rules: the layout of a rule file, and its cells.
 *
 * The CSV is read by the forms module's RFC 4180 reader (fv_csv_parse);
 * here it is cut into blocks (empty rows separate them, '#' rows are
 * comments), each block's header is matched against the columns its table
 * expects, and each cell is read by its column's type.  Every problem is
 * an error "FILE:LINE: message", and reading goes on after it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules_internal.h"

/* A cell as it appears in a message: at most SHOW_CHARS characters,
 * control characters as \xNN, so that a message stays one readable line
 * whatever the file holds. */
#define SHOW_CHARS 40

void rules_fail(rules_file *F, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fv_errors_vadd(F->err, F->name, line, fmt, ap);
	va_end(ap);
	F->failed = 1;
}

static void show(const char *s, char *out, size_t outlen)
{
	fv_buf b;
	size_t n = strlen(s), chars = 0;
	fv_buf_init(&b);
	while (n && chars < SHOW_CHARS) {
		uint32_t cp;
		size_t len = fv_utf8_decode(s, n, &cp);
		if (cp < 0x20 || cp == 0x7f)
			fv_buf_addf(&b, "\\x%02x", (unsigned)cp);
		else
			fv_buf_add(&b, s, len);
		s += len;
		n -= len;
		chars++;
	}
	if (n)
		fv_buf_adds(&b, "...");
	snprintf(out, outlen, "%s", b.s);
	fv_buf_release(&b);
}

int rules_lookup(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return (int)i;
	return -1;
}

/* "a, b or c" */
static void list_text(const char *const *list, size_t n, char *out, size_t outlen)
{
	fv_buf b;
	fv_buf_init(&b);
	for (size_t i = 0; i < n; i++)
		fv_buf_addf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", list[i]);
	snprintf(out, outlen, "%s", b.s);
	fv_buf_release(&b);
}

/*
 * cell as one of n codes: its index in *out and 1, or 0 with why set to
 * "'CELL' is not a, b or c", or "'CELL' is not WHAT (a, b or c)" when what
 * is given.  shown is the cell as it may be quoted.
 */
static int one_of(const char *const *codes, size_t n, const char *cell, const char *shown,
		  const char *what, long *out, char *why, size_t whylen)
{
	char list[256];
	int i = rules_lookup(codes, n, cell);
	if (i >= 0) {
		*out = i;
		return 1;
	}
	list_text(codes, n, list, sizeof list);
	if (what)
		snprintf(why, whylen, "'%s' is not %s (%s)", shown, what, list);
	else
		snprintf(why, whylen, "'%s' is not %s", shown, list);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Blocks                                                              */

static int row_blank(const fv_csv_row *row)
{
	for (size_t c = 0; c < row->ncells; c++)
		if (row->cells[c][0])
			return 0;
	return 1;
}

static int row_comment(const fv_csv_row *row)
{
	return row->ncells > 0 && row->cells[0][0] == '#';
}

int rules_file_open(rules_file *F, const char *name, const char *data, size_t len,
		    fv_errors *err)
{
	rules_block *cur = NULL;

	memset(F, 0, sizeof *F);
	F->name = name;
	F->err = err;
	if (fv_csv_parse(name, data, len, &F->csv, err) != FV_OK) {
		F->failed = 1;
		return 0;
	}
	for (size_t r = 0; r < F->csv.nrows; r++) {
		fv_csv_row *row = &F->csv.rows[r];
		for (size_t c = 0; c < row->ncells; c++)
			fv_trim(row->cells[c]);
		if (row_comment(row))
			continue;
		if (row_blank(row)) {
			cur = NULL;
			continue;
		}
		if (!cur) {
			F->blocks = fv_xgrow(F->blocks, &F->cap, F->nblocks + 1, sizeof *F->blocks);
			cur = &F->blocks[F->nblocks++];
			memset(cur, 0, sizeof *cur);
			cur->header = row;
			continue;
		}
		cur->rows = fv_xgrow(cur->rows, &cur->cap, cur->nrows + 1, sizeof *cur->rows);
		cur->rows[cur->nrows++] = row;
	}
	return 1;
}

void rules_file_close(rules_file *F)
{
	for (size_t i = 0; i < F->nblocks; i++)
		free(F->blocks[i].rows);
	free(F->blocks);
	fv_csv_release(&F->csv);
	memset(F, 0, sizeof *F);
}

rules_block *rules_block_find(rules_file *F, const char *key)
{
	rules_block *found = NULL;
	for (size_t i = 0; i < F->nblocks; i++) {
		rules_block *b = &F->blocks[i];
		if (strcmp(b->header->cells[0], key) != 0)
			continue;
		b->used = 1;
		if (!found)
			found = b;
		else
			rules_fail(F, b->header->line,
				   "a second '%s' block (the first begins on line %d): put all its rows in one block",
				   key, found->header->line);
	}
	return found;
}

void rules_file_finish(rules_file *F, const char *expected)
{
	for (size_t i = 0; i < F->nblocks; i++) {
		char cell[SHOW_CHARS * 4 + 8];
		if (F->blocks[i].used)
			continue;
		show(F->blocks[i].header->cells[0], cell, sizeof cell);
		rules_fail(F, F->blocks[i].header->line,
			   "unknown block '%s' (an empty row ends a block; the row after it names the columns of the next, the first of them one of: %s)",
			   cell, expected);
	}
}

/* ------------------------------------------------------------------ */
/* Cells                                                               */

static const char *const periods[] = {"month", "quarter", "year", "event"};
static const char *const formulas[] = {"satisfied_share", "mean_score"};

static int valid_code(const char *s)
{
	if (!islower((unsigned char)*s))
		return 0;
	for (s++; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Read 1 to max digits at *s; advances *s. */
static int read_digits(const char **s, int max, int *out)
{
	int v = 0, n = 0;
	while (n < max && isdigit((unsigned char)**s)) {
		v = v * 10 + (**s - '0');
		(*s)++;
		n++;
	}
	*out = v;
	return n > 0;
}

/* YYYY-MM-DD, or YYYY/M/D and YYYY-M-D as spreadsheets write a date cell
 * back in a Chinese locale. */
static int parse_date(const char *s, int32_t *days)
{
	int y, m, d;
	char sep;
	if (fv_date_parse(s, days))
		return 1;
	if (strlen(s) < 8 || !isdigit((unsigned char)s[0]) || !read_digits(&s, 4, &y) ||
	    y < 1000)
		return 0;
	sep = *s++;
	if ((sep != '/' && sep != '-') || !read_digits(&s, 2, &m) || *s++ != sep ||
	    !read_digits(&s, 2, &d) || *s)
		return 0;
	return fv_date_from_ymd(y, m, d, days);
}

static int parse_yesno(const char *s, long *out)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0) {
		*out = 1;
		return 1;
	}
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0) {
		*out = 0;
		return 1;
	}
	return 0;
}

static int parse_phone(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[n - 1]))
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && !(*s == '-' && s[1] != '-'))
			return 0;
	return 1;
}

static int parse_version(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '-' && *s != '_')
			return 0;
	return 1;
}

/* One or more category codes separated by spaces, each once. */
static int parse_categories(const char *s, char *why, size_t whylen)
{
	size_t ncat;
	const char *const *cats = fv_category_codes(&ncat);
	char *copy = fv_xstrdup(s), *save = NULL, shown[SHOW_CHARS * 4 + 8], list[256];
	unsigned long seen = 0;
	int ok = 1;
	for (char *w = strtok_r(copy, " \t", &save); w && ok; w = strtok_r(NULL, " \t", &save)) {
		int i = rules_lookup(cats, ncat, w);
		show(w, shown, sizeof shown);
		if (i < 0) {
			list_text(cats, ncat, list, sizeof list);
			snprintf(why, whylen, "'%s' is not a category (%s)", shown, list);
			ok = 0;
		} else if (seen & (1UL << i)) {
			snprintf(why, whylen, "'%s' is given twice", shown);
			ok = 0;
		}
		if (i >= 0)
			seen |= 1UL << i;
	}
	free(copy);
	return ok;
}

int rules_value_parse(const rules_col *col, const char *cell, rules_value *v, char *why,
		      size_t whylen)
{
	char shown[SHOW_CHARS * 4 + 8];
	size_t n;
	const char *const *codes;

	memset(v, 0, sizeof *v);
	v->s = cell;
	v->empty = *cell == '\0';
	show(cell, shown, sizeof shown);
	if (col->type == RV_NOTE || col->type == RV_ANY)
		return 1;
	if (v->empty && col->type == RV_COUNT_OPT)
		return 1;
	if (v->empty) {
		snprintf(why, whylen, "is empty");
		return 0;
	}
	switch (col->type) {
	case RV_CODE:
		if (valid_code(cell))
			return 1;
		snprintf(why, whylen, "'%s' is not a code (use a-z, 0-9 and _, starting with a letter)",
			 shown);
		return 0;
	case RV_TEXT:
		if (!has_control(cell))
			return 1;
		snprintf(why, whylen, "has a line break or another control character");
		return 0;
	case RV_COUNT:
	case RV_COUNT_OPT:
		if (!fv_parse_long(cell, &v->n)) {
			snprintf(why, whylen, "'%s' is not a whole number", shown);
			return 0;
		}
		if (v->n < col->min) {
			if (col->min == 0)
				snprintf(why, whylen, "'%s' is negative", shown);
			else
				snprintf(why, whylen, "'%s' is less than %ld", shown, col->min);
			return 0;
		}
		if (v->n > RULES_MAX_COUNT) {
			snprintf(why, whylen, "'%s' is more than %ld", shown, RULES_MAX_COUNT);
			return 0;
		}
		return 1;
	case RV_PERCENT: {
		char *num = fv_xstrdup(cell);
		size_t len = strlen(num);
		int ok;
		if (len > 0 && num[len - 1] == '%')
			num[len - 1] = '\0';
		ok = fv_parse_double(num, &v->d);
		free(num);
		if (!ok) {
			snprintf(why, whylen, "'%s' is not a number", shown);
			return 0;
		}
		if (v->d < 0 || v->d > 100) {
			snprintf(why, whylen, "'%s' is not a percentage from 0 to 100", shown);
			return 0;
		}
		return 1;
	}
	case RV_DATE:
		if (parse_date(cell, &v->date))
			return 1;
		snprintf(why, whylen, "'%s' is not a date (YYYY-MM-DD)", shown);
		return 0;
	case RV_YEAR: {
		const char *p = cell;
		int y;
		if (strlen(cell) == 4 && read_digits(&p, 4, &y) && !*p && y >= 1000) {
			v->n = y;
			return 1;
		}
		snprintf(why, whylen, "'%s' is not a year (YYYY)", shown);
		return 0;
	}
	case RV_YESNO:
		if (parse_yesno(cell, &v->n))
			return 1;
		snprintf(why, whylen, "'%s' is not yes or no", shown);
		return 0;
	case RV_PERIOD:
	case RV_PERIOD_EVENT:
		n = col->type == RV_PERIOD ? 3 : 4;
		return one_of(periods, n, cell, shown, NULL, &v->n, why, whylen);
	case RV_FORMULA:
		n = sizeof formulas / sizeof formulas[0];
		return one_of(formulas, n, cell, shown, NULL, &v->n, why, whylen);
	case RV_CATEGORY:
		codes = fv_category_codes(&n);
		return one_of(codes, n, cell, shown, "a category", &v->n, why, whylen);
	case RV_CATEGORIES:
		return parse_categories(cell, why, whylen);
	case RV_SERVICE:
		codes = fv_service_codes(&n);
		return one_of(codes, n, cell, shown, "a service item", &v->n, why, whylen);
	case RV_PHONE:
		if (parse_phone(cell))
			return 1;
		snprintf(why, whylen, "'%s' is not a phone number (digits and -)", shown);
		return 0;
	case RV_VERSION:
		if (parse_version(cell))
			return 1;
		snprintf(why, whylen, "'%s' is not a version (letters, digits, '.', '-' and '_')",
			 shown);
		return 0;
	case RV_NOTE:
	case RV_ANY:
		break;
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* Reading a block                                                     */

/* Match the header of b with cols: map[c] is the column of cols that
 * header cell c names, or -1 for an empty header cell.  at[k] is the
 * header cell of cols[k], or -1.  Returns 0 (errors reported) when the
 * header is wrong. */
static int match_header(rules_file *F, const rules_block *b, const rules_col *cols,
			size_t ncols, int *map, int *at)
{
	const fv_csv_row *h = b->header;
	int ok = 1;
	char shown[SHOW_CHARS * 4 + 8];

	for (size_t k = 0; k < ncols; k++)
		at[k] = -1;
	for (size_t c = 0; c < h->ncells; c++) {
		int k = -1;
		map[c] = -1;
		if (!h->cells[c][0])
			continue;   /* an empty header cell: spreadsheets pad rows */
		for (size_t i = 0; i < ncols && k < 0; i++)
			if (strcmp(cols[i].name, h->cells[c]) == 0)
				k = (int)i;
		show(h->cells[c], shown, sizeof shown);
		if (k < 0) {
			fv_buf names;
			fv_buf_init(&names);
			for (size_t i = 0; i < ncols; i++)
				fv_buf_addf(&names, "%s%s", i ? ", " : "", cols[i].name);
			rules_fail(F, h->line, "unknown column '%s' (the %s block has %s)", shown,
				   cols[0].name, names.s);
			fv_buf_release(&names);
			ok = 0;
		} else if (at[k] >= 0) {
			rules_fail(F, h->line, "column '%s' appears twice", shown);
			ok = 0;
		} else {
			map[c] = k;
			at[k] = (int)c;
		}
	}
	for (size_t k = 0; k < ncols; k++)
		if (at[k] < 0 && cols[k].type != RV_NOTE) {
			rules_fail(F, h->line, "missing column '%s'", cols[k].name);
			ok = 0;
		}
	return ok;
}

int rules_block_read(rules_file *F, const rules_block *b, const rules_col *cols, size_t ncols,
		     void (*row)(void *ctx, int line, const rules_value *vals), void *ctx)
{
	const fv_csv_row *h = b->header;
	int *map = fv_xcalloc(h->ncells + 1, sizeof *map);
	int *at = fv_xcalloc(ncols + 1, sizeof *at);
	rules_value *vals = fv_xcalloc(ncols + 1, sizeof *vals);
	int ok = match_header(F, b, cols, ncols, map, at), all = ok;

	if (ok && b->nrows == 0) {
		rules_fail(F, h->line, "the %s block has no rows", cols[0].name);
		ok = 0;
	}
	for (size_t r = 0; ok && r < b->nrows; r++) {
		const fv_csv_row *d = b->rows[r];
		int good = 1;
		for (size_t k = 0; k < ncols; k++) {
			char why[512];
			int c = at[k];
			const char *cell = c >= 0 && (size_t)c < d->ncells ? d->cells[c] : "";
			if (!rules_value_parse(&cols[k], cell, &vals[k], why, sizeof why)) {
				rules_fail(F, d->line, "%s: %s", cols[k].name, why);
				good = 0;
			}
		}
		for (size_t c = h->ncells; c < d->ncells; c++) {
			if (!d->cells[c][0])
				continue;
			rules_fail(F, d->line, "cell %zu is past the last column of the header on line %d",
				   c + 1, h->line);
			good = 0;
			break;
		}
		if (good)
			row(ctx, d->line, vals);
		else
			all = 0;
	}
	free(map);
	free(at);
	free(vals);
	return ok && all;
}

/* ------------------------------------------------------------------ */
/* Settings blocks                                                     */

typedef struct settings_ctx {
	rules_file *F;
	const rules_col *keys;
	size_t nkeys;
	rules_value *vals;
	int *lines;
	int ok;
} settings_ctx;

static void settings_row(void *vctx, int line, const rules_value *v)
{
	settings_ctx *S = vctx;
	char shown[SHOW_CHARS * 4 + 8], why[512];
	int k = -1;
	for (size_t i = 0; i < S->nkeys && k < 0; i++)
		if (strcmp(S->keys[i].name, v[0].s) == 0)
			k = (int)i;
	show(v[0].s, shown, sizeof shown);
	if (k < 0) {
		fv_buf names;
		fv_buf_init(&names);
		for (size_t i = 0; i < S->nkeys; i++)
			fv_buf_addf(&names, "%s%s", i ? ", " : "", S->keys[i].name);
		rules_fail(S->F, line, "unknown setting '%s' (the settings are %s)", shown, names.s);
		fv_buf_release(&names);
		S->ok = 0;
		return;
	}
	if (S->lines[k]) {
		rules_fail(S->F, line, "setting '%s' appears twice (first on line %d)", shown,
			   S->lines[k]);
		S->ok = 0;
		return;
	}
	S->lines[k] = line;
	if (!rules_value_parse(&S->keys[k], v[1].s, &S->vals[k], why, sizeof why)) {
		rules_fail(S->F, line, "%s: %s", S->keys[k].name, why);
		S->ok = 0;
	}
}

int rules_settings_read(rules_file *F, const rules_block *b, const rules_col *keys,
			size_t nkeys, rules_value *vals, int *lines)
{
	static const rules_col cols[] = {
		{"setting", RV_CODE, 0},
		{"value", RV_ANY, 0},
		{"note", RV_NOTE, 0},
	};
	settings_ctx S = {F, keys, nkeys, vals, lines, 1};
	memset(lines, 0, nkeys * sizeof *lines);
	/* a row with a bad cell may hold any setting: then "missing" would
	 * only add noise */
	if (!rules_block_read(F, b, cols, sizeof cols / sizeof cols[0], settings_row, &S))
		return 0;
	for (size_t k = 0; k < nkeys; k++)
		if (!lines[k]) {
			rules_fail(F, b->header->line, "missing setting '%s'", keys[k].name);
			S.ok = 0;
		}
	return S.ok;
}
