/*
 * fieldvisit rules: what the table readers (rules.c) share with the reader
 * of the file layout (read.c).
 *
 * A rule file is CSV (fv_csv_parse) cut into blocks by empty rows.  The
 * first row of a block names its columns, and the name of its first column
 * says which block it is ("table", "category", "festival", "year", ...).
 * Rows whose first cell starts with '#' are comments.  See
 * fieldvisit-rules(5).
 */
#ifndef FV_RULES_INTERNAL_H
#define FV_RULES_INTERNAL_H

#include "fieldvisit/forms.h"
#include "fieldvisit/rules.h"

/* What a column (or a setting) holds. */
typedef enum rules_vtype {
	RV_CODE,        /* a-z, 0-9 and _, starting with a letter */
	RV_TEXT,        /* one line of text, not empty */
	RV_NOTE,        /* anything, not read; the column may be left out */
	RV_COUNT,       /* a whole number from min to RULES_MAX_COUNT */
	RV_COUNT_OPT,   /* the same, or empty (n = 0, empty = 1) */
	RV_PERCENT,     /* a number from 0 to 100, optionally followed by % */
	RV_DATE,        /* YYYY-MM-DD (or YYYY/M/D, as Excel and WPS write it) */
	RV_YEAR,        /* YYYY */
	RV_YESNO,       /* yes or no (true or false) */
	RV_PERIOD,      /* month, quarter or year */
	RV_PERIOD_EVENT,/* month, quarter, year or event */
	RV_FORMULA,     /* satisfied_share or mean_score */
	RV_CATEGORY,    /* a code of fv_category_codes */
	RV_CATEGORIES,  /* one or more of them, separated by spaces */
	RV_SERVICE,     /* a code of fv_service_codes */
	RV_PHONE,       /* digits and '-', starting and ending with a digit */
	RV_VERSION,     /* letters, digits, '.', '-' and '_' */
	RV_ANY,         /* any cell: the value of a setting, read by its key */
} rules_vtype;

/* The largest whole number a table may hold: more than any count of
 * visits, minutes or days needs, and small enough that date arithmetic on
 * it cannot overflow. */
#define RULES_MAX_COUNT 1000000L

typedef struct rules_col {
	const char *name;
	rules_vtype type;
	long min;            /* RV_COUNT, RV_COUNT_OPT: the smallest value */
} rules_col;

/* A cell read by its column's type. */
typedef struct rules_value {
	const char *s;       /* the cell, trimmed; "" when empty */
	int empty;
	long n;              /* counts, years, yes (1) / no (0), periods, formulas */
	double d;            /* percentages */
	int32_t date;        /* dates, days since the epoch */
} rules_value;

typedef struct rules_block {
	const fv_csv_row *header;
	const fv_csv_row **rows;   /* the data rows, comments left out */
	size_t nrows, cap;
	int used;                  /* a table reader took it */
} rules_block;

/* One rule file being read. */
typedef struct rules_file {
	const char *name;          /* for errors */
	fv_errors *err;
	int failed;
	fv_csv csv;
	rules_block *blocks;
	size_t nblocks, cap;
} rules_file;

void rules_fail(rules_file *F, int line, const char *fmt, ...) FV_PRINTF(3, 4);

/* Parse data into F's blocks.  Returns 0 (errors added) when the CSV
 * itself is broken. */
int rules_file_open(rules_file *F, const char *name, const char *data, size_t len,
		    fv_errors *err);
void rules_file_close(rules_file *F);

/*
 * The block whose first column is key, or NULL.  A second block of the
 * same kind is an error.  The block is marked used; rules_file_finish
 * reports blocks no reader took.
 */
rules_block *rules_block_find(rules_file *F, const char *key);
/* Report the blocks nothing took (unknown blocks); expected lists the
 * block names of the table ("table, category"). */
void rules_file_finish(rules_file *F, const char *expected);

/*
 * Read block b by its columns cols[0..ncols): the header must name every
 * column but RV_NOTE ones, no other and none twice (the first column is
 * the key).  For each data row whose cells are all right, row(ctx, line,
 * vals) is called with one value per column of cols; a bad cell is
 * reported as "FILE:LINE: COLUMN: why" and its row skipped.  Returns 1
 * when every row was passed to row: 0 when the header is wrong (no row is
 * read), the block has no data row or a row had a bad cell -- then checks
 * of the block as a whole ("no row for X") would only add noise.
 */
int rules_block_read(rules_file *F, const rules_block *b, const rules_col *cols, size_t ncols,
		     void (*row)(void *ctx, int line, const rules_value *vals), void *ctx);

/*
 * Read a settings block (columns setting, value, note): each key of
 * keys[0..nkeys) exactly once, its value read by the key's type into
 * vals[k] (lines[k] gets its line).  Unknown, repeated, bad and missing
 * settings are errors.  Returns 1 when every setting was read.
 */
int rules_settings_read(rules_file *F, const rules_block *b, const rules_col *keys,
			size_t nkeys, rules_value *vals, int *lines);

/* Read one cell by type: returns 0 with the reason in why. */
int rules_value_parse(const rules_col *col, const char *cell, rules_value *v, char *why,
		      size_t whylen);

/* The index of s in the n strings of list, or -1. */
int rules_lookup(const char *const *list, size_t n, const char *s);

#endif
