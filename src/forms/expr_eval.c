/*
 * fieldvisit forms: the expression evaluator.  Walks the tree expr_parse.c
 * built, with the types and conversions of JavaRosa (ODK Collect), so that
 * a form computes here what it computes on a phone.
 *
 * Values are strings, numbers, booleans, dates (days since 1970-01-01) and
 * date-times (seconds since 1970-01-01T00:00 of the local wall clock).  The
 * conversions follow JavaRosa's XPathFuncExpr toBoolean / toNumeric /
 * toString / toDate; the places where this file knowingly differs from
 * JavaRosa are marked "Deviation".
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expr_internal.h"

#define DAY_SECS 86400.0
#define MIN_DAYS (-719162)  /* 0001-01-01 */
#define MAX_DAYS 2932896    /* 9999-12-31 */

typedef enum xtype { XV_STR, XV_NUM, XV_BOOL, XV_DATE, XV_DATETIME } xtype;

struct xval {
	xtype type;
	double n;       /* NUM; BOOL 0 or 1; DATE days; DATETIME seconds */
	const char *s;  /* STR: the text (== own) */
	char *own;      /* STR: malloc'd text, freed by val_release() */
};

struct expr_eval {
	const fv_expr_env *env;
	char *err;
	size_t errlen;
};

static int fail(expr_eval *ev, const char *fmt, ...) FV_PRINTF(2, 3);

/* Write a run-time error; returns -1 for "return fail(...)". */
static int fail(expr_eval *ev, const char *fmt, ...)
{
	va_list ap;
	if (ev->err && ev->errlen) {
		va_start(ap, fmt);
		vsnprintf(ev->err, ev->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

static xval num_val(double d)
{
	return (xval){XV_NUM, d, NULL, NULL};
}

static xval bool_val(int b)
{
	return (xval){XV_BOOL, b ? 1 : 0, NULL, NULL};
}

static xval date_val(double days)
{
	return (xval){XV_DATE, days, NULL, NULL};
}

static xval datetime_val(double t)
{
	return (xval){XV_DATETIME, t, NULL, NULL};
}

/* A string value that owns s (malloc'd). */
static xval str_take(char *s)
{
	return (xval){XV_STR, 0, s, s};
}

static xval str_copy(const char *s)
{
	return str_take(fv_xstrdup(s ? s : ""));
}

static void val_release(xval *v)
{
	free(v->own);
	v->own = NULL;
	v->s = NULL;
}

/* Hand v over to the caller: v no longer owns anything. */
static xval val_move(xval *v)
{
	xval r = *v;
	v->own = NULL;
	v->s = NULL;
	return r;
}

static int days_ok(double days)
{
	return days >= MIN_DAYS && days <= MAX_DAYS;
}

static int time_ok(double t)
{
	return t >= MIN_DAYS * DAY_SECS && t < (MAX_DAYS + 1) * DAY_SECS;
}

/* ------------------------------------------------------------------ */
/* Numbers as text                                                     */

/* A decimal 0.d1d2...dn x 10^point, digits without trailing zeros. */
typedef struct decimal {
	char digits[24];
	int n, point;
} decimal;

/* The shortest digits that read back as |d| (finite, nonzero). */
static void shortest_decimal(double d, decimal *dec)
{
	char buf[64];
	d = fabs(d);
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* "d.ddde+XX" with the locale's decimal point: keep the digits only */
	const char *p = buf;
	dec->n = 0;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			dec->digits[dec->n++] = *p;
	dec->point = (int)strtol(p + 1, NULL, 10) + 1;
	while (dec->n > 1 && dec->digits[dec->n - 1] == '0')
		dec->n--;
	dec->digits[dec->n] = '\0';
}

/* Read digits x 10^exp10 exactly: "DDDe-K" has no decimal point, so strtod
 * reads it the same in every locale. */
static double digits_to_double(const char *digits, size_t n, long long exp10)
{
	/* Up to 15 digits are an exact integer m (below 2^53) and 10^0..10^22
	 * are exact doubles, so m / 10^k and m * 10^k are one correctly
	 * rounded operation on exact values: the double strtod gives (Clinger's
	 * fast path).  An import reads every answer of every visit as a number
	 * (scores, relevance), and the formatting below was a tenth of it. */
	static const double pow10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
	};
#if FLT_EVAL_METHOD == 0
	if (n <= 15 && exp10 >= -22 && exp10 <= 22) {
		uint64_t m = 0;
		for (size_t i = 0; i < n; i++)
			m = m * 10 + (uint64_t)(digits[i] - '0');
		return exp10 < 0 ? (double)m / pow10[-exp10] : (double)m * pow10[exp10];
	}
#endif
	char *buf = fv_xmalloc(n + 32);
	memcpy(buf, digits, n);
	snprintf(buf + n, 32, "e%lld", exp10);
	double d = strtod(buf, NULL);
	free(buf);
	return d;
}

double expr_decimal(const char *s, size_t n)
{
	size_t i = 0, ndigits = 0, frac = 0;
	int neg = 0, point = 0;
	char *digits = fv_xmalloc(n + 1);
	double d = NAN;
	if (i < n && s[i] == '-')
		neg = 1, i++;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			digits[ndigits++] = s[i];
			frac += point;
		} else if ((s[i] == '.' || s[i] == ',') && !point) {
			point = 1;
		} else {
			break;
		}
	}
	if (i == n && ndigits > 0) {
		d = digits_to_double(digits, ndigits, -(long long)frac);
		d = neg ? -d : d;
	}
	free(digits);
	return d;
}

