/*
 * fieldvisit rules: the rule tables (assets/rules/NAME.csv), read and
 * checked as one set.
 *
 * Every number that drives schedules, checks and reports -- how often a
 * category of people is visited, the festival dates, the satisfaction scale
 * and threshold, the callback shares, the minimum of service items, the
 * hotlines, the idle lock and the retention time -- is data in these
 * tables, edited by a supervisor in Excel, WPS or a text editor and carried
 * to the workers in bundles.  C code reads them through this header and
 * holds no threshold of its own.  The file format and every table are
 * described in fieldvisit-rules(5).
 *
 * A rule set is complete or it is not loaded: the program never runs with
 * half a rule set.  Every problem is reported as "FILE:LINE: message" (or
 * "FILE: message" when no line fits), and a loader goes on after an error,
 * so that one `fieldvisit rules check` shows them all.
 */
#ifndef FIELDVISIT_RULES_H
#define FIELDVISIT_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "fieldvisit/core.h"

/* The tables of a rule set, one file each: DIR/NAME.csv. */
typedef enum fv_rules_table {
	FV_RULES_VISIT_FREQUENCY,   /* visit_frequency.csv */
	FV_RULES_FESTIVALS,         /* festivals.csv */
	FV_RULES_SATISFACTION,      /* satisfaction.csv */
	FV_RULES_CALLBACKS,         /* callbacks.csv */
	FV_RULES_SERVICES,          /* services.csv */
	FV_RULES_HOTLINES,          /* hotlines.csv */
	FV_RULES_SETTINGS,          /* settings.csv */
} fv_rules_table;

#define FV_RULES_NTABLES 7

/* The name of a table ("visit_frequency"); its file is NAME.csv. */
const char *fv_rules_table_name(fv_rules_table t);
/* The table named name; returns 0 when there is none. */
int fv_rules_table_parse(const char *name, fv_rules_table *out);


/* A rule set.  Opaque; read it with the accessors below. */
typedef struct fv_rules fv_rules;

/*
 * Load every table of dir (DIR/NAME.csv for each table name), all or none.
 * On success *out is a complete rule set (free with fv_rules_free).  On
 * failure *out is NULL and err holds every problem: FV_EIO when a file or
 * dir cannot be read (the errors name it), else FV_EINVAL for tables that
 * are wrong.  A .csv file in dir that is not a table is an error too (a
 * misspelt name would otherwise be silently ignored); other files (a
 * README) are not read.
 */
FV_MUST_CHECK fv_status fv_rules_load_dir(const char *dir, fv_rules **out, fv_errors *err);

/*
 * Building a set from texts (a bundle carries the tables as text; the
 * fuzzer feeds one table at a time).  fv_rules_new gives an empty set;
 * fv_rules_parse_table reads data (len bytes, the text of table t, named
 * name in errors) and, when it is right, puts it in r in place of any
 * table t that r held; when it is not, r is left as it was and err gets
 * every problem (FV_EINVAL).  fv_rules_check_complete says whether r holds
 * every table (one error per missing table, FV_EINVAL).  The accessors
 * below need a complete set.
 */
fv_rules *fv_rules_new(void);
FV_MUST_CHECK fv_status fv_rules_parse_table(fv_rules *r, fv_rules_table t, const char *name,
					     const char *data, size_t len, fv_errors *err);
FV_MUST_CHECK fv_status fv_rules_check_complete(const fv_rules *r, fv_errors *err);

/* Free a rule set (NULL is fine). */
void fv_rules_free(fv_rules *r);

/* What every table declares in its first block: its version (a short token
 * such as "3") and the date it takes effect (days since the epoch). */
const char *fv_rules_version(const fv_rules *r, fv_rules_table t);
int32_t fv_rules_effective(const fv_rules *r, fv_rules_table t);
/* The text of table t as read (the CSV file), *len its length: what a
 * store or a bundle keeps.  Owned by r. */
const char *fv_rules_source(const fv_rules *r, fv_rules_table t, size_t *len);

/* ------------------------------------------------------------------ */
/* visit_frequency: how often each category of people is visited      */

typedef enum fv_rules_period {
	FV_RULES_MONTH,     /* a calendar month */
	FV_RULES_QUARTER,   /* a calendar quarter (January-March, ...) */
	FV_RULES_YEAR,      /* a calendar year */
	FV_RULES_EVENT,     /* after each event (an emergency contraception) */
} fv_rules_period;

/* "month", "quarter", "year", "event". */
const char *fv_rules_period_name(fv_rules_period p);

