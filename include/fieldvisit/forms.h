/*
 * fieldvisit forms: XLSForm questionnaires (pyxform's single-CSV rendition),
 * the ODK XPath expression subset, and form instances (answers, relevance,
 * constraints, calculates).  See fieldvisit-forms(5) for the format.
 *
 * This module never includes curses.h, sqlite3.h or sodium.h: the TUI, the
 * command line and bundle import all validate answers through it.
 */
#ifndef FIELDVISIT_FORMS_H
#define FIELDVISIT_FORMS_H

#include <stdio.h>

#include "fieldvisit/core.h"

/* ------------------------------------------------------------------ */
/* Question types                                                      */

typedef enum fv_qtype {
	FV_Q_TEXT,
	FV_Q_INTEGER,
	FV_Q_DECIMAL,
	FV_Q_SELECT_ONE,
	FV_Q_SELECT_MULTIPLE,
	FV_Q_DATE,
	FV_Q_TIME,
	FV_Q_DATETIME,
	FV_Q_NOTE,
	FV_Q_CALCULATE,
	FV_Q_ACKNOWLEDGE,
	FV_Q_BEGIN_GROUP,
	FV_Q_END_GROUP,
} fv_qtype;

/* The XLSForm name of a type ("select_one", ...). */
const char *fv_qtype_name(fv_qtype t);

/* ------------------------------------------------------------------ */
/* Expressions                                                         */

typedef struct fv_expr fv_expr;

/*
 * Resolves a ${name} reference at compile time: returns the field index
 * (>= 0), or -1 when no field has that name.
 */
typedef int (*fv_expr_resolve_fn)(void *ctx, const char *name);

/*
 * Compile src.  References ${name} are resolved with resolve(ctx, name); '.'
 * is allowed only when allow_dot is set (constraints).  On
 * error returns FV_EINVAL and writes a one-line message without location
 * into errbuf ("unknown function 'foo'", "syntax error: unexpected 'x' at column 7",
 * "unknown field 'age'", "'round' takes 1 or 2 arguments, got 3").
 * The caller frees *out with fv_expr_free().
 */
FV_MUST_CHECK fv_status fv_expr_compile(const char *src, fv_expr_resolve_fn resolve,
					void *ctx, int allow_dot, fv_expr **out,
					char *errbuf, size_t errlen);
void fv_expr_free(fv_expr *e);

/* The distinct field indices the expression reads, in first-use order.
 * Includes the field named in a jr:choice-name() path argument. */
size_t fv_expr_refs(const fv_expr *e, const int **refs);
/* 1 when the expression reads '.', today() or now() (depends on the clock). */
int fv_expr_uses_dot(const fv_expr *e);
int fv_expr_uses_clock(const fv_expr *e);

/*
 * What the evaluator needs from the instance.  value() returns the stored
 * string of a field ("" when unanswered or not relevant) and its type; the
 * evaluator gives it XPath meaning the way JavaRosa does: integer and
 * decimal answers become numbers, date answers dates, dateTime answers
 * date-times, everything else (time, select, calculate) a string; "" stays
 * the empty string.  choice_label() returns the label of a
 * choice of a select field in the current language, or NULL.
 */
typedef struct fv_expr_env {
	void *ctx;
	const char *(*value)(void *ctx, int field, fv_qtype *type);
	const char *(*choice_label)(void *ctx, int field, const char *choice);
	int dot;      /* field index that '.' stands for, -1 for none */
	double now;   /* fv_clock_now() at the start of the evaluation pass */
	/* choice_filter only: the value of column col of the choice being
	 * filtered (name is column 0, then the list's extra columns). */
	const char *(*column)(void *ctx, int col);
} fv_expr_env;

/*
 * Compile a choice_filter: as fv_expr_compile with '.' refused, and a bare
 * name (`village = ${village}`) refers to a column of the choices sheet,
 * resolved at compile time with resolve_column (-1: "unknown choice column
 * 'x'") and read at run time with env->column.
 */
FV_MUST_CHECK fv_status fv_expr_compile_filter(const char *src, fv_expr_resolve_fn resolve,
					       fv_expr_resolve_fn resolve_column, void *ctx,
					       fv_expr **out, char *errbuf, size_t errlen);

