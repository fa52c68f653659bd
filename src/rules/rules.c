/*
 * fieldvisit rules: the seven rule tables, the rule set and its accessors.
 *
 * Each table is read into a scratch set first and moved into the caller's
 * set only when it has no error, so a set never holds half a table; and
 * fv_rules_load_dir hands out a set only when every table is there.  The
 * vocabulary a table may use (the categories of people, the service items,
 * the callers) is the store's; every number is the table's.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rules_internal.h"

static const char *const table_names[FV_RULES_NTABLES] = {
	[FV_RULES_VISIT_FREQUENCY] = "visit_frequency",
	[FV_RULES_FESTIVALS] = "festivals",
	[FV_RULES_SATISFACTION] = "satisfaction",
	[FV_RULES_CALLBACKS] = "callbacks",
	[FV_RULES_SERVICES] = "services",
	[FV_RULES_HOTLINES] = "hotlines",
	[FV_RULES_SETTINGS] = "settings",
};

/* The blocks of each table, for the message about an unknown block. */
static const char *const table_blocks[FV_RULES_NTABLES] = {
	[FV_RULES_VISIT_FREQUENCY] = "table, category",
	[FV_RULES_FESTIVALS] = "table, festival, year",
	[FV_RULES_SATISFACTION] = "table, setting, level",
	[FV_RULES_CALLBACKS] = "table, caller",
	[FV_RULES_SERVICES] = "table, setting, service",
	[FV_RULES_HOTLINES] = "table, hotline",
	[FV_RULES_SETTINGS] = "table, setting",
};

/* The person categories and service items of the store (store.h). */
/* Who calls back the daily work orders (DOMAIN.md, from source 004):
 * both must have a row. */