typedef struct fv_rules_frequency {
	const char *category;      /* a code of fv_category_codes (core.h) */
	int visits;                /* at least this many visits (>= 1) ... */
	fv_rules_period period;    /* ... in each period */
	/* FV_RULES_EVENT: the visits fall within this many days after the
	 * event (>= 1); 0 for the calendar periods */
	int within_days;
	int min_minutes;           /* each visit lasts at least this long; 0: any */
	int makeup;                /* 1: a missed period may be made up in the next */
	double coverage_percent;   /* share of the category that must get them */
	int line;                  /* where the row is, for messages */
} fv_rules_frequency;

/* All rows, in file order; returns their number. */
size_t fv_rules_frequencies(const fv_rules *r, const fv_rules_frequency **out);
/* The row of category, or NULL: the category has no regular visits. */
const fv_rules_frequency *fv_rules_frequency_for(const fv_rules *r, const char *category);

/* ------------------------------------------------------------------ */
/* festivals: visits around the traditional festivals                 */

typedef struct fv_rules_festival {
	const char *code;          /* "spring", "mid_autumn" */
	const char *name_zh, *name_en;
	int days_before, days_after;   /* the visit window around the date */
	const char *categories;    /* space-separated category codes visited */
} fv_rules_festival;

/* The festivals, in file order; returns their number. */
size_t fv_rules_festivals(const fv_rules *r, const fv_rules_festival **out);
/* The index of festival code, or -1. */
int fv_rules_festival_find(const fv_rules *r, const char *code);
/* The years the dates cover, first to last without a gap. */
void fv_rules_festival_years(const fv_rules *r, int *first, int *last);
/*
 * Festival f (an index into fv_rules_festivals) in year: its date and its
 * visit window, from date - days_before to date + days_after (days since
 * the epoch; any pointer may be NULL).  Returns 0 when the table has no
 * date for year (the schedule must say that festivals.csv needs new
 * years), 1 otherwise.
 */
int fv_rules_festival_on(const fv_rules *r, size_t f, int year, int32_t *date, int32_t *from,
			 int32_t *to);

/* ------------------------------------------------------------------ */
/* satisfaction: the answer scale, the formula and the threshold       */

typedef struct fv_rules_level {
	const char *code;          /* "very_satisfied", ... */
	const char *name_zh, *name_en;
	int satisfied;             /* 1: counts as a satisfied answer */
	double score;              /* 0-100, for the mean_score formula */
} fv_rules_level;

typedef enum fv_rules_formula {
	/* satisfied answers / all answers, in percent */
	FV_RULES_SATISFIED_SHARE,
	/* the mean of the answers' level scores (each 0-100) */
	FV_RULES_MEAN_SCORE,
} fv_rules_formula;

/* "satisfied_share", "mean_score". */
const char *fv_rules_formula_name(fv_rules_formula f);

/* The levels, from the most to the least satisfied (file order). */
size_t fv_rules_levels(const fv_rules *r, const fv_rules_level **out);
/* The index of level code, or -1. */
int fv_rules_level_find(const fv_rules *r, const char *code);
fv_rules_formula fv_rules_satisfaction_formula(const fv_rules *r);
/* Below this rate (percent) a provider must rectify. */
double fv_rules_satisfaction_threshold(const fv_rules *r);
/* How often village grid staff survey satisfaction (a calendar period). */
fv_rules_period fv_rules_survey_period(const fv_rules *r);
/*
 * The satisfaction rate, in percent, of counts[i] answers at level i (one
 * count per level, in the order of fv_rules_levels), by the table's
 * formula.  Returns 0 when there is no answer (no rate), else 1.
 */
int fv_rules_satisfaction_rate(const fv_rules *r, const size_t *counts, double *percent);
/* 1 when rate (percent) is below the threshold: rectification is due. */
int fv_rules_satisfaction_below(const fv_rules *r, double rate);

/* ------------------------------------------------------------------ */
/* callbacks: who calls back which share of the daily work orders      */

typedef struct fv_rules_caller {
	const char *code;          /* "provider", "district" */
	const char *name_zh, *name_en;
	double min_percent;        /* at least this share of the work orders */
} fv_rules_caller;

size_t fv_rules_callers(const fv_rules *r, const fv_rules_caller **out);
/* The caller of code ("provider", "district": both are always there), or
 * NULL for another code. */
const fv_rules_caller *fv_rules_caller_find(const fv_rules *r, const char *code);
/* How many of orders work orders c must call back at least: the share
 * rounded up (10% of 25 is 3). */
