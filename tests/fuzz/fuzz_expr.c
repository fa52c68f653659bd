/*
 * Fuzz target: the expression engine (expr_parse.c, expr_eval.c).  The
 * input is an expression; it is compiled against a small fixed table of
 * fields of every kind that matters to the evaluator (with '.' allowed),
 * and as a choice filter; whatever compiles is evaluated as a string and
 * as a boolean.  Nothing may crash, leak, read out of bounds or recurse
 * without bound, whatever the input.
 *
 *   libFuzzer:  ./configure CC=clang --enable-fuzzing && make
 *               tests/fuzz/fuzz_expr tests/fuzz/corpus/expr
 *   replay:     tests/unit/test_fuzz_corpus (make check)
 */
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/forms.h"
#include "fuzz.h"

static const struct {
	const char *name;
	fv_qtype type;
	const char *value;
} fields[] = {
	{"age", FV_Q_INTEGER, "42"},
	{"empty", FV_Q_INTEGER, ""},
	{"weight", FV_Q_DECIMAL, "61.5"},
	{"name", FV_Q_TEXT, "王小明"},
	{"dob", FV_Q_DATE, "1950-03-15"},
	{"checkin", FV_Q_DATETIME, "2026-01-01T09:30:00.000+08:00"},
	{"start", FV_Q_TIME, "08:30"},
	{"sex", FV_Q_SELECT_ONE, "female"},
	{"symptoms", FV_Q_SELECT_MULTIPLE, "cough fever"},
	{"score", FV_Q_CALCULATE, "12"},
	{"bad_int", FV_Q_INTEGER, "x"},       /* not what the type says */
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static const char *const columns[] = {"name", "county"};

static int resolve(void *ctx, const char *name)
{
	(void)ctx;
	for (size_t i = 0; i < NFIELDS; i++)
		if (strcmp(fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int resolve_column(void *ctx, const char *name)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++)
		if (strcmp(columns[i], name) == 0)
			return (int)i;
	return -1;
}

static const char *value(void *ctx, int field, fv_qtype *type)
{
	(void)ctx;
	*type = fields[field].type;
	return fields[field].value;
}

static const char *choice_label(void *ctx, int field, const char *choice)
{
	(void)ctx;
	return strcmp(fields[field].name, "sex") == 0 && strcmp(choice, "female") == 0 ? "女"
											   : NULL;
}

static const char *column(void *ctx, int col)
{
	(void)ctx;
	return col == 0 ? "anxi" : "泉州";
}

/* An error message must be there and be one line. */
static void check_message(fv_status st, const char *err)
{
	if (st != FV_OK && (err[0] == '\0' || strchr(err, '\n')))
		abort();
}

/* Evaluate e both ways: whatever the result, an error has a message and
 * appends nothing, and a boolean is 0 or 1. */
static void evaluate(const fv_expr *e)
{
	/* a fixed clock, so that a crash found with today() reproduces */
	const fv_expr_env env = {NULL, value, choice_label, 0, 1767259800.0, column};
	char err[256] = "";
	fv_buf out;
	int b = -1;
	const int *refs;
	fv_status st;
	fv_buf_init(&out);
	st = fv_expr_eval_string(e, &env, &out, err, sizeof err);
	check_message(st, err);
	if (st != FV_OK && out.len != 0)
		abort();
	err[0] = '\0';
	st = fv_expr_eval_bool(e, &env, &b, err, sizeof err);
	check_message(st, err);
	if (st == FV_OK && b != 0 && b != 1)
		abort();
	for (size_t i = fv_expr_refs(e, &refs); i > 0; i--)
		if (refs[i - 1] < 0 || (size_t)refs[i - 1] >= NFIELDS)
			abort();
	fv_buf_release(&out);
}

FV_FUZZ_ENTRY(expr)
{
	char err[256] = "";
	fv_expr *e = NULL;
	char *src = fv_xmalloc(size + 1);
	fv_status st;
	memcpy(src, data, size);
	src[size] = '\0';
	st = fv_expr_compile(src, resolve, NULL, 1, &e, err, sizeof err);
	check_message(st, err);
	if (st == FV_OK)
		evaluate(e);
	fv_expr_free(e);
	e = NULL;
	err[0] = '\0';
	st = fv_expr_compile_filter(src, resolve, resolve_column, NULL, &e, err, sizeof err);
	check_message(st, err);
	if (st == FV_OK)
		evaluate(e);
	fv_expr_free(e);
	free(src);
	return 0;
}