static const char *const caller_codes[] = {"provider", "district"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct meta {
	int loaded;
	char *version;
	int32_t effective;
	char *source;
	size_t source_len;
	char **strings;        /* every string the table's rows point to */
	size_t nstrings, scap;
} meta;

struct fv_rules {
	meta meta[FV_RULES_NTABLES];
	struct {
		fv_rules_frequency *v;
		size_t n, cap;
	} freq;
	struct {
		fv_rules_festival *v;
		size_t n, cap;
		int first_year;
		size_t nyears;
		int32_t *dates;        /* nyears rows of n dates */
		size_t dcap;
	} fest;
	struct {
		fv_rules_level *v;
		size_t n, cap;
		double threshold;
		fv_rules_formula formula;
		fv_rules_period survey;
	} sat;
	struct {
		fv_rules_caller *v;
		size_t n, cap;
	} calls;
	struct {
		fv_rules_service *v;
		size_t n, cap;
		int min_items;
	} serv;
	struct {
		fv_rules_hotline *v;
		size_t n, cap;
	} hot;
	struct {
		int lock_minutes, retention_days, alert_followup_days;
		int max_visits_per_day, max_record_delay_hours, same_minute_min_visits;
		int copied_min_people;
		double same_minute_percent;
	} set;
};

const char *fv_rules_table_name(fv_rules_table t)
{
	return (unsigned)t < FV_RULES_NTABLES ? table_names[t] : "?";
}

int fv_rules_table_parse(const char *name, fv_rules_table *out)
{
	int i = rules_lookup(table_names, FV_RULES_NTABLES, name);
	if (i < 0)
		return 0;
	*out = (fv_rules_table)i;
	return 1;
}

const char *fv_rules_period_name(fv_rules_period p)
{
	static const char *const names[] = {"month", "quarter", "year", "event"};
	return (unsigned)p < COUNT(names) ? names[p] : "?";
}

const char *fv_rules_formula_name(fv_rules_formula f)
{
	static const char *const names[] = {"satisfied_share", "mean_score"};
	return (unsigned)f < COUNT(names) ? names[f] : "?";
}

/* ------------------------------------------------------------------ */
/* The set                                                             */

fv_rules *fv_rules_new(void)
{
	return fv_xcalloc(1, sizeof(fv_rules));
}

static void release_table(fv_rules *r, fv_rules_table t)
{
	meta *m = &r->meta[t];
	for (size_t i = 0; i < m->nstrings; i++)
		free(m->strings[i]);
	free(m->strings);
	free(m->version);
	free(m->source);
	memset(m, 0, sizeof *m);
	switch (t) {
	case FV_RULES_VISIT_FREQUENCY:
		free(r->freq.v);
		memset(&r->freq, 0, sizeof r->freq);
		break;
	case FV_RULES_FESTIVALS:
		free(r->fest.v);
		free(r->fest.dates);
		memset(&r->fest, 0, sizeof r->fest);
		break;
	case FV_RULES_SATISFACTION:
		free(r->sat.v);
		memset(&r->sat, 0, sizeof r->sat);
		break;
	case FV_RULES_CALLBACKS:
		free(r->calls.v);
		memset(&r->calls, 0, sizeof r->calls);
		break;
	case FV_RULES_SERVICES:
		free(r->serv.v);
		memset(&r->serv, 0, sizeof r->serv);
		break;
	case FV_RULES_HOTLINES:
		free(r->hot.v);
		memset(&r->hot, 0, sizeof r->hot);
		break;
	case FV_RULES_SETTINGS:
		memset(&r->set, 0, sizeof r->set);
		break;
	}
}

/* Move table t from src into dst (whose table t is released first). */
static void move_table(fv_rules *dst, fv_rules *src, fv_rules_table t)
{
	release_table(dst, t);
	dst->meta[t] = src->meta[t];
	memset(&src->meta[t], 0, sizeof src->meta[t]);
	switch (t) {
	case FV_RULES_VISIT_FREQUENCY:
		dst->freq = src->freq;
		memset(&src->freq, 0, sizeof src->freq);
		break;
	case FV_RULES_FESTIVALS:
		dst->fest = src->fest;
		memset(&src->fest, 0, sizeof src->fest);
		break;
	case FV_RULES_SATISFACTION:
		dst->sat = src->sat;
		memset(&src->sat, 0, sizeof src->sat);
		break;
	case FV_RULES_CALLBACKS:
		dst->calls = src->calls;
		memset(&src->calls, 0, sizeof src->calls);
		break;
	case FV_RULES_SERVICES:
		dst->serv = src->serv;
		memset(&src->serv, 0, sizeof src->serv);
		break;
	case FV_RULES_HOTLINES:
		dst->hot = src->hot;
		memset(&src->hot, 0, sizeof src->hot);
		break;
	case FV_RULES_SETTINGS:
		dst->set = src->set;
		memset(&src->set, 0, sizeof src->set);
		break;
	}
}

void fv_rules_free(fv_rules *r)
{
	if (!r)
		return;
	for (int t = 0; t < FV_RULES_NTABLES; t++)
		release_table(r, (fv_rules_table)t);
	free(r);
}

fv_status fv_rules_check_complete(const fv_rules *r, fv_errors *err)
{
	fv_status st = FV_OK;
	for (int t = 0; t < FV_RULES_NTABLES; t++) {
		if (r->meta[t].loaded)
			continue;
		fv_errors_add(err, NULL, 0, "the rule set has no %s table", table_names[t]);
		st = FV_EINVAL;
	}
	return st;
}

/* ------------------------------------------------------------------ */
/* Reading one table                                                   */

/* A table being read into the scratch set r. */
typedef struct reader {
	rules_file *F;
	fv_rules *r;
	fv_rules_table t;
	const char **seen;     /* codes of the rows read (cells of the file) */
	int *seen_line;
	size_t nseen, seen_cap, seen_line_cap;
	int count[2];          /* satisfaction: satisfied and other levels */
} reader;

/* Keep a copy of s for as long as table t lives. */
static const char *keep(reader *L, const char *s)
{
	meta *m = &L->r->meta[L->t];
	m->strings = fv_xgrow(m->strings, &m->scap, m->nstrings + 1, sizeof *m->strings);
	return m->strings[m->nstrings++] = fv_xstrdup(s);
}

/* Note code (a cell of the file) as seen on line; returns 0 (error
 * reported) when a row of the block already had it. */
static int first_time(reader *L, int line, const char *what, const char *code)
{
	for (size_t i = 0; i < L->nseen; i++) {
		if (strcmp(L->seen[i], code) == 0) {
			rules_fail(L->F, line, "duplicate %s '%s' (first on line %d)", what, code,
				   L->seen_line[i]);
			return 0;
		}
	}
	L->seen = fv_xgrow(L->seen, &L->seen_cap, L->nseen + 1, sizeof *L->seen);
	L->seen_line = fv_xgrow(L->seen_line, &L->seen_line_cap, L->nseen + 1,
				sizeof *L->seen_line);
	L->seen[L->nseen] = code;
	L->seen_line[L->nseen++] = line;
	return 1;
}

static int was_seen(const reader *L, const char *code)
{
	for (size_t i = 0; i < L->nseen; i++)
		if (strcmp(L->seen[i], code) == 0)
			return 1;
	return 0;
}

/* The table block: table, version, effective -- one row, first. */
static void table_row(void *ctx, int line, const rules_value *v)
{
	reader *L = ctx;
	meta *m = &L->r->meta[L->t];
	if (m->version)
		return;   /* a second row: reported by read_table_block */
	if (strcmp(v[0].s, table_names[L->t]) != 0) {
		rules_fail(L->F, line, "table: '%s' is not %s (is this the right file?)", v[0].s,
			   table_names[L->t]);
		return;
	}
	m->version = fv_xstrdup(v[1].s);
	m->effective = v[2].date;
	m->loaded = 1;
}

static void read_table_block(reader *L)
{
	static const rules_col cols[] = {
		{"table", RV_CODE, 0},
		{"version", RV_VERSION, 0},
		{"effective", RV_DATE, 0},
		{"note", RV_NOTE, 0},
	};
	rules_file *F = L->F;
	rules_block *b = rules_block_find(F, "table");

	if (!b) {
		rules_fail(F, F->nblocks ? F->blocks[0].header->line : 0,
			   "the file must begin with the table block: a row 'table,version,effective' and a row of their values");
		return;
	}
	if (b != &F->blocks[0])
		rules_fail(F, b->header->line, "the table block must come first");
	if (b->nrows > 1)
		rules_fail(F, b->rows[1]->line, "a second row in the table block (it has one row only)");
	rules_block_read(F, b, cols, COUNT(cols), table_row, L);
}

/* The block key of a table, or an error "no KEY block". */
static rules_block *need_block(reader *L, const char *key)
{
	rules_block *b = rules_block_find(L->F, key);
	if (!b)
		rules_fail(L->F, 0, "no %s block", key);
	return b;
}

/* ---- visit_frequency ---------------------------------------------- */

static void frequency_row(void *ctx, int line, const rules_value *v)
{
	reader *L = ctx;
	size_t ncat;
	const char *const *cats = fv_category_codes(&ncat);
	fv_rules_period period = (fv_rules_period)v[2].n;
	int ok = first_time(L, line, "category", v[0].s);

	if (period == FV_RULES_EVENT && v[3].empty) {
		rules_fail(L->F, line, "within_days: is empty (period event needs the days after the event within which the visits fall)");
		ok = 0;
	} else if (period != FV_RULES_EVENT && !v[3].empty) {
		rules_fail(L->F, line, "within_days: only for period event (leave it empty for %s)",
			   fv_rules_period_name(period));
		ok = 0;
	}
	if (period == FV_RULES_EVENT && v[5].n) {
		rules_fail(L->F, line, "makeup: must be no for period event");
		ok = 0;
	}
	if (!ok)
		return;
	fv_rules *r = L->r;
	r->freq.v = fv_xgrow(r->freq.v, &r->freq.cap, r->freq.n + 1, sizeof *r->freq.v);
	r->freq.v[r->freq.n++] = (fv_rules_frequency){
		.category = cats[v[0].n],
		.visits = (int)v[1].n,
		.period = period,
		.within_days = (int)v[3].n,
		.min_minutes = (int)v[4].n,
		.makeup = (int)v[5].n,
		.coverage_percent = v[6].d,
		.line = line,
	};
}

static void read_visit_frequency(reader *L)
{
	static const rules_col cols[] = {
		{"category", RV_CATEGORY, 0},
		{"visits", RV_COUNT, 1},
		{"period", RV_PERIOD_EVENT, 0},
		{"within_days", RV_COUNT_OPT, 1},
		{"min_minutes", RV_COUNT, 0},
		{"makeup", RV_YESNO, 0},
		{"coverage_percent", RV_PERCENT, 0},
		{"note", RV_NOTE, 0},
	};
	rules_block *b = need_block(L, "category");
	if (b)
		rules_block_read(L->F, b, cols, COUNT(cols), frequency_row, L);
}

/* ---- festivals ---------------------------------------------------- */

/* "a  b" -> "a b" */
static const char *keep_words(reader *L, const char *s)
{
	fv_buf b;
	char *copy = fv_xstrdup(s), *save = NULL;
	fv_buf_init(&b);
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		fv_buf_addf(&b, "%s%s", b.len ? " " : "", w);
	const char *kept = keep(L, b.s);
	fv_buf_release(&b);
	free(copy);
	return kept;
}

static void festival_row(void *ctx, int line, const rules_value *v)
{
	reader *L = ctx;
	fv_rules *r = L->r;
	if (strcmp(v[0].s, "year") == 0 || strcmp(v[0].s, "note") == 0) {
		rules_fail(L->F, line, "festival: '%s' cannot be a festival code (it names a column of the year block)",
			   v[0].s);
		return;
	}
	if (!first_time(L, line, "festival", v[0].s))
		return;
	r->fest.v = fv_xgrow(r->fest.v, &r->fest.cap, r->fest.n + 1, sizeof *r->fest.v);
	r->fest.v[r->fest.n++] = (fv_rules_festival){
		.code = keep(L, v[0].s),
		.name_zh = keep(L, v[1].s),
		.name_en = keep(L, v[2].s),
		.days_before = (int)v[3].n,
		.days_after = (int)v[4].n,
		.categories = keep_words(L, v[5].s),
	};
}

static void year_row(void *ctx, int line, const rules_value *v)
{
	reader *L = ctx;
	fv_rules *r = L->r;
	int year = (int)v[0].n, ok = 1;
	for (size_t f = 0; f < r->fest.n; f++) {
		int y, m, d;
		char day[16];
		fv_date_to_ymd(v[1 + f].date, &y, &m, &d);
		if (y == year)
			continue;
		fv_date_format(v[1 + f].date, day);
		rules_fail(L->F, line, "%s: %s is not in %d", r->fest.v[f].code, day, year);
		ok = 0;
	}
	if (!ok)
		return;
	if (r->fest.nyears == 0)
		r->fest.first_year = year;
	r->fest.dates = fv_xgrow(r->fest.dates, &r->fest.dcap, (r->fest.nyears + 1) * r->fest.n,
				 sizeof *r->fest.dates);
	for (size_t f = 0; f < r->fest.n; f++)
		r->fest.dates[r->fest.nyears * r->fest.n + f] = v[1 + f].date;
	r->fest.nyears++;
}

/* Where year y is among the n years of a block (0 for a cell that is not
 * a year), from index from on; -1 when it is not. */
static long year_at(const int *years, size_t n, size_t from, int y)
{
	for (size_t i = from; i < n; i++)
		if (years[i] == y)
			return (long)i;
	return -1;
}

/*
 * The years of the year block follow one another: each row's year is the
 * one before plus one.  Checked on the year cells alone, before the rows
 * are read, so that a row with a bad date does not also look like a
 * missing year; and one misplaced row is one error, not two.
 */
static void check_years(reader *L, const rules_block *b)
{
	int *years = fv_xcalloc(b->nrows + 1, sizeof *years);
	int prev = 0;
	long prev_at = -1;

	for (size_t i = 0; i < b->nrows; i++) {
		rules_col col = {"year", RV_YEAR, 0};
		rules_value v;
		char why[256];
		if (rules_value_parse(&col, b->rows[i]->cells[0], &v, why, sizeof why))
			years[i] = (int)v.n;   /* else reported when the row is read */
	}
	for (size_t i = 0; i < b->nrows; i++) {
		int y = years[i], line = b->rows[i]->line;
		long first = y ? year_at(years, i, 0, y) : -1;
		if (!y) {
			if (prev) {
				prev++;
				prev_at = (long)i;
			}
		} else if (first >= 0) {
			rules_fail(L->F, line, "year %d appears twice (first on line %d)", y,
				   b->rows[first]->line);
		} else if (!prev || y == prev + 1) {
			prev = y;
			prev_at = (long)i;
		} else if (y < prev) {
			rules_fail(L->F, line, "year %d comes after %d (write the years in order)", y,
				   prev);
		} else if (year_at(years, b->nrows, i + 1, prev + 1) >= 0) {
			rules_fail(L->F, line, "year %d comes before %d (write the years in order)", y,
				   prev + 1);
		} else {
			/* a year that came too early was reported there */
			if (year_at(years, i, 0, prev + 1) < 0)
				rules_fail(L->F, line,
					   "year %d is missing (between %d on line %d and %d here): every year needs its dates",
					   prev + 1, prev, b->rows[prev_at]->line, y);
			prev = y;
			prev_at = (long)i;
		}
	}
	free(years);
}

static void read_festivals(reader *L)
{
	static const rules_col fcols[] = {
		{"festival", RV_CODE, 0},
		{"name_zh", RV_TEXT, 0},
		{"name_en", RV_TEXT, 0},
		{"days_before", RV_COUNT, 0},
		{"days_after", RV_COUNT, 0},
		{"categories", RV_CATEGORIES, 0},
		{"note", RV_NOTE, 0},
	};
	rules_block *fb = need_block(L, "festival");
	rules_block *yb = need_block(L, "year");
	fv_rules *r = L->r;
	int fests_ok = fb && rules_block_read(L->F, fb, fcols, COUNT(fcols), festival_row, L);

	/* the year block's columns are the festivals: without all of them
	 * its errors would only repeat those of the festival block */
	if (!yb || !fests_ok || r->fest.n != fb->nrows)
		return;
	rules_col *ycols = fv_xcalloc(r->fest.n + 2, sizeof *ycols);
	ycols[0] = (rules_col){"year", RV_YEAR, 0};
	for (size_t f = 0; f < r->fest.n; f++)
		ycols[1 + f] = (rules_col){r->fest.v[f].code, RV_DATE, 0};
	ycols[r->fest.n + 1] = (rules_col){"note", RV_NOTE, 0};
	check_years(L, yb);
	rules_block_read(L->F, yb, ycols, r->fest.n + 2, year_row, L);
	free(ycols);
}

/* ---- satisfaction ------------------------------------------------- */

static void level_row(void *ctx, int line, const rules_value *v)
{
	reader *L = ctx;
	fv_rules *r = L->r;
	if (!first_time(L, line, "level", v[0].s))
		return;
	L->count[v[3].n ? 0 : 1]++;
	r->sat.v = fv_xgrow(r->sat.v, &r->sat.cap, r->sat.n + 1, sizeof *r->sat.v);
	r->sat.v[r->sat.n++] = (fv_rules_level){
		.code = keep(L, v[0].s),
		.name_zh = keep(L, v[1].s),
		.name_en = keep(L, v[2].s),
		.satisfied = (int)v[3].n,
		.score = v[4].d,
	};
}

static void read_satisfaction(reader *L)
{
	static const rules_col keys[] = {
		{"threshold_percent", RV_PERCENT, 0},
		{"formula", RV_FORMULA, 0},
		{"survey_period", RV_PERIOD, 0},
	};
	static const rules_col cols[] = {
		{"level", RV_CODE, 0},
		{"name_zh", RV_TEXT, 0},
		{"name_en", RV_TEXT, 0},
		{"satisfied", RV_YESNO, 0},
		{"score", RV_PERCENT, 0},
		{"note", RV_NOTE, 0},
	};
	rules_value vals[COUNT(keys)];
	int lines[COUNT(keys)];
	rules_block *sb = need_block(L, "setting");
	rules_block *lb = need_block(L, "level");
	fv_rules *r = L->r;

	if (sb && rules_settings_read(L->F, sb, keys, COUNT(keys), vals, lines)) {
		r->sat.threshold = vals[0].d;
		r->sat.formula = (fv_rules_formula)vals[1].n;
		r->sat.survey = (fv_rules_period)vals[2].n;
	}
	if (lb && rules_block_read(L->F, lb, cols, COUNT(cols), level_row, L)) {
		if (!L->count[0])
			rules_fail(L->F, lb->header->line,
				   "no level counts as satisfied (set satisfied to yes for at least one)");
		if (!L->count[1])
			rules_fail(L->F, lb->header->line,
				   "every level counts as satisfied (set satisfied to no for at least one)");
	}
}

/* ---- callbacks ---------------------------------------------------- */

static void caller_row(void *ctx, int line, const rules_value *v)
{
	reader *L = ctx;
	fv_rules *r = L->r;
	if (rules_lookup(caller_codes, COUNT(caller_codes), v[0].s) < 0) {
		rules_fail(L->F, line, "caller: '%s' is not %s or %s", v[0].s, caller_codes[0],
			   caller_codes[1]);
		return;
	}
	if (!first_time(L, line, "caller", v[0].s))
		return;
	r->calls.v = fv_xgrow(r->calls.v, &r->calls.cap, r->calls.n + 1, sizeof *r->calls.v);
	r->calls.v[r->calls.n++] = (fv_rules_caller){
		.code = keep(L, v[0].s),
		.name_zh = keep(L, v[1].s),
		.name_en = keep(L, v[2].s),
		.min_percent = v[3].d,
	};
}

/* After a block read without a bad cell: one row per code of list. */
static void need_every(reader *L, const rules_block *b, const char *what,
		       const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!was_seen(L, list[i]))
			rules_fail(L->F, b->header->line, "no row for %s '%s'", what, list[i]);
}