size_t fv_rules_callbacks_needed(const fv_rules_caller *c, size_t orders);

/* ------------------------------------------------------------------ */
/* services: the service items and the yearly minimum                  */

typedef struct fv_rules_service {
	const char *code;          /* a code of fv_service_codes (core.h) */
	const char *name_zh, *name_en;
} fv_rules_service;

/* Every service item (each code of fv_service_codes once), in file
 * order. */
size_t fv_rules_services(const fv_rules *r, const fv_rules_service **out);
const fv_rules_service *fv_rules_service_find(const fv_rules *r, const char *code);
/* Each person receives at least this many different items a year. */
int fv_rules_service_min_items(const fv_rules *r);

/* ------------------------------------------------------------------ */
/* hotlines                                                            */

typedef struct fv_rules_hotline {
	const char *id;            /* "psych", "hope24", "police", "ambulance" */
	const char *number;        /* digits and '-': "400-161-9995" */
	const char *name_zh, *name_en;
	int32_t last_verified;     /* when someone last checked the number */
} fv_rules_hotline;

size_t fv_rules_hotlines(const fv_rules *r, const fv_rules_hotline **out);
/* The hotline id, or NULL. */
const fv_rules_hotline *fv_rules_hotline_find(const fv_rules *r, const char *id);

/* ------------------------------------------------------------------ */
/* settings                                                            */

/* Minutes without a key press before the program locks itself. */
int fv_rules_lock_minutes(const fv_rules *r);
/* Days a worker's laptop keeps a record after the supervisor's receipt. */
int fv_rules_retention_days(const fv_rules *r);

/* Days within which a person with an open alert gets a follow-up visit. */
int fv_rules_alert_followup_days(const fv_rules *r);

/* The thresholds of the fraud checks (fieldvisit report anomalies):
 * more visits than this by one worker on one day stand out (>= 1); a
 * visit submitted more than this many hours after its check-out; a
 * worker with at least same_minute_min_visits check-ins of which at least
 * same_minute_percent fall on one minute of the hour; one worker's visits
 * of one form with the same full answer set for at least
 * copied_min_people different people (>= 2). */
int fv_rules_max_visits_per_day(const fv_rules *r);
int fv_rules_max_record_delay_hours(const fv_rules *r);
double fv_rules_same_minute_percent(const fv_rules *r);
int fv_rules_same_minute_min_visits(const fv_rules *r);
int fv_rules_copied_min_people(const fv_rules *r);

/* ------------------------------------------------------------------ */
/* Schedules: who is due, who is overdue, and why                      */

/*
 * A schedule is computed from the rule set, a person and the person's
 * visits and open alerts, on a given day.  The caller (the store, a test,
 * the supervisor's import) gathers the facts; nothing here reads a store.
 * The rules, as fieldvisit-rules(5) tells users:
 *
 *   - regular visits: for each category of the person with a row in
 *     visit_frequency (month, quarter or year), at least `visits` visits
 *     in each calendar period, each lasting at least `min_minutes` (a
 *     visit without a check-out has no length and counts only where the
 *     row asks for no minimum).  Visits on the same day count once.  The
 *     period in which the person was registered is not required; the first
 *     required period is the next one.
 *   - make-up: when the previous period fell short and the row allows
 *     make-up, the missing visits are owed in this period too (type
 *     makeup, overdue until done).  Visits in a period count for that
 *     period first, then for the make-up.  When the row does not allow
 *     make-up, a short previous period makes this period's regular visit
 *     overdue until it is done.
 *   - festival visits: a person of a festival's categories gets one visit
 *     in the festival's window (festivals.csv); the next window shows as
 *     upcoming.
 *   - follow-ups: a submitted visit whose form gives a `followup_due`
 *     date asks for a later visit with the same form by that date (for a
 *     person of a category whose row has period `event`, no later than
 *     `within_days` after the visit); an open alert asks for a later visit
 *     of any form within alert_followup_days (settings.csv).
 *   - a person who is no longer active (moved, died, archived) on the day
 *     has no schedule.
 *
 * The schedule follows the person's categories as they are now: after a
 * change of care level, the new level's frequency applies from the period
 * of the change on.
 */

#define FV_SCHED_NO_DATE INT32_MIN

/* One submitted visit, as schedules see it. */
typedef struct fv_sched_visit {
	const char *id;        /* the visit's id (for reports) */
	const char *form_id;
	int32_t date;          /* the visit date */
	int duration;          /* minutes from check-in to check-out; -1 unknown */
	int32_t followup_due;  /* the form's followup_due, or FV_SCHED_NO_DATE */
} fv_sched_visit;

