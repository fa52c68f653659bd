/*
 * fieldvisit reports: what a supervisor reads -- coverage, overdue people,
 * satisfaction, alerts, callbacks, anomalies (the fraud checks of
 * DOMAIN.md) and service items -- computed from plain facts and the rule
 * set.  Nothing here reads a store or the clock: the store gathers the
 * facts (fv_store_report_facts, store.h), these functions compute one
 * report as a few tables (fv_report), and writers (the CLI's text, CSV,
 * JSON and HTML, a TUI screen) only lay the tables out, so every format
 * shows the same numbers.
 *
 * Who is a worker: for a visit, the device that authored it (the visit's
 * `author`); for a person (coverage, overdue, satisfaction, services,
 * duplicate persons), the device that authored the person's current
 * version.  The store names workers with one function
 * (fv_store_worker_name) so that a roster can give them names later.
 */
#ifndef FIELDVISIT_REPORT_H
#define FIELDVISIT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "fieldvisit/core.h"
#include "fieldvisit/rules.h"

/* The form whose n_<level> calculates hold the answers of a satisfaction
 * survey and whose `visited` answer says whether the visit took place
 * (forms/satisfaction.csv).  It is a callback, not a home visit: the
 * checks of work patterns (length, overlap, visits a day, same minute)
 * and the callback sample leave it out. */
#define FV_REPORT_SATISFACTION_FORM "satisfaction"

typedef enum fv_report_kind {
	FV_REPORT_COVERAGE,
	FV_REPORT_OVERDUE,
	FV_REPORT_SATISFACTION,
	FV_REPORT_ALERTS,
	FV_REPORT_CALLBACKS,
	FV_REPORT_ANOMALIES,
	FV_REPORT_SERVICES,
} fv_report_kind;

#define FV_REPORT_NKINDS 7

/* "coverage", ...; the kind named name (returns 0 when none). */
const char *fv_report_name(fv_report_kind k);
int fv_report_parse(const char *name, fv_report_kind *out);

/* ------------------------------------------------------------------ */
/* Periods                                                             */

typedef struct fv_period {
	int32_t first, last;   /* both days included */
	char label[16];        /* "2026-11", "2026Q4", "2026" */
	int months;            /* 1, 3 or 12 */
} fv_period;

/* Parse a month "2026-11", a quarter "2026Q4" (or "2026q4") or a year
 * "2026" (years 1970-9999).  Returns 1 on success. */
int fv_period_parse(const char *s, fv_period *out);
/* The month of day. */
void fv_period_month(int32_t day, fv_period *out);
/* The month (months 1), quarter (3) or year (12) of day. */
void fv_period_of(int32_t day, int months, fv_period *out);
/* The day a report of p is computed on: p's last day, or today when
 * that is earlier. */
int32_t fv_period_day(const fv_period *p, int32_t today);

/* ------------------------------------------------------------------ */
/* Facts                                                               */

typedef struct fv_rep_person {
	const char *id, *name, *village, *worker;
	const char *birth, *phone, *categories;
	const char *status;       /* "active", "moved", "died", "archived" */
	int32_t status_date;      /* FV_SCHED_NO_DATE while active */
	/* the schedule facts (coverage, overdue); NULL when not gathered */
	const fv_sched_person *sched;
} fv_rep_person;

typedef struct fv_rep_visit {
	const char *id, *worker, *form_id, *services;
	size_t person;            /* index into the facts' people */
	int32_t date;
	/* seconds since the epoch, local wall clock; NAN when not recorded */
	double checkin, checkout, submitted;
	int duration;             /* minutes; -1 unknown */
	/* a hash of the full answer set (anomalies), 0 when not read */
	uint64_t answers;
	/* satisfaction form: the count of each level (fv_rules_levels order)
	 * or NULL when it has none (the visit did not take place); visited 1
	 * yes, 0 no, -1 not said */
	const unsigned *levels;
	int visited;
	/* satisfaction form saying visited = no: the person's latest other
	 * visit on or before it, the record it contradicts (NULL when none) */
	const char *contradicts, *contradicts_worker;
	int32_t contradicts_date;
} fv_rep_visit;

typedef struct fv_rep_alert {
	const char *id, *kind, *state, *worker;
	size_t person;
	int32_t raised, closed;   /* closed: FV_SCHED_NO_DATE when not */
	int32_t next_visit;       /* the person's first visit after raised, or NO_DATE */
} fv_rep_alert;

typedef struct fv_rep_callback {
	const char *id, *visit, *state, *result;
	int satisfied;            /* 1, 0, -1 not said */
} fv_rep_callback;