static void read_callbacks(reader *L)
{
	static const rules_col cols[] = {
		{"caller", RV_CODE, 0},
		{"name_zh", RV_TEXT, 0},
		{"name_en", RV_TEXT, 0},
		{"min_percent", RV_PERCENT, 0},
		{"note", RV_NOTE, 0},
	};
	rules_block *b = need_block(L, "caller");
	if (b && rules_block_read(L->F, b, cols, COUNT(cols), caller_row, L))
		need_every(L, b, "caller", caller_codes, COUNT(caller_codes));
}

/* ---- services ----------------------------------------------------- */

static void service_row(void *ctx, int line, const rules_value *v)
{
	reader *L = ctx;
	fv_rules *r = L->r;
	size_t ncodes;
	const char *const *codes = fv_service_codes(&ncodes);
	if (!first_time(L, line, "service", v[0].s) || (size_t)v[0].n >= ncodes)
		return;
	r->serv.v = fv_xgrow(r->serv.v, &r->serv.cap, r->serv.n + 1, sizeof *r->serv.v);
	r->serv.v[r->serv.n++] = (fv_rules_service){
		.code = codes[v[0].n],
		.name_zh = keep(L, v[1].s),
		.name_en = keep(L, v[2].s),
	};
}

static void read_services(reader *L)
{
	static const rules_col keys[] = {
		{"min_items_per_year", RV_COUNT, 0},
	};
	static const rules_col cols[] = {
		{"service", RV_SERVICE, 0},
		{"name_zh", RV_TEXT, 0},
		{"name_en", RV_TEXT, 0},
		{"note", RV_NOTE, 0},
	};
	rules_value vals[COUNT(keys)];
	int lines[COUNT(keys)], have_min = 0;
	rules_block *sb = need_block(L, "setting");
	rules_block *b = need_block(L, "service");
	fv_rules *r = L->r;

	if (sb && rules_settings_read(L->F, sb, keys, COUNT(keys), vals, lines)) {
		r->serv.min_items = (int)vals[0].n;
		have_min = 1;
	}
	if (b && rules_block_read(L->F, b, cols, COUNT(cols), service_row, L)) {
		size_t ncodes;
		const char *const *codes = fv_service_codes(&ncodes);
		need_every(L, b, "service", codes, ncodes);
		if (have_min && (size_t)r->serv.min_items > ncodes)
			rules_fail(L->F, lines[0], "min_items_per_year: %d is more than the %zu service items",
				   r->serv.min_items, ncodes);
	}
}

