/*
 * fieldvisit forms: what the expression parser (expr_parse.c) and the
 * evaluator (expr_eval.c) share.  Nothing outside these two files includes
 * this header; the rest of the program uses the fv_expr_* API of forms.h.
 */
#ifndef FV_EXPR_INTERNAL_H
#define FV_EXPR_INTERNAL_H

#include <regex.h>
#include <stddef.h>

#include "fieldvisit/forms.h"

/* Limits that keep the recursive parser, evaluator and fv_expr_free() on a
 * small stack whatever the input: parentheses, function calls and unary
 * minus may nest EXPR_MAX_NESTING deep, and a chain of binary operators
 * (${q1} + ${q2} + ...) may make a tree EXPR_MAX_HEIGHT nodes high. */
#define EXPR_MAX_NESTING 200
#define EXPR_MAX_HEIGHT 1000

typedef enum expr_kind {
	EX_NUM,   /* number literal: num */
	EX_STR,   /* string literal: str */
	EX_REF,   /* ${name}: index is the field */
	EX_COL,   /* bare name in a choice_filter: index is the choice column */
	EX_DOT,   /* '.' */
	EX_NEG,   /* unary minus: args[0] */
	EX_OR, EX_AND,
	EX_EQ, EX_NE, EX_LT, EX_LE, EX_GT, EX_GE,
	EX_ADD, EX_SUB, EX_MUL, EX_DIV, EX_MOD,
	EX_CALL,  /* fn(args...) */
} expr_kind;

typedef struct expr_node expr_node;
typedef struct expr_fn expr_fn;
typedef struct expr_eval expr_eval; /* evaluation state (expr_eval.c) */
typedef struct xval xval;           /* an XPath value (expr_eval.c) */

struct expr_node {
	expr_kind kind;
	int height;         /* 1 for a leaf, 1 + the highest child otherwise */
	double num;         /* EX_NUM */
	char *str;          /* EX_STR (owned) */
	int index;          /* EX_REF, EX_COL; EX_CALL of jr:choice-name: the field */
	const expr_fn *fn;  /* EX_CALL */
	expr_node **args;   /* operands or arguments (owned) */
	size_t nargs;
	regex_t *re;        /* regex() with a literal pattern, compiled once (owned) */
};

struct fv_expr {
	expr_node *root;
	int *refs;          /* distinct fields read, in first-use order */
	size_t nrefs, refcap;
	int uses_dot, uses_clock;
};

/* What the parser checks at compile time for some functions. */
enum {
	FN_CLOCK = 1 << 0,       /* reads the clock (today, now) */
	FN_CHOICE_NAME = 1 << 1, /* argument 2 is a quoted '${field}' */
	FN_REGEX = 1 << 2,       /* argument 2 is a pattern: compile a literal now */
	FN_QUOTED_ARG2 = 1 << 3, /* argument 2 must not be a number (selected) */
	FN_DATE_FORMAT = 1 << 4, /* argument 2 is a date format: check a literal now */
};

/*
 * One built-in function.  An eager handler gets its arguments evaluated (it
 * may convert them in place; the caller releases them); a lazy one (if,
 * coalesce) evaluates what it needs itself.  Handlers return 0, or -1 after
 * writing a run-time error into the evaluation state.
 */
struct expr_fn {
	const char *name;
	int min, max;       /* argument count; max < 0: no upper limit */
	unsigned flags;
	int (*eager)(expr_eval *ev, const expr_node *call, xval *args, size_t n, xval *out);
	int (*lazy)(expr_eval *ev, const expr_node *call, xval *out);
};

/* The built-in function called name (with its prefix, "jr:choice-name"),
 * or NULL. */
const expr_fn *expr_fn_find(const char *name);

/*
 * XPath number(): a string of the form -?digits(.digits?)? or -?.digits,
 * with ',' accepted for '.' (JavaRosa) and no exponent, read exactly
 * (correctly rounded, independent of the C locale).  Returns NaN for
 * anything else.  s need not be NUL-terminated.
 */
double expr_decimal(const char *s, size_t n);

/*
 * Compile a java.util.regex pattern (what ODK Collect runs) that must match
 * a whole string into re.  Returns 0, or -1 with a one-line message in err
 * for a pattern that is invalid, uses what is not supported (back-
 * references, look-around, nested classes) or would make the matcher too
 * big.  The caller regfree()s re on success.
 */
int expr_regex_compile(const char *pattern, regex_t *re, char *err, size_t errlen);
/* 1 when re (from expr_regex_compile) matches the whole of s. */
int expr_regex_match(const regex_t *re, const char *s);

/* Check a format-date() format ("%Y-%m-%d"): returns 0, or -1 with a
 * one-line message naming the bad escape in err. */
int expr_date_format_check(const char *fmt, char *err, size_t errlen);

/* The length of the longest prefix of s of at most max bytes that does
 * not end inside a UTF-8 character, for quoting input in "%.*s". */
int expr_clip(const char *s, size_t max);

/* Turn control characters (a newline inside a quoted pattern...) into
 * spaces: an error message is one line. */
void expr_one_line(char *msg, size_t size);

#endif