/*
 * Evaluate e and append the result, as an XForm instance stores it, to out:
 * numbers in shortest round-trip form ("3", "2.5", never "3.0", "-0" is "0",
 * NaN is ""), booleans "true"/"false", dates "YYYY-MM-DD", date-times
 * ISO 8601.  Returns FV_EINVAL with a message in errbuf on a run-time error
 * (for example date('2026-02-30')).
 */
FV_MUST_CHECK fv_status fv_expr_eval_string(const fv_expr *e, const fv_expr_env *env,
					    fv_buf *out, char *errbuf, size_t errlen);
/* Evaluate e and convert the result with XPath boolean() (JavaRosa rules). */
FV_MUST_CHECK fv_status fv_expr_eval_bool(const fv_expr *e, const fv_expr_env *env,
					  int *out, char *errbuf, size_t errlen);

/* Format a number the way an instance stores it (see above). */
void fv_number_format(double d, fv_buf *out);

/* ------------------------------------------------------------------ */
/* CSV (RFC 4180)                                                      */

/*
 * A parsed CSV file: rows of cells, each row with the 1-based line number
 * where it starts.  Accepts a UTF-8 BOM, CRLF or LF, quoted cells with
 * doubled quotes and embedded newlines.  Rejects invalid UTF-8, a NUL byte,
 * a quote inside an unquoted cell and an unterminated quote.
 */
typedef struct fv_csv_row {
	char **cells;
	size_t ncells;
	int line;
} fv_csv_row;

typedef struct fv_csv {
	fv_csv_row *rows;
	size_t nrows, cap;
} fv_csv;

/* Parse data (len bytes).  Errors are added to err as "NAME:LINE: message". */
FV_MUST_CHECK fv_status fv_csv_parse(const char *name, const char *data, size_t len,
				     fv_csv *out, fv_errors *err);
void fv_csv_release(fv_csv *csv);

/* ------------------------------------------------------------------ */
/* Forms                                                               */

#define FV_MAX_LANGS 8

/* Text in every language of the form; a NULL entry means "not given". */
typedef struct fv_text {
	char *s[FV_MAX_LANGS];
} fv_text;

typedef struct fv_choice {
	char *name;
	fv_text label;
	char **extra;       /* values of extra columns (for choice_filter) */
	int line;
} fv_choice;

typedef struct fv_choice_list {
	char *name;
	fv_choice *choices;
	size_t n, cap;
	char **extra_names; /* names of the extra columns */
	size_t nextra;
} fv_choice_list;

typedef struct fv_field {
	fv_qtype type;
	char *name;
	int line;               /* line in the form file */
	int group;              /* index of the enclosing begin_group, -1 at top */
	int end;                /* for begin_group: index of its end_group */
	fv_text label, hint, constraint_msg, required_msg;
	const fv_choice_list *choices;  /* select_one / select_multiple */
	char *appearance;
	char *default_value;
	int read_only;
	fv_expr *relevant, *required, *constraint, *calculation, *choice_filter;
	char *relevant_src, *required_src, *constraint_src, *calculation_src,
		*choice_filter_src;
} fv_field;

typedef struct fv_form {
	char *path;             /* where it was loaded from */
	char *id, *version, *title;
	int nlangs;
	char *lang_name[FV_MAX_LANGS];  /* "Chinese" */
	char *lang_code[FV_MAX_LANGS];  /* "zh" */
	int default_lang;
	fv_field *fields;
	size_t nfields;
	fv_choice_list *lists;
	size_t nlists;
	/* evaluation order of all fields (topological: after everything their
	 * relevance and calculation read, after their group), indices */
	int *order;
	size_t norder;
	/* dependants[i]: fields whose relevant, required, constraint,
	 * calculation or choice_filter read field i (directly). */
	int **dependants;
	size_t *ndependants;
	int score, band;        /* field index of 'score' / 'band', -1 if none */
	/* relevance_after[i]: 1 when the relevance of field i (its own and its
	 * groups', through every field and calculate they read) depends on a
	 * question that comes after field i in the form, so answering the form
	 * in order may still change it once field i is answered. */
	unsigned char *relevance_after;
	/* field indices by name (open addressing, name_slots a power of two;
	 * -1 is empty), for fv_form_field_index */
	int *name_index;
	size_t name_slots;
} fv_form;