/* ---- hotlines ----------------------------------------------------- */

static void hotline_row(void *ctx, int line, const rules_value *v)
{
	reader *L = ctx;
	fv_rules *r = L->r;
	if (!first_time(L, line, "hotline", v[0].s))
		return;
	r->hot.v = fv_xgrow(r->hot.v, &r->hot.cap, r->hot.n + 1, sizeof *r->hot.v);
	r->hot.v[r->hot.n++] = (fv_rules_hotline){
		.id = keep(L, v[0].s),
		.number = keep(L, v[1].s),
		.name_zh = keep(L, v[2].s),
		.name_en = keep(L, v[3].s),
		.last_verified = v[4].date,
	};
}

static void read_hotlines(reader *L)
{
	static const rules_col cols[] = {
		{"hotline", RV_CODE, 0},
		{"number", RV_PHONE, 0},
		{"name_zh", RV_TEXT, 0},
		{"name_en", RV_TEXT, 0},
		{"last_verified", RV_DATE, 0},
		{"note", RV_NOTE, 0},
	};
	rules_block *b = need_block(L, "hotline");
	if (b)
		rules_block_read(L->F, b, cols, COUNT(cols), hotline_row, L);
}

/* ---- settings ----------------------------------------------------- */

static void read_settings(reader *L)
{
	static const rules_col keys[] = {
		{"lock_idle_minutes", RV_COUNT, 1},
		{"retention_days_after_receipt", RV_COUNT, 0},
		{"alert_followup_days", RV_COUNT, 1},
		{"max_visits_per_day", RV_COUNT, 1},
		{"max_record_delay_hours", RV_COUNT, 1},
		{"same_minute_percent", RV_PERCENT, 0},
		{"same_minute_min_visits", RV_COUNT, 1},
		{"copied_min_people", RV_COUNT, 2},
	};
	rules_value vals[COUNT(keys)];
	int lines[COUNT(keys)];
	rules_block *b = need_block(L, "setting");
	if (b && rules_settings_read(L->F, b, keys, COUNT(keys), vals, lines)) {
		L->r->set.lock_minutes = (int)vals[0].n;
		L->r->set.retention_days = (int)vals[1].n;
		L->r->set.alert_followup_days = (int)vals[2].n;
		L->r->set.max_visits_per_day = (int)vals[3].n;
		L->r->set.max_record_delay_hours = (int)vals[4].n;
		L->r->set.same_minute_percent = vals[5].d;
		L->r->set.same_minute_min_visits = (int)vals[6].n;
		L->r->set.copied_min_people = (int)vals[7].n;
	}
}