/* JavaRosa toNumeric(String): trimmed, plain decimal, else NaN. */
static double str_to_number(const char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (unsigned char)s[n - 1] <= ' ')
		n--;
	while (n > 0 && (unsigned char)*s <= ' ')
		s++, n--;
	return expr_decimal(s, n);
}

/* Append a decimal in positional notation (no exponent). */
static void decimal_put(const decimal *dec, fv_buf *out)
{
	int n = dec->n, point = dec->point;
	if (point <= 0) {
		fv_buf_adds(out, "0.");
		for (int i = point; i < 0; i++)
			fv_buf_addc(out, '0');
		fv_buf_add(out, dec->digits, (size_t)n);
	} else if (point >= n) {
		fv_buf_add(out, dec->digits, (size_t)n);
		for (int i = n; i < point; i++)
			fv_buf_addc(out, '0');
	} else {
		fv_buf_add(out, dec->digits, (size_t)point);
		fv_buf_addc(out, '.');
		fv_buf_add(out, dec->digits + point, (size_t)(n - point));
	}
}

void fv_number_format(double d, fv_buf *out)
{
	decimal dec;
	if (isnan(d))
		return;
	if (isinf(d)) {
		fv_buf_adds(out, d < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (d == 0) {
		fv_buf_addc(out, '0');
		return;
	}
	shortest_decimal(d, &dec);
	if (d < 0)
		fv_buf_addc(out, '-');
	decimal_put(&dec, out);
}

/* ------------------------------------------------------------------ */
/* Conversions (JavaRosa XPathFuncExpr)                                */

/* Java's (int) of a double: NaN is 0, out of range clamps, else truncates. */
static int java_int(double d)
{
	if (isnan(d))
		return 0;
	if (d >= (double)INT_MAX)
		return INT_MAX;
	if (d <= (double)INT_MIN)
		return INT_MIN;
	return (int)d;
}

/* toBoolean: a non-empty string, a number other than 0 (within 1e-12) and
 * NaN, and every date are true. */
static int to_bool(const xval *v)
{
	switch (v->type) {
	case XV_STR:
		return v->s[0] != '\0';
	case XV_NUM:
		return fabs(v->n) > 1e-12;
	case XV_BOOL:
		return v->n != 0;
	default:
		return 1;
	}
}

/* toNumeric: strings as str_to_number(), true is 1, dates and date-times
 * the day number (whole days since the epoch). */
static double to_num(const xval *v)
{
	switch (v->type) {
	case XV_STR:
		return str_to_number(v->s);
	case XV_DATETIME:
		return floor(v->n / DAY_SECS);
	default:
		return v->n;
	}
}

/* toDouble (abs, pow): as to_num, but a date-time keeps its time of day. */
static double to_double(const xval *v)
{
	return v->type == XV_DATETIME ? v->n / DAY_SECS : to_num(v);
}

/* Append the text of v; stored is the form an instance keeps (NaN is ""),
 * otherwise XPath string() (NaN is "NaN"). */
static void put_value(const xval *v, fv_buf *out, int stored)
{
	char tmp[40];
	switch (v->type) {
	case XV_STR:
		fv_buf_adds(out, v->s);
		break;
	case XV_NUM:
		if (isnan(v->n) && !stored)
			fv_buf_adds(out, "NaN");
		else
			fv_number_format(v->n, out);
		break;
	case XV_BOOL:
		fv_buf_adds(out, v->n != 0 ? "true" : "false");
		break;
	case XV_DATE:
		fv_date_format((int32_t)v->n, tmp);
		fv_buf_adds(out, tmp);
		break;
	case XV_DATETIME:
		fv_datetime_format(v->n, tmp);
		fv_buf_adds(out, tmp);
		break;
	}
}

/* toString, in place: v becomes a string; returns its text. */
static const char *to_str(xval *v)
{
	if (v->type != XV_STR) {
		fv_buf b;
		fv_buf_init(&b);
		put_value(v, &b, 0);
		*v = str_take(fv_buf_take(&b));
	}
	return v->s;
}

/* An answer with its XPath type (JavaRosa XPathPathExpr.unpackValue):
 * integer and decimal answers are numbers, date answers dates, dateTime
 * answers date-times, the rest (and "", and anything that does not parse)
 * strings. */
static xval typed_answer(const char *s, fv_qtype type)
{
	int32_t days;
	double d;
	if (!s || !*s)
		return str_copy("");
	if ((type == FV_Q_INTEGER || type == FV_Q_DECIMAL) && !isnan(d = str_to_number(s)))
		return num_val(d);
	if (type == FV_Q_DATE && fv_date_parse(s, &days))
		return date_val(days);
	if (type == FV_Q_DATETIME && fv_datetime_parse(s, &d))
		return datetime_val(d);
	return str_copy(s);
}

/* "cannot convert 'x' to a date" */
static int not_a_date(expr_eval *ev, xval *v)
{
	const char *s = to_str(v);
	int n = expr_clip(s, 40);
	return fail(ev, "cannot convert '%.*s%s' to a date", n, s, s[n] ? "..." : "");
}

/*
 * The moment v stands for, in local seconds (JavaRosa toDate keeping the
 * time): a date or date-time string, a number of days, a date.  Returns 1
 * with *t set; 0 for "" and NaN, which the date functions pass through
 * unchanged; -1 after an error.
 */
static int value_time(expr_eval *ev, xval *v, double *t)
{
	switch (v->type) {
	case XV_STR:
		if (!*v->s)
			return 0;
		if (fv_datetime_parse(v->s, t))
			return 1;
		break;
	case XV_NUM:
		if (isnan(v->n))
			return 0;
		*t = v->n * DAY_SECS;
		if (time_ok(*t))
			return 1;
		break;
	case XV_DATE:
		*t = v->n * DAY_SECS;
		return 1;
	case XV_DATETIME:
		*t = v->n;
		return 1;
	case XV_BOOL:
		break;
	}
	return not_a_date(ev, v);
}

/* ------------------------------------------------------------------ */
/* Evaluation                                                          */

static int eval(expr_eval *ev, const expr_node *n, xval *out);

static int eval_bool_of(expr_eval *ev, const expr_node *n, int *b)
{
	xval v;
	if (eval(ev, n, &v))
		return -1;
	*b = to_bool(&v);
	val_release(&v);
	return 0;
}

/* and / or, evaluating the right side only when it decides. */
static int eval_logic(expr_eval *ev, const expr_node *n, xval *out)
{
	int b;
	if (eval_bool_of(ev, n->args[0], &b))
		return -1;
	if (b != (n->kind == EX_OR) && eval_bool_of(ev, n->args[1], &b))
		return -1;
	*out = bool_val(b);
	return 0;
}

/* JavaRosa XPathEqExpr: booleans if either side is one, else numbers if
 * either side is one (equal within 1e-12), else strings. */
static int values_equal(xval *a, xval *b)
{
	if (a->type == XV_BOOL || b->type == XV_BOOL)
		return to_bool(a) == to_bool(b);
	if (a->type == XV_NUM || b->type == XV_NUM) {
		double x = to_num(a), y = to_num(b);
		/* Deviation: JavaRosa's |x - y| < 1e-12 alone makes
		 * Infinity != Infinity; equal values are equal here. */
		return x == y || fabs(x - y) < 1e-12;
	}
	return strcmp(to_str(a), to_str(b)) == 0;
}

/* Binary operators on two evaluated operands. */
static xval binary_op(expr_kind kind, xval *a, xval *b)
{
	if (kind == EX_EQ || kind == EX_NE)
		return bool_val(values_equal(a, b) == (kind == EX_EQ));
	double x = to_num(a), y = to_num(b);
	switch (kind) {
	case EX_LT: return bool_val(x < y);
	case EX_LE: return bool_val(x <= y);
	case EX_GT: return bool_val(x > y);
	case EX_GE: return bool_val(x >= y);
	case EX_ADD: return num_val(x + y);
	case EX_SUB: return num_val(x - y);
	case EX_MUL: return num_val(x * y);
	case EX_DIV: return num_val(x / y);
	default: return num_val(fmod(x, y));  /* EX_MOD: Java %, the dividend's sign */
	}
}

static int eval_binary(expr_eval *ev, const expr_node *n, xval *out)
{
	xval a, b;
	if (eval(ev, n->args[0], &a))
		return -1;
	if (eval(ev, n->args[1], &b)) {
		val_release(&a);
		return -1;
	}
	*out = binary_op(n->kind, &a, &b);
	val_release(&a);
	val_release(&b);
	return 0;
}

static int eval_call(expr_eval *ev, const expr_node *n, xval *out)
{
	const expr_fn *fn = n->fn;
	if (fn->lazy)
		return fn->lazy(ev, n, out);
	xval *args = fv_xcalloc(n->nargs + 1, sizeof *args);
	int rc = 0;
	for (size_t i = 0; i < n->nargs && rc == 0; i++)
		rc = eval(ev, n->args[i], &args[i]);
	if (rc == 0)
		rc = fn->eager(ev, n, args, n->nargs, out);
	for (size_t i = 0; i < n->nargs; i++)
		val_release(&args[i]);
	free(args);
	return rc;
}

static int eval_field(expr_eval *ev, int field, xval *out)
{
	const fv_expr_env *env = ev->env;
	fv_qtype type = FV_Q_TEXT;
	const char *s = NULL;
	if (field < 0)
		return fail(ev, "'.' has no field here");
	if (env->value)
		s = env->value(env->ctx, field, &type);
	*out = typed_answer(s, type);
	return 0;
}

/* Evaluate n into *out (which the caller releases); on error *out holds
 * nothing to release and -1 is returned. */
static int eval(expr_eval *ev, const expr_node *n, xval *out)
{
	const fv_expr_env *env = ev->env;
	switch (n->kind) {
	case EX_NUM:
		*out = num_val(n->num);
		return 0;
	case EX_STR:
		*out = str_copy(n->str);
		return 0;
	case EX_REF:
		return eval_field(ev, n->index, out);
	case EX_DOT:
		return eval_field(ev, env->dot, out);
	case EX_COL:
		if (!env->column)
			return fail(ev, "choice columns can only be read in a choice_filter");
		*out = str_copy(env->column(env->ctx, n->index));
		return 0;
	case EX_NEG: {
		xval v;
		if (eval(ev, n->args[0], &v))
			return -1;
		*out = num_val(-to_num(&v));
		val_release(&v);
		return 0;
	}
	case EX_OR:
	case EX_AND:
		return eval_logic(ev, n, out);
	case EX_CALL:
		return eval_call(ev, n, out);
	default:
		return eval_binary(ev, n, out);
	}
}

fv_status fv_expr_eval_string(const fv_expr *e, const fv_expr_env *env, fv_buf *out,
			      char *errbuf, size_t errlen)
{
	expr_eval ev = {env, errbuf, errlen};
	xval v;
	if (eval(&ev, e->root, &v)) {
		expr_one_line(errbuf, errlen);
		return FV_EINVAL;
	}
	put_value(&v, out, 1);
	val_release(&v);
	return FV_OK;
}

fv_status fv_expr_eval_bool(const fv_expr *e, const fv_expr_env *env, int *out, char *errbuf,
			    size_t errlen)
{
	expr_eval ev = {env, errbuf, errlen};
	if (eval_bool_of(&ev, e->root, out)) {
		expr_one_line(errbuf, errlen);
		return FV_EINVAL;
	}
	return FV_OK;
}

/* ------------------------------------------------------------------ */
/* Functions: logic and numbers                                        */

/* Handler parameters: ev, the call node, its evaluated arguments, out. */
#define FN_ARGS expr_eval *ev, const expr_node *call, xval *a, size_t n, xval *out
#define UNUSED_FN_ARGS (void)ev, (void)call, (void)a, (void)n

/* if(c, a, b): only the branch taken is evaluated. */
static int fn_if(expr_eval *ev, const expr_node *call, xval *out)
{
	int b;
	if (eval_bool_of(ev, call->args[0], &b))
		return -1;
	return eval(ev, call->args[b ? 1 : 2], out);
}

/* coalesce(a, b): a unless it is "" or NaN (JavaRosa isNull), else b. */
static int fn_coalesce(expr_eval *ev, const expr_node *call, xval *out)
{
	if (eval(ev, call->args[0], out))
		return -1;
	if ((out->type == XV_STR && !*out->s) || (out->type == XV_NUM && isnan(out->n))) {
		val_release(out);
		return eval(ev, call->args[1], out);
	}
	return 0;
}

static int fn_true(FN_ARGS)
{
	UNUSED_FN_ARGS;
	*out = bool_val(1);
	return 0;
}

static int fn_false(FN_ARGS)
{
	UNUSED_FN_ARGS;
	*out = bool_val(0);
	return 0;
}

static int fn_not(FN_ARGS)
{
	UNUSED_FN_ARGS;
	*out = bool_val(!to_bool(&a[0]));
	return 0;
}

static int fn_boolean(FN_ARGS)
{
	UNUSED_FN_ARGS;
	*out = bool_val(to_bool(&a[0]));
	return 0;
}

/* 'true' in any case, or '1'. */
static int fn_boolean_from_string(FN_ARGS)
{
	UNUSED_FN_ARGS;
	const char *s = to_str(&a[0]);
	*out = bool_val(strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0);
	return 0;
}

static int fn_number(FN_ARGS)
{
	UNUSED_FN_ARGS;
	*out = num_val(to_num(&a[0]));
	return 0;
}

/* int(): toward zero; NaN and infinities stay. */
static int fn_int(FN_ARGS)
{
	UNUSED_FN_ARGS;
	*out = num_val(trunc(to_num(&a[0])));
	return 0;
}

/*
 * JavaRosa round(x, places): new BigDecimal(Double.toString(x))
 * .setScale(places, x < 0 ? HALF_DOWN : HALF_UP), so round(2.675, 2) is
 * 2.68 (the decimal digits are rounded, not the binary value) and halves
 * go toward +Infinity: round(2.5) = 3, round(-2.5) = -2.  |places| > 30
 * gives NaN.  Deviation: for negative places JavaRosa truncates
 * x * 10^places + 0.5 toward zero, which rounds -36 to -30; here the same
 * digit rounding applies (round(-36, -1) = -40, round(35, -1) = 40 as in
 * JavaRosa).
 */
static double round_places(double x, int places)
{
	decimal dec;
	if (isnan(x) || isinf(x))
		return x;
	if (places > 30 || places < -30)
		return NAN;
	if (x == 0)
		return 0;
	shortest_decimal(x, &dec);
	int keep = dec.point + places;
	if (keep >= dec.n)
		return x;
	int up = 0;
	if (keep >= 0) {
		char q = dec.digits[keep];
		up = x > 0 ? q >= '5' : q > '5' || (q == '5' && keep + 1 < dec.n);
	}
	dec.n = keep < 0 ? 0 : keep;
	if (up) {
		int i = dec.n - 1;
		while (i >= 0 && dec.digits[i] == '9')
			dec.digits[i--] = '0';
		if (i >= 0) {
			dec.digits[i]++;
		} else {
			memmove(dec.digits + 1, dec.digits, (size_t)dec.n);
			dec.digits[0] = '1';
			dec.n++;
			dec.point++;
		}
	}
	if (dec.n == 0)
		return 0;
	double r = digits_to_double(dec.digits, (size_t)dec.n, (long long)dec.point - dec.n);
	return x < 0 ? -r : r;
}

static int fn_round(FN_ARGS)
{
	UNUSED_FN_ARGS;
	int places = n > 1 ? java_int(to_num(&a[1])) : 0;
	*out = num_val(round_places(to_num(&a[0]), places));
	return 0;
}

static int fn_abs(FN_ARGS)
{
	UNUSED_FN_ARGS;
	*out = num_val(fabs(to_double(&a[0])));
	return 0;
}

/* Java Math.pow: unlike C, pow(1, NaN) and pow(-1, Infinity) are NaN. */
static int fn_pow(FN_ARGS)
{
	UNUSED_FN_ARGS;
	double x = to_double(&a[0]), y = to_double(&a[1]);
	*out = num_val(isnan(y) || (isinf(y) && fabs(x) == 1) ? NAN : pow(x, y));
	return 0;
}

typedef enum fold_op { FOLD_MIN, FOLD_MAX, FOLD_SUM } fold_op;

/*
 * min / max / sum over the arguments, each taken as one number; NaN (an
 * empty answer) is skipped, as JavaRosa skips it in a node-set.  min and
 * max of nothing but NaN are NaN, sum of it 0.  Node-sets do not exist
 * here: sum(${q}) is the number of q's answer.  Deviation: JavaRosa starts
 * max at Double.MIN_VALUE, so its max(-1, -2) is 4.9E-324; here it is -1.
 */
static double fold(xval *a, size_t n, fold_op op)
{
	double acc = op == FOLD_SUM ? 0 : NAN;
	for (size_t i = 0; i < n; i++) {
		double x = to_num(&a[i]);
		if (isnan(x))
			continue;
		if (op == FOLD_SUM)
			acc += x;
		else if (isnan(acc) || (op == FOLD_MIN ? x < acc : x > acc))
			acc = x;
	}
	return acc;
}

static int fn_min(FN_ARGS)
{
	UNUSED_FN_ARGS;
	*out = num_val(fold(a, n, FOLD_MIN));
	return 0;
}

static int fn_max(FN_ARGS)
{
	UNUSED_FN_ARGS;
	*out = num_val(fold(a, n, FOLD_MAX));
	return 0;
}

static int fn_sum(FN_ARGS)
{
	UNUSED_FN_ARGS;
	*out = num_val(fold(a, n, FOLD_SUM));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Functions: strings (lengths and positions count characters)         */

static int fn_string(FN_ARGS)
{
	UNUSED_FN_ARGS;
	to_str(&a[0]);
	*out = val_move(&a[0]);
	return 0;
}

/* concat(...): any number of arguments, none included. */
static int fn_concat(FN_ARGS)
{
	UNUSED_FN_ARGS;
	fv_buf b;
	fv_buf_init(&b);
	for (size_t i = 0; i < n; i++)
		fv_buf_adds(&b, to_str(&a[i]));
	*out = str_take(fv_buf_take(&b));
	return 0;
}

static int fn_string_length(FN_ARGS)
{
	UNUSED_FN_ARGS;
	*out = num_val((double)fv_utf8_len(to_str(&a[0])));
	return 0;
}

/* JavaRosa substr(s, start[, end]): 0-based, end excluded; a negative
 * start or end counts from the end; both are clamped to the string. */
static int fn_substr(FN_ARGS)
{
	UNUSED_FN_ARGS;
	const char *s = to_str(&a[0]);
	long long len = (long long)fv_utf8_len(s);
	long long start = java_int(to_num(&a[1]));
	long long end = n > 2 ? java_int(to_num(&a[2])) : len;
	if (start < 0)
		start += len;
	if (end < 0)
		end += len;
	start = start < 0 ? 0 : start > len ? len : start;
	end = end < 0 ? 0 : end > len ? len : end;
	if (start >= end) {
		*out = str_copy("");
		return 0;
	}
	size_t from = fv_utf8_offset(s, (size_t)start), to = fv_utf8_offset(s, (size_t)end);
	*out = str_take(fv_xstrndup(s + from, to - from));
	return 0;
}

/* The part of a0 before (or after) the first a1; "" when a1 is absent. */
static xval substring_around(xval *a, int after)
{
	const char *s = to_str(&a[0]), *sep = to_str(&a[1]);
	const char *at = strstr(s, sep);
	if (!at)
		return str_copy("");
	if (after)
		return str_copy(at + strlen(sep));
	return str_take(fv_xstrndup(s, (size_t)(at - s)));
}

static int fn_substring_before(FN_ARGS)
{
	UNUSED_FN_ARGS;
	*out = substring_around(a, 0);
	return 0;
}

static int fn_substring_after(FN_ARGS)
{
	UNUSED_FN_ARGS;
	*out = substring_around(a, 1);
	return 0;
}

static int fn_starts_with(FN_ARGS)
{
	UNUSED_FN_ARGS;
	const char *s = to_str(&a[0]), *p = to_str(&a[1]);
	*out = bool_val(strncmp(s, p, strlen(p)) == 0);
	return 0;
}

static int fn_ends_with(FN_ARGS)
{
	UNUSED_FN_ARGS;
	const char *s = to_str(&a[0]), *p = to_str(&a[1]);
	size_t ls = strlen(s), lp = strlen(p);
	*out = bool_val(lp <= ls && memcmp(s + ls - lp, p, lp) == 0);
	return 0;
}

static int fn_contains(FN_ARGS)
{
	UNUSED_FN_ARGS;
	*out = bool_val(strstr(to_str(&a[0]), to_str(&a[1])) != NULL);
	return 0;
}

static int is_java_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Java s.trim().replaceAll("\\s+", " "). */
static int fn_normalize_space(FN_ARGS)
{
	UNUSED_FN_ARGS;
	const char *s = to_str(&a[0]);
	size_t len = strlen(s);
	fv_buf b;
	while (len > 0 && (unsigned char)s[len - 1] <= ' ')
		len--;
	while (len > 0 && (unsigned char)*s <= ' ')
		s++, len--;
	fv_buf_init(&b);
	for (size_t i = 0; i < len; i++) {
		if (!is_java_space(s[i]))
			fv_buf_addc(&b, s[i]);
		else if (!is_java_space(s[i + 1]))
			fv_buf_addc(&b, ' ');
	}
	*out = str_take(fv_buf_take(&b));
	return 0;
}

/* The code points of s; *count is set. */
static uint32_t *code_points(const char *s, size_t *count)
{
	size_t len = strlen(s), n = 0;
	uint32_t *cps = fv_xcalloc(len + 1, sizeof *cps);
	for (size_t i = 0; i < len; n++)
		i += fv_utf8_decode(s + i, len - i, &cps[n]);
	*count = n;
	return cps;
}

/* translate(s, from, to): each character of s found in from is replaced by
 * the character at the same place in to, or dropped when to is shorter. */
static int fn_translate(FN_ARGS)
{
	UNUSED_FN_ARGS;
	const char *s = to_str(&a[0]);
	size_t nfrom, nto, len = strlen(s);
	uint32_t *from = code_points(to_str(&a[1]), &nfrom);
	uint32_t *to = code_points(to_str(&a[2]), &nto);
	fv_buf b;
	fv_buf_init(&b);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = fv_utf8_decode(s + i, len - i, &cp), j = 0;
		while (j < nfrom && from[j] != cp)
			j++;
		if (j == nfrom)
			fv_buf_add(&b, s + i, k);
		else if (j < nto)
			fv_utf8_put(&b, to[j]);
		i += k;
	}
	free(from);
	free(to);
	*out = str_take(fv_buf_take(&b));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Functions: regular expressions                                      */

/* regex(s, pattern): the whole of s matches (java.util.regex.Pattern.matches). */
static int fn_regex(FN_ARGS)
{
	(void)n;
	const char *s = to_str(&a[0]);
	regex_t re;
	if (call->re) {
		*out = bool_val(expr_regex_match(call->re, s));
		return 0;
	}
	if (expr_regex_compile(to_str(&a[1]), &re, ev->err, ev->errlen))
		return -1;
	*out = bool_val(expr_regex_match(&re, s));
	regfree(&re);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Functions: select answers (space-separated choice names)            */

/* The next choice name of list at *s (skipping empty items); returns its
 * length, 0 at the end.  *s is moved past it. */
static size_t next_choice(const char **s, const char **item)
{
	const char *p = *s;
	while (*p == ' ')
		p++;
	*item = p;
	while (*p && *p != ' ')
		p++;
	*s = p;
	return (size_t)(p - *item);
}

/* selected(list, value): value (trimmed) is one of the names of list.  As
 * in JavaRosa, value must be a string: selected(${q}, 1) is an error. */
static int fn_selected(FN_ARGS)
{
	(void)call, (void)n;
	if (a[1].type != XV_STR)
		return fail(ev, "the second argument of 'selected' must be in quotes (like '1')");
	char *want = fv_xstrdup(a[1].s);
	fv_buf hay;
	fv_buf_init(&hay);
	fv_buf_addc(&hay, ' ');
	fv_buf_adds(&hay, to_str(&a[0]));
	fv_buf_addc(&hay, ' ');
	char *needle = fv_xasprintf(" %s ", fv_trim(want));
	*out = bool_val(strstr(hay.s, needle) != NULL);
	free(needle);
	free(want);
	fv_buf_release(&hay);
	return 0;
}

/* selected-at(list, i): the i-th name (from 0), "" out of range. */
static int fn_selected_at(FN_ARGS)
{
	UNUSED_FN_ARGS;
	const char *s = to_str(&a[0]), *item;
	int want = java_int(to_num(&a[1]));
	size_t len;
	for (int i = 0; (len = next_choice(&s, &item)) > 0; i++) {
		if (i == want) {
			*out = str_take(fv_xstrndup(item, len));
			return 0;
		}
	}
	*out = str_copy("");
	return 0;
}

static int fn_count_selected(FN_ARGS)
{
	UNUSED_FN_ARGS;
	const char *s = to_str(&a[0]), *item;
	double count = 0;
	while (next_choice(&s, &item) > 0)
		count++;
	*out = num_val(count);
	return 0;
}

/* jr:choice-name(value, '${q}'): the label of choice value of select q
 * (resolved at compile time into call->index), "" when there is none. */
static int fn_choice_name(FN_ARGS)
{
	(void)n;
	const fv_expr_env *env = ev->env;
	const char *v = to_str(&a[0]);
	const char *label =
		*v && env->choice_label ? env->choice_label(env->ctx, call->index, v) : NULL;
	*out = str_copy(label);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Functions: dates                                                    */

static int clock_value(expr_eval *ev, double *t)
{
	*t = ev->env->now;
	if (!time_ok(*t))
		return fail(ev, "the clock is out of range");
	return 0;
}

static int fn_today(FN_ARGS)
{
	UNUSED_FN_ARGS;
	double t;
	if (clock_value(ev, &t))
		return -1;
	*out = date_val(floor(t / DAY_SECS));
	return 0;
}

static int fn_now(FN_ARGS)
{
	UNUSED_FN_ARGS;
	double t;
	if (clock_value(ev, &t))
		return -1;
	*out = datetime_val(t);
	return 0;
}

/* date(x): a date from 'YYYY-MM-DD' (or a date-time string, whose time
 * is dropped), from a number of days (truncated), from a date-time.  ""
 * and NaN pass through; anything else is an error. */
static int fn_date(FN_ARGS)
{
	UNUSED_FN_ARGS;
	double t;
	if (a[0].type == XV_NUM && !isnan(a[0].n)) {
		double days = trunc(a[0].n);
		if (!days_ok(days))
			return not_a_date(ev, &a[0]);
		*out = date_val(days);
		return 0;
	}
	int r = value_time(ev, &a[0], &t);
	if (r > 0)
		*out = date_val(floor(t / DAY_SECS));
	else if (r == 0)
		*out = val_move(&a[0]);
	return r < 0 ? -1 : 0;
}

/* decimal-date-time(x): days since 1970-01-01 with the time as a fraction.
 * A number is returned as is; "" and NaN pass through.  Deviation:
 * JavaRosa counts from 1970-01-01 UTC, which shifts the result by the
 * zone offset; fieldvisit has only the local wall clock and counts from
 * local midnight (decimal-date-time('1970-01-02') is 1 everywhere). */
static int fn_decimal_date_time(FN_ARGS)
{
	UNUSED_FN_ARGS;
	double t;
	if (a[0].type == XV_NUM && !isnan(a[0].n)) {
		if (!days_ok(a[0].n))
			return not_a_date(ev, &a[0]);
		*out = val_move(&a[0]);
		return 0;
	}
	int r = value_time(ev, &a[0], &t);
	if (r > 0)
		*out = num_val(t / DAY_SECS);
	else if (r == 0)
		*out = val_move(&a[0]);
	return r < 0 ? -1 : 0;
}

typedef struct broken_time {
	int year, month, day, hour, minute, second, milli, weekday; /* 0 = Sunday */
} broken_time;

static void break_time(double t, broken_time *bt)
{
	long long ms = llround(t * 1000.0);
	long long days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
	long long rem = ms - days * 86400000;
	fv_date_to_ymd((int32_t)days, &bt->year, &bt->month, &bt->day);
	bt->hour = (int)(rem / 3600000);
	bt->minute = (int)(rem / 60000 % 60);
	bt->second = (int)(rem / 1000 % 60);
	bt->milli = (int)(rem % 1000);
	bt->weekday = (int)(((days + 4) % 7 + 7) % 7);  /* 1970-01-01 was a Thursday */
}

/* Append the field for escape c of a format-date() format. */
static void put_date_field(char c, const broken_time *bt, fv_buf *out)
{
	static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	static const char *const days[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	switch (c) {
	case 'Y': fv_buf_addf(out, "%04d", bt->year); break;
	case 'y': fv_buf_addf(out, "%02d", bt->year % 100); break;
	case 'm': fv_buf_addf(out, "%02d", bt->month); break;
	case 'n': fv_buf_addf(out, "%d", bt->month); break;
	case 'b': fv_buf_adds(out, months[bt->month - 1]); break;
	case 'd': fv_buf_addf(out, "%02d", bt->day); break;
	case 'e': fv_buf_addf(out, "%d", bt->day); break;
	case 'H': fv_buf_addf(out, "%02d", bt->hour); break;
	case 'h': fv_buf_addf(out, "%d", bt->hour); break;
	case 'M': fv_buf_addf(out, "%02d", bt->minute); break;
	case 'S': fv_buf_addf(out, "%02d", bt->second); break;
	case '3': fv_buf_addf(out, "%03d", bt->milli); break;
	case 'a': fv_buf_adds(out, days[bt->weekday]); break;
	default: fv_buf_addc(out, '%'); break;  /* "%%" */
	}
}

/*
 * Walk a format-date() format: JavaRosa's escapes %Y %y %m %n %b %d %e %H
 * %h %M %S %3 %a and %% (English month and day names).  With bt NULL it
 * only checks the format.  Returns 0, or -1 with a message in err.
 */
static int format_date(const char *fmt, const broken_time *bt, fv_buf *out, char *err,
		       size_t errlen)
{
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			if (bt)
				fv_buf_addc(out, *p);
			continue;
		}
		uint32_t cp;
		size_t k = *++p ? fv_utf8_decode(p, strlen(p), &cp) : 0;
		if (k == 0) {
			if (err && errlen)
				snprintf(err, errlen, "date format ends with '%%'");
			return -1;
		}
		if (!strchr("YymnbdeHhMS3a%", *p)) {
			if (err && errlen)
				snprintf(err, errlen, "unknown escape '%%%.*s' in date format",
					 (int)k, p);
			return -1;
		}
		if (bt)
			put_date_field(*p, bt, out);
	}
	return 0;
}

int expr_date_format_check(const char *fmt, char *err, size_t errlen)
{
	return format_date(fmt, NULL, NULL, err, errlen);
}

/* format-date(d, fmt) and format-date-time(d, fmt): "" for "" and NaN. */
static int fn_format_date(FN_ARGS)
{
	UNUSED_FN_ARGS;
	double t;
	broken_time bt;
	fv_buf b;
	int r = value_time(ev, &a[0], &t);
	if (r <= 0) {
		if (r == 0)
			*out = str_copy("");
		return r;
	}
	break_time(t, &bt);
	fv_buf_init(&b);
	if (format_date(to_str(&a[1]), &bt, &b, ev->err, ev->errlen)) {
		fv_buf_release(&b);
		return -1;
	}
	*out = str_take(fv_buf_take(&b));
	return 0;
}

/* ------------------------------------------------------------------ */
/* The function table                                                  */

static const expr_fn functions[] = {
	{"abs", 1, 1, 0, fn_abs, NULL},
	{"boolean", 1, 1, 0, fn_boolean, NULL},
	{"boolean-from-string", 1, 1, 0, fn_boolean_from_string, NULL},
	{"coalesce", 2, 2, 0, NULL, fn_coalesce},
	{"concat", 0, -1, 0, fn_concat, NULL},
	{"contains", 2, 2, 0, fn_contains, NULL},
	{"count-selected", 1, 1, 0, fn_count_selected, NULL},
	{"date", 1, 1, 0, fn_date, NULL},
	{"decimal-date-time", 1, 1, 0, fn_decimal_date_time, NULL},
	{"ends-with", 2, 2, 0, fn_ends_with, NULL},
	{"false", 0, 0, 0, fn_false, NULL},
	{"format-date", 2, 2, FN_DATE_FORMAT, fn_format_date, NULL},
	{"format-date-time", 2, 2, FN_DATE_FORMAT, fn_format_date, NULL},
	{"if", 3, 3, 0, NULL, fn_if},
	{"int", 1, 1, 0, fn_int, NULL},
	{"jr:choice-name", 2, 2, FN_CHOICE_NAME, fn_choice_name, NULL},
	{"max", 1, -1, 0, fn_max, NULL},
	{"min", 1, -1, 0, fn_min, NULL},
	{"normalize-space", 1, 1, 0, fn_normalize_space, NULL},
	{"not", 1, 1, 0, fn_not, NULL},
	{"now", 0, 0, FN_CLOCK, fn_now, NULL},
	{"number", 1, 1, 0, fn_number, NULL},
	{"pow", 2, 2, 0, fn_pow, NULL},
	{"regex", 2, 2, FN_REGEX, fn_regex, NULL},
	{"round", 1, 2, 0, fn_round, NULL},
	{"selected", 2, 2, FN_QUOTED_ARG2, fn_selected, NULL},
	{"selected-at", 2, 2, 0, fn_selected_at, NULL},
	{"starts-with", 2, 2, 0, fn_starts_with, NULL},
	{"string", 1, 1, 0, fn_string, NULL},
	{"string-length", 1, 1, 0, fn_string_length, NULL},
	{"substr", 2, 3, 0, fn_substr, NULL},
	{"substring-after", 2, 2, 0, fn_substring_after, NULL},
	{"substring-before", 2, 2, 0, fn_substring_before, NULL},
	{"sum", 1, -1, 0, fn_sum, NULL},
	{"today", 0, 0, FN_CLOCK, fn_today, NULL},
	{"translate", 3, 3, 0, fn_translate, NULL},
	{"true", 0, 0, 0, fn_true, NULL},
};

const expr_fn *expr_fn_find(const char *name)
{
	for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
		if (strcmp(functions[i].name, name) == 0)
			return &functions[i];
	return NULL;
}