/*
 * Load a form from a CSV file or from memory.  On error returns FV_EINVAL
 * (or FV_EIO) and adds every problem found to err, each as
 * "FILE:LINE: message".
 */
FV_MUST_CHECK fv_status fv_form_load_file(const char *path, fv_form **out, fv_errors *err);
FV_MUST_CHECK fv_status fv_form_load_buffer(const char *name, const char *data, size_t len,
					    fv_form **out, fv_errors *err);
void fv_form_free(fv_form *f);

/* Index of the field with that name, or -1. */
int fv_form_field_index(const fv_form *f, const char *name);
/* Index of a language by code ("zh") or name ("Chinese"), or -1. */
int fv_form_lang(const fv_form *f, const char *code);
/* The text in language lang, falling back to the default language, then to
 * any language; "" when none is given. */
const char *fv_text_get(const fv_form *f, const fv_text *t, int lang);
/* Choice of a list by value, or NULL. */
const fv_choice *fv_choice_find(const fv_choice_list *l, const char *name);

/* ------------------------------------------------------------------ */
/* Instances                                                           */

typedef struct fv_instance fv_instance;

/* A new instance with defaults applied and calculates computed. */
fv_instance *fv_instance_new(const fv_form *f, int lang);
void fv_instance_free(fv_instance *in);
/* The language the instance shows its texts in. */
int fv_instance_lang(const fv_instance *in);

/*
 * Set the answer of a question (not a calculate, note or group).  The value
 * is checked against the question's type (an integer, a real date, a choice
 * of the list, ...) and stored in canonical form; then everything that
 * depends on it is recomputed (relevance, calculates).  A non-relevant
 * question's answer is cleared.  Returns FV_EINVAL with a message in errbuf
 * when the value does not fit the type; FV_ENOTFOUND for an unknown name.
 * Constraints and required are checked by fv_instance_field_error().
 */
FV_MUST_CHECK fv_status fv_instance_set(fv_instance *in, int field, const char *value,
					char *errbuf, size_t errlen);
/* Current stored value ("" when none). */
const char *fv_instance_get(const fv_instance *in, int field);
int fv_instance_relevant(const fv_instance *in, int field);
/* 1 when the question is required now (required expression true). */
int fv_instance_required(const fv_instance *in, int field);

/* The problem with one field now, or NULL: required and empty, constraint
 * false (the constraint message, or a default text), or a calculation
 * error.  The pointer is valid until the next change. */
const char *fv_instance_field_error(fv_instance *in, int field);


/* The choices of a select field that pass its choice_filter now. */
size_t fv_instance_choices(fv_instance *in, int field, const fv_choice ***out);

/* 1 when field holds a value of the filling: every calculate (empty when
 * not relevant) and every relevant question; not notes and groups.  These
 * are the values `form fill` prints and a visit stores. */
int fv_instance_has_value(const fv_instance *in, int field);

/* 1 when field is a calculate named alert_<what> whose value is true
 * ("true", or a number other than 0). */
int fv_instance_alert_raised(const fv_instance *in, int field);

/* ------------------------------------------------------------------ */
/* Answers as JSON                                                     */

typedef struct fv_answer {
	char *name;
	char *value;   /* as given, before checking against the form */
} fv_answer;

/* A list of name/text pairs: answers, or problems with answers. */
typedef struct fv_answers {
	fv_answer *items;
	size_t n, cap;
} fv_answers;

/*
 * Parse a JSON object {"name": value}: a value is a string, a number
 * (written in shortest form), true/false ("true"/"false"), null (no answer)
 * or, for select_multiple, an array of strings and numbers (joined with
 * spaces).  Anything else is an error "NAME:LINE: message".  A name given
 * twice is an error.
 */
FV_MUST_CHECK fv_status fv_answers_parse(const char *name, const char *data, size_t len,
					 fv_answers *out, fv_errors *err);