static void (*const table_readers[FV_RULES_NTABLES])(reader *L) = {
	[FV_RULES_VISIT_FREQUENCY] = read_visit_frequency,
	[FV_RULES_FESTIVALS] = read_festivals,
	[FV_RULES_SATISFACTION] = read_satisfaction,
	[FV_RULES_CALLBACKS] = read_callbacks,
	[FV_RULES_SERVICES] = read_services,
	[FV_RULES_HOTLINES] = read_hotlines,
	[FV_RULES_SETTINGS] = read_settings,
};

fv_status fv_rules_parse_table(fv_rules *r, fv_rules_table t, const char *name,
			       const char *data, size_t len, fv_errors *err)
{
	rules_file F;
	fv_rules *scratch;
	reader L;
	int failed;

	if ((unsigned)t >= FV_RULES_NTABLES) {
		fv_errors_add(err, name, 0, "not a rule table");
		return FV_EINVAL;
	}
	if (!rules_file_open(&F, name, data, len, err)) {
		rules_file_close(&F);
		return FV_EINVAL;
	}
	scratch = fv_rules_new();
	memset(&L, 0, sizeof L);
	L.F = &F;
	L.r = scratch;
	L.t = t;
	read_table_block(&L);
	table_readers[t](&L);
	rules_file_finish(&F, table_blocks[t]);
	failed = F.failed || !scratch->meta[t].loaded;
	rules_file_close(&F);
	free(L.seen);
	free(L.seen_line);
	if (failed) {
		fv_rules_free(scratch);
		return FV_EINVAL;
	}
	scratch->meta[t].source = fv_xmalloc(len + 1);
	memcpy(scratch->meta[t].source, data, len);
	scratch->meta[t].source[len] = '\0';
	scratch->meta[t].source_len = len;
	move_table(r, scratch, t);
	fv_rules_free(scratch);
	return FV_OK;
}