/* One alert that is not closed. */
typedef struct fv_sched_alert {
	const char *id;
	const char *kind;      /* "item9", "emergency", ... */
	int32_t raised;        /* the day it was raised */
} fv_sched_alert;

typedef struct fv_sched_person {
	const char *id;
	const char *categories;   /* space-separated codes */
	int active;               /* status "active" */
	int32_t status_date;      /* when it stopped being active; ignored if active */
	int32_t since;            /* registered (or first visited, if earlier) */
	const fv_sched_visit *visits;   /* any order */
	size_t nvisits;
	const fv_sched_alert *alerts;
	size_t nalerts;
} fv_sched_person;

typedef enum fv_sched_type {
	FV_SCHED_REGULAR,
	FV_SCHED_MAKEUP,
	FV_SCHED_FESTIVAL,
	FV_SCHED_FOLLOWUP,
} fv_sched_type;

typedef enum fv_sched_state {
	FV_SCHED_DONE,       /* enough visits in the window */
	FV_SCHED_DUE,        /* still to do, on time */
	FV_SCHED_OVERDUE,    /* still to do, late */
	FV_SCHED_UPCOMING,   /* the window has not begun */
} fv_sched_state;

/* "regular", "makeup", "festival", "followup"; "done", "due", "overdue",
 * "upcoming". */
const char *fv_sched_type_name(fv_sched_type t);
const char *fv_sched_state_name(fv_sched_state s);

typedef struct fv_sched_item {
	fv_sched_type type;
	fv_sched_state state;
	int32_t from, due;     /* the window, both days included */
	int needed, done;      /* visits asked for in the window, and counted */
	/* why: */
	const fv_rules_frequency *rule;   /* regular, makeup; an event row for a
					   * capped follow-up; else NULL */
	int32_t short_of;      /* makeup: the first day of the period made up */
	int festival;          /* festival: index into fv_rules_festivals; else -1 */
	const char *form_id;   /* follow-up of a form: the form; else NULL */
	const char *source;    /* follow-up: the visit or alert id asking for it */
	const char *alert_kind;   /* follow-up of an alert: its kind; else NULL */
} fv_sched_item;

/* A visit in a window that did not count because it was too short. */
typedef struct fv_sched_short {
	const char *visit;     /* its id */
	int32_t date;
	int duration;          /* -1: no check-out */
	int min_minutes;
	const fv_rules_frequency *rule;
} fv_sched_short;

typedef struct fv_schedule {
	fv_sched_item *items;  /* in order of due date */
	size_t n;
	fv_sched_short *shorts;
	size_t nshorts;
	/* the earliest due date of an item still to do (due or overdue), else
	 * FV_SCHED_NO_DATE */
	int32_t next_due;
	/* 1 when festivals.csv has no dates for a year the schedule needed
	 * (the table must be extended); that year in missing_year */
	int missing_year;
} fv_schedule;

/*
 * The schedule of p on day today, into *out (released with
 * fv_schedule_release).  Pointers in items and shorts point into r and p,
 * which must outlive *out.  Never fails.
 */
void fv_schedule_person(const fv_rules *r, const fv_sched_person *p, int32_t today,
			fv_schedule *out);
void fv_schedule_release(fv_schedule *s);

/* Why item it is asked for, in English words, as `visit list --due` and
 * the reports show it: "gaoling: 1 a month, 0 done, at least 60 minutes
 * each", "Spring Festival visit, 2027-01-22 to 2027-02-13", "follow-up of
 * alert item9 (ID)".  The caller frees. */
char *fv_sched_item_why(const fv_rules *r, const fv_sched_item *it);

/* How many items of s are in state st. */
size_t fv_schedule_count(const fv_schedule *s, fv_sched_state st);

/*
 * The next visit to propose to p after a visit on day (p's visits include
 * it): the earliest of, for each item still to do, an even spacing of the
 * visits left over the days left of its window (a period's visits and its
 * make-up counted together; one follow-up left is proposed on the day it
 * is due), for each regular rule
 * whose period is done, the same day of the next period (the last day when
 * that period is shorter), and the start of an upcoming festival window.
 * Returns the date and sets *why to the item that asks for it (or NULL
 * when nothing is asked: the person has no rule); FV_SCHED_NO_DATE then.
 */
int32_t fv_schedule_propose(const fv_rules *r, const fv_sched_person *p, int32_t day,
			    fv_sched_item *why);

#endif