void fv_answers_release(fv_answers *a);
/* Append one name/value pair (both copied). */
void fv_answers_add(fv_answers *a, const char *name, const char *value);
/* The answers as a JSON object of strings {"name": "value"} (the caller
 * frees), which fv_answers_parse reads back as the same pairs. */
char *fv_answers_to_json(const fv_answers *a);

/*
 * Give all answers a to instance in, in form order, so that relevance is
 * settled by the answers before each question, as when a person fills the
 * form.  An answer to a question that is not asked is dropped, as ODK does.
 * Every answer that cannot be taken (no such question, a value that does
 * not fit) is added to problems as (name, message).  Returns the number of
 * problems added.
 */
size_t fv_instance_apply(fv_instance *in, const fv_answers *a, fv_answers *problems);

/*
 * Every problem of a filling as (name, message) pairs added to out: first
 * the refused answers that name no field, then, in form order, for each
 * field its refused answer if there was one, else its current error
 * (fv_instance_field_error).  Returns the number added.
 */
size_t fv_instance_report(fv_instance *in, const fv_answers *refused, fv_answers *out);

/* ------------------------------------------------------------------ */
/* The runner: walking a form on screen, one step at a time            */

/*
 * What a form runner screen needs, without curses: the steps of a filling
 * (a question or note on its own, or a group with appearance "field-list"
 * shown as one page), the one shown now, moving on only past a step whose
 * fields have no problem, moving back and jumping freely, progress, and
 * the answers to save as a draft after every change.  Steps follow
 * relevance: they are the fields shown now, in form order, and change as
 * answers change.  Calculates are never steps.
 */
typedef struct fv_runner fv_runner;

/* A new filling of f in language lang (an index of f's languages). */
fv_runner *fv_runner_new(const fv_form *f, int lang);
/*
 * A filling resumed from saved answers (a draft): the answers are applied
 * as fv_instance_apply does (those that no longer fit are dropped and
 * counted in *dropped, which may be NULL), and the current step is the
 * one after the last step with an answer: where the filling stopped (the
 * summary when every step has one).
 */
fv_runner *fv_runner_resume(const fv_form *f, int lang, const fv_answers *saved,
			    size_t *dropped);
void fv_runner_free(fv_runner *r);

const fv_form *fv_runner_form(const fv_runner *r);
fv_instance *fv_runner_instance(fv_runner *r);

/* The steps shown now, as field indices (a question, note or acknowledge,
 * or the begin_group of a field-list page), in form order. */
size_t fv_runner_steps(fv_runner *r, const int **out);
/* The index into the steps of the current step; the number of steps when
 * the filling is at its end (the summary). */
size_t fv_runner_at(fv_runner *r);
/* The fields of step (an index into the steps): the field itself, or the
 * relevant questions and notes of a field-list page; returns their
 * number. */
size_t fv_runner_step_fields(fv_runner *r, size_t step, const int **out);

/* Answer field (a question of the current step) with text typed by the
 * user, as fv_instance_set.  The steps may change; the current step stays
 * on the same field. */
FV_MUST_CHECK fv_status fv_runner_answer(fv_runner *r, int field, const char *value,
					 char *errbuf, size_t errlen);

/* Move to the next step.  When a field of the current step has a problem
 * (fv_instance_field_error), stays and returns the first such field
 * (*msg its message); else moves and returns -1. */
int fv_runner_next(fv_runner *r, const char **msg);
/* Move to the previous step (nothing at the first). */
void fv_runner_prev(fv_runner *r);
/* Move to step (clamped to the summary). */
void fv_runner_jump(fv_runner *r, size_t step);

/* Progress: the questions shown now that hold an answer (*done) of those
 * shown now (*total); notes and acknowledges that are not required do not
 * count. */
void fv_runner_progress(fv_runner *r, int *done, int *total);

/* The answers to save as a draft: each relevant question with a value, in
 * form order (select_multiple as space-separated choices). */
void fv_runner_answers(fv_runner *r, fv_answers *out);

/* Every problem of the filling, as fv_instance_report gives them; the
 * summary shows them before submit.  Returns their number. */
size_t fv_runner_problems(fv_runner *r, fv_answers *out);

#endif