/* ------------------------------------------------------------------ */
/* Loading a folder                                                    */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.csv files of dir that are not tables, sorted, into *names (*n of
 * them).  Returns FV_EIO (error added) when dir cannot be read. */
static fv_status stray_files(const char *dir, char ***names, size_t *n, fv_errors *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;
	fv_rules_table t;

	*names = NULL;
	*n = 0;
	if (!d) {
		fv_errors_add(err, dir, 0, "cannot open the rules folder: %s", strerror(errno));
		return FV_EIO;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0)
			continue;
		char *base = fv_xstrndup(e->d_name, len - 4);
		if (!fv_rules_table_parse(base, &t)) {
			*names = fv_xgrow(*names, &cap, *n + 1, sizeof **names);
			(*names)[(*n)++] = fv_xstrdup(e->d_name);
		}
		free(base);
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof **names, by_name);
	return FV_OK;
}

fv_status fv_rules_load_dir(const char *dir, fv_rules **out, fv_errors *err)
{
	fv_rules *r;
	fv_status st;
	char **strays;
	size_t nstrays;
	int io = 0;

	*out = NULL;
	if ((st = stray_files(dir, &strays, &nstrays, err)) != FV_OK)
		return st;
	r = fv_rules_new();
	for (int t = 0; t < FV_RULES_NTABLES; t++) {
		char *path = fv_xasprintf("%s/%s.csv", dir, table_names[t]), *data;
		size_t len;
		fv_status one = fv_read_file(path, &data, &len, err);
		if (one == FV_OK) {
			one = fv_rules_parse_table(r, (fv_rules_table)t, path, data, len, err);
			free(data);
		}
		if (one == FV_EIO)
			io = 1;
		if (one != FV_OK)
			st = one;
		free(path);
	}
	for (size_t i = 0; i < nstrays; i++) {
		char *path = fv_xasprintf("%s/%s", dir, strays[i]);
		fv_errors_add(err, path, 0,
			      "not a rule table (the tables are visit_frequency, festivals, satisfaction, callbacks, services, hotlines and settings)");
		st = FV_EINVAL;
		free(path);
		free(strays[i]);
	}
	free(strays);
	if (st != FV_OK) {
		fv_rules_free(r);
		return io ? FV_EIO : FV_EINVAL;
	}
	*out = r;
	return FV_OK;
}