typedef struct fv_report_facts {
	fv_rep_person *people;    /* sorted by village, name, id */
	size_t npeople;
	fv_rep_visit *visits;     /* sorted by date, check-in, id (FV_NEED_SERVICE_SETS: by date) */
	size_t nvisits;
	fv_rep_alert *alerts;     /* sorted by raised, id */
	size_t nalerts;
	fv_rep_callback *callbacks;
	size_t ncallbacks;
	const char *team;         /* seeds the callback sample */
	void *storage;            /* the owner's (fv_report_facts_release) */
} fv_report_facts;

/* ------------------------------------------------------------------ */
/* The result: tables of cells                                         */

typedef enum fv_cell_kind {
	FV_CELL_EMPTY,     /* no value (a rate of nothing) */
	FV_CELL_TEXT,
	FV_CELL_INT,
	FV_CELL_PERCENT,   /* num, rounded to one decimal */
} fv_cell_kind;

typedef struct fv_report_cell {
	fv_cell_kind kind;
	const char *text;  /* TEXT */
	double num;        /* INT, PERCENT */
} fv_report_cell;

typedef struct fv_report_table {
	const char *name;        /* "by_village": a CSV block, a JSON key */
	const char *title;       /* in English words */
	const char **cols;       /* column names (CSV header, JSON keys) */
	size_t ncols, nrows;
	fv_report_cell *cells;   /* nrows * ncols, row-major */
	unsigned char *marked;   /* per row: stands out (below a threshold) */
	/* a bar chart of this table: label column, one or two value
	 * columns (-1 none), and a reference line (NAN none) */
	int chart_label, chart_value[2];
	double chart_line;
} fv_report_table;

typedef struct fv_report {
	fv_report_kind kind;
	fv_period period;
	int32_t day;              /* computed on */
	const char *village, *worker;   /* the filters, NULL none */
	fv_report_table *tables;
	size_t ntables;
	char **notes;             /* sentences about the whole report */
	size_t nnotes;
	void *storage;
} fv_report;

/* What a report looks at besides the facts. */
typedef struct fv_report_args {
	fv_period period;
	int32_t day;                /* fv_period_day */
	const char *village;        /* only this village (NULL: all) */
	const char *worker;         /* only this worker (NULL: all) */
	const char *caller;         /* callbacks: "district" (NULL) or "provider" */
} fv_report_args;

/*
 * Compute report k from the facts and the rules into *out (released with
 * fv_report_release).  The facts must hold what the report reads
 * (fv_report_needs).  Never fails.  The report copies what it shows.
 */
void fv_report_compute(fv_report_kind k, const fv_rules *r, const fv_report_facts *f,
		       const fv_report_args *a, fv_report *out);
void fv_report_release(fv_report *rep);

/* What a report needs gathered (bits for fv_store_report_facts). */
enum {
	FV_NEED_PEOPLE = 1,       /* always */
	FV_NEED_SCHEDULE = 2,     /* people's schedule facts */
	FV_NEED_VISITS = 4,       /* visits in the range */
	FV_NEED_ANSWERS = 8,      /* and a hash of their answers */
	FV_NEED_LEVELS = 16,      /* satisfaction counts and visited */
	FV_NEED_ALERTS = 32,
	FV_NEED_CALLBACKS = 64,
	FV_NEED_TIMES = 128,      /* visits' check-in, check-out, submission */
	FV_NEED_ONLY_SURVEYS = 256, /* of the visits, the satisfaction form's only */
	/* instead of every visit: one per person given service items in the
	 * range, listing them all (fv_service_codes order), dated by the
	 * first; person, date and services only -- what the service report
	 * reads */
	FV_NEED_SERVICE_SETS = 512,
};
/* The facts report k reads for args a: the bits above and the visit dates
 * to read, [*from, *to]. */
unsigned fv_report_needs(fv_report_kind k, const fv_report_args *a, int32_t *from, int32_t *to);

/*
 * The callback sample (reproducible): rank each visit by the first 8
 * bytes of keyed BLAKE2b (key: BLAKE2b-256 of "TEAM\nPERIOD") of its id,
 * lowest first.  out gets n indexes of ids in that order.  The draw of k
 * is the first k: the same team, period and visits give the same sample
 * on every machine, and adding other visits can only push a visit out
 * when the newcomer ranks below it.
 */
void fv_report_rank(const char *team, const char *period, const char *const *ids, size_t n,
		    size_t *out);

#endif