/* ------------------------------------------------------------------ */
/* Accessors                                                           */

const char *fv_rules_version(const fv_rules *r, fv_rules_table t)
{
	return r->meta[t].version;
}

int32_t fv_rules_effective(const fv_rules *r, fv_rules_table t)
{
	return r->meta[t].effective;
}

const char *fv_rules_source(const fv_rules *r, fv_rules_table t, size_t *len)
{
	*len = r->meta[t].source_len;
	return r->meta[t].source;
}

size_t fv_rules_frequencies(const fv_rules *r, const fv_rules_frequency **out)
{
	*out = r->freq.v;
	return r->freq.n;
}

const fv_rules_frequency *fv_rules_frequency_for(const fv_rules *r, const char *category)
{
	for (size_t i = 0; i < r->freq.n; i++)
		if (strcmp(r->freq.v[i].category, category) == 0)
			return &r->freq.v[i];
	return NULL;
}

size_t fv_rules_festivals(const fv_rules *r, const fv_rules_festival **out)
{
	*out = r->fest.v;
	return r->fest.n;
}

int fv_rules_festival_find(const fv_rules *r, const char *code)
{
	for (size_t i = 0; i < r->fest.n; i++)
		if (strcmp(r->fest.v[i].code, code) == 0)
			return (int)i;
	return -1;
}

void fv_rules_festival_years(const fv_rules *r, int *first, int *last)
{
	*first = r->fest.first_year;
	*last = r->fest.first_year + (int)r->fest.nyears - 1;
}

int fv_rules_festival_on(const fv_rules *r, size_t f, int year, int32_t *date, int32_t *from,
			 int32_t *to)
{
	if (f >= r->fest.n || year < r->fest.first_year ||
	    year - r->fest.first_year >= (long)r->fest.nyears)
		return 0;
	int32_t day = r->fest.dates[(size_t)(year - r->fest.first_year) * r->fest.n + f];
	if (date)
		*date = day;
	if (from)
		*from = day - r->fest.v[f].days_before;
	if (to)
		*to = day + r->fest.v[f].days_after;
	return 1;
}

size_t fv_rules_levels(const fv_rules *r, const fv_rules_level **out)
{
	*out = r->sat.v;
	return r->sat.n;
}

int fv_rules_level_find(const fv_rules *r, const char *code)
{
	for (size_t i = 0; i < r->sat.n; i++)
		if (strcmp(r->sat.v[i].code, code) == 0)
			return (int)i;
	return -1;
}

fv_rules_formula fv_rules_satisfaction_formula(const fv_rules *r)
{
	return r->sat.formula;
}

double fv_rules_satisfaction_threshold(const fv_rules *r)
{
	return r->sat.threshold;
}

fv_rules_period fv_rules_survey_period(const fv_rules *r)
{
	return r->sat.survey;
}

int fv_rules_satisfaction_rate(const fv_rules *r, const size_t *counts, double *percent)
{
	double all = 0, part = 0;
	for (size_t i = 0; i < r->sat.n; i++) {
		all += (double)counts[i];
		if (r->sat.formula == FV_RULES_MEAN_SCORE)
			part += (double)counts[i] * r->sat.v[i].score / 100;
		else if (r->sat.v[i].satisfied)
			part += (double)counts[i];
	}
	if (all == 0)
		return 0;
	*percent = part / all * 100;
	return 1;
}

int fv_rules_satisfaction_below(const fv_rules *r, double rate)
{
	return rate < r->sat.threshold;
}

size_t fv_rules_callers(const fv_rules *r, const fv_rules_caller **out)
{
	*out = r->calls.v;
	return r->calls.n;
}

const fv_rules_caller *fv_rules_caller_find(const fv_rules *r, const char *code)
{
	for (size_t i = 0; i < r->calls.n; i++)
		if (strcmp(r->calls.v[i].code, code) == 0)
			return &r->calls.v[i];
	return NULL;
}

size_t fv_rules_callbacks_needed(const fv_rules_caller *c, size_t orders)
{
	/* a share given in the table as 10 or 12.5 percent is exact enough
	 * that a tolerance far below one order keeps 10% of 30 at 3 */
	double need = ceil((double)orders * c->min_percent / 100 - 1e-9);
	return need <= 0 ? 0 : (size_t)need;
}

size_t fv_rules_services(const fv_rules *r, const fv_rules_service **out)
{
	*out = r->serv.v;
	return r->serv.n;
}

const fv_rules_service *fv_rules_service_find(const fv_rules *r, const char *code)
{
	for (size_t i = 0; i < r->serv.n; i++)
		if (strcmp(r->serv.v[i].code, code) == 0)
			return &r->serv.v[i];
	return NULL;
}

int fv_rules_service_min_items(const fv_rules *r)
{
	return r->serv.min_items;
}

size_t fv_rules_hotlines(const fv_rules *r, const fv_rules_hotline **out)
{
	*out = r->hot.v;
	return r->hot.n;
}

const fv_rules_hotline *fv_rules_hotline_find(const fv_rules *r, const char *id)
{
	for (size_t i = 0; i < r->hot.n; i++)
		if (strcmp(r->hot.v[i].id, id) == 0)
			return &r->hot.v[i];
	return NULL;
}

int fv_rules_lock_minutes(const fv_rules *r)
{
	return r->set.lock_minutes;
}

int fv_rules_retention_days(const fv_rules *r)
{
	return r->set.retention_days;
}

int fv_rules_alert_followup_days(const fv_rules *r)
{
	return r->set.alert_followup_days;
}

int fv_rules_max_visits_per_day(const fv_rules *r)
{
	return r->set.max_visits_per_day;
}

int fv_rules_max_record_delay_hours(const fv_rules *r)
{
	return r->set.max_record_delay_hours;
}

double fv_rules_same_minute_percent(const fv_rules *r)
{
	return r->set.same_minute_percent;
}

int fv_rules_same_minute_min_visits(const fv_rules *r)
{
	return r->set.same_minute_min_visits;
}

int fv_rules_copied_min_people(const fv_rules *r)
{
	return r->set.copied_min_people;
}
