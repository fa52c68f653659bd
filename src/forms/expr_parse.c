/*
 * fieldvisit forms: the expression compiler.  A lexer and a recursive-descent
 * parser turn the ODK XPath subset of an XLSForm cell into a tree
 * (expr_internal.h) that expr_eval.c evaluates.
 *
 * Everything that can be checked before a form is used is checked here, so
 * that a broken form is refused at load time: references are resolved to
 * field indices, function names and argument counts are checked, literal
 * regular expressions and date formats are compiled.  The translation of
 * regex() patterns from Java to POSIX lives here too (section "Regular
 * expressions"): the evaluator calls it only for patterns built at run
 * time.
 *
 * Grammar (XPath 1.0 precedence, lowest first):
 *
 *   or      := and ('or' and)*
 *   and     := eq ('and' eq)*
 *   eq      := rel (('=' | '!=') rel)*
 *   rel     := add (('<' | '<=' | '>' | '>=') add)*
 *   add     := mul (('+' | '-') mul)*
 *   mul     := unary (('*' | 'div' | 'mod') unary)*
 *   unary   := '-' unary | primary
 *   primary := number | string | '${' name '}' | '.' | '(' or ')'
 *            | name '(' [or (',' or)*] ')'
 *            | name                      (choice filters: a choice column)
 *
 * As in XPath, 'and', 'or', 'div' and 'mod' are operators only where an
 * operator may stand (after an operand); elsewhere they are names.  Names
 * are ASCII and may hold '-' and '.' (string-length) and one ':'
 * (jr:choice-name), so a full-width '（' after 'if' is an error, not part
 * of a name.  Strings have no escapes ('it''s' is two strings).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* newlocale, uselocale */
#endif
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_internal.h"

typedef enum tok_kind {
	T_END, T_NUM, T_STR, T_REF, T_DOT, T_NAME, T_LPAREN, T_RPAREN, T_COMMA,
	T_PLUS, T_MINUS, T_STAR, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
	T_OR, T_AND, T_DIV, T_MOD,
} tok_kind;

typedef struct token {
	tok_kind kind;
	const char *start;  /* the lexeme in the source */
	size_t len;
} token;

typedef struct parser {
	const char *src;
	const char *p;           /* next character to lex */
	token tok;               /* current token */
	fv_expr_resolve_fn resolve, resolve_column;
	void *ctx;
	int allow_dot;
	int nesting;
	fv_expr *e;
	char *err;
	size_t errlen;
} parser;

/* ------------------------------------------------------------------ */
/* Errors                                                              */

static void perr(parser *P, const char *fmt, ...) FV_PRINTF(2, 3);

static void perr(parser *P, const char *fmt, ...)
{
	va_list ap;
	if (!P->err || P->errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(P->err, P->errlen, fmt, ap);
	va_end(ap);
}

int expr_clip(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	if (n == max)
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	return (int)n;
}

void expr_one_line(char *msg, size_t size)
{
	for (size_t i = 0; msg && i < size && msg[i]; i++)
		if ((unsigned char)msg[i] < ' ' || msg[i] == 0x7F)
			msg[i] = ' ';
}

/* 1-based column, in characters, of position at in the source. */
static size_t column_of(const parser *P, const char *at)
{
	size_t col = 1;
	for (const char *s = P->src; s < at; col++) {
		uint32_t cp;
		s += fv_utf8_decode(s, (size_t)(at - s), &cp);
	}
	return col;
}

/* "syntax error: unexpected 'X' at column N" for the current token. */
static void unexpected(parser *P)
{
	const token *t = &P->tok;
	size_t col = column_of(P, t->start);
	if (t->kind == T_END)
		perr(P, "syntax error: unexpected end of expression");
	else if (t->kind == T_STR)
		perr(P, "syntax error: unexpected string at column %zu", col);
	else
		perr(P, "syntax error: unexpected '%.*s' at column %zu",
		     expr_clip(t->start, t->len > 40 ? 40 : t->len), t->start, col);
}

/* ------------------------------------------------------------------ */
/* Lexer                                                               */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_char(char c)
{
	return is_name_start(c) || is_digit(c) || c == '-' || c == '.';
}

/* An operand just ended, so a name here must be an operator name. */
static int operator_position(tok_kind prev)
{
	return prev == T_NUM || prev == T_STR || prev == T_REF || prev == T_DOT ||
	       prev == T_RPAREN || prev == T_NAME;
}

static tok_kind operator_name(const char *s, size_t n)
{
	static const struct {
		const char *name;
		tok_kind kind;
	} ops[] = {{"or", T_OR}, {"and", T_AND}, {"div", T_DIV}, {"mod", T_MOD}};
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strlen(ops[i].name) == n && memcmp(ops[i].name, s, n) == 0)
			return ops[i].kind;
	return T_NAME;
}

/* Lex a name or QName starting at s; returns its length. */
static size_t name_length(const char *s)
{
	size_t n = 0;
	while (is_name_char(s[n]))
		n++;
	if (s[n] == ':' && is_name_start(s[n + 1])) {
		n++;
		while (is_name_char(s[n]))
			n++;
	}
	return n;
}

/* Lex a quoted string or a ${reference}; returns 0 when it is unterminated. */
static int lex_delimited(parser *P, const char *s, tok_kind kind)
{
	char close = kind == T_REF ? '}' : s[0];
	const char *end = strchr(s + (kind == T_REF ? 2 : 1), close);
	if (!end) {
		perr(P, "unterminated %s at column %zu", kind == T_REF ? "reference" : "string",
		     column_of(P, s));
		return 0;
	}
	P->tok.kind = kind;
	P->tok.len = (size_t)(end - s) + 1;
	return 1;
}

/* Symbols: the longest match wins ("<=" before "<"). */
static size_t lex_symbol(const char *s, tok_kind *kind)
{
	static const struct {
		const char *text;
		tok_kind kind;
	} syms[] = {
		{"!=", T_NE}, {"<=", T_LE}, {">=", T_GE}, {"(", T_LPAREN}, {")", T_RPAREN},
		{",", T_COMMA}, {"+", T_PLUS}, {"-", T_MINUS}, {"*", T_STAR}, {"=", T_EQ},
		{"<", T_LT}, {">", T_GT},
	};
	for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
		size_t n = strlen(syms[i].text);
		if (strncmp(s, syms[i].text, n) == 0) {
			*kind = syms[i].kind;
			return n;
		}
	}
	return 0;
}

/* Advance to the next token.  Returns 0 with an error on a lexical error. */
static int next(parser *P)
{
	tok_kind prev = P->tok.kind;
	const char *s = P->p;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	P->tok.start = s;
	P->tok.len = 1;
	if (*s == '\0') {
		P->tok.kind = T_END;
		P->tok.len = 0;
	} else if (*s == '\'' || *s == '"') {
		if (!lex_delimited(P, s, T_STR))
			return 0;
	} else if (s[0] == '$' && s[1] == '{') {
		if (!lex_delimited(P, s, T_REF))
			return 0;
	} else if (is_digit(*s) || (*s == '.' && is_digit(s[1]))) {
		size_t n = 0;
		while (is_digit(s[n]))
			n++;
		if (s[n] == '.')
			for (n++; is_digit(s[n]); n++)
				;
		P->tok.kind = T_NUM;
		P->tok.len = n;
	} else if (*s == '.') {
		P->tok.kind = T_DOT;
		if (s[1] == '.')
			P->tok.len = 2;  /* '..': reported as unexpected by the parser */
	} else if (is_name_start(*s)) {
		P->tok.len = name_length(s);
		P->tok.kind = operator_position(prev) ? operator_name(s, P->tok.len) : T_NAME;
	} else if ((P->tok.len = lex_symbol(s, &P->tok.kind)) == 0) {
		uint32_t cp;
		size_t n = fv_utf8_decode(s, strlen(s), &cp);
		perr(P, "syntax error: unexpected '%.*s' at column %zu", (int)n, s,
		     column_of(P, s));
		return 0;
	}
	P->p = s + P->tok.len;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Tree                                                                */

static expr_node *node_new(expr_kind kind)
{
	expr_node *n = fv_xcalloc(1, sizeof *n);
	n->kind = kind;
	n->height = 1;
	n->index = -1;
	return n;
}

static void node_free(expr_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nargs; i++)
		node_free(n->args[i]);
	free(n->args);
	free(n->str);
	if (n->re) {
		regfree(n->re);
		free(n->re);
	}
	free(n);
}

/* Append child to n's operands, keeping n's height; NULL (with an error)
 * and n freed when the tree grows too high. */
static expr_node *node_add(parser *P, expr_node *n, expr_node *child, size_t *cap)
{
	n->args = fv_xgrow(n->args, cap, n->nargs + 1, sizeof *n->args);
	n->args[n->nargs++] = child;
	if (child->height + 1 > n->height)
		n->height = child->height + 1;
	if (n->height > EXPR_MAX_HEIGHT) {
		perr(P, "expression nested too deeply");
		node_free(n);
		return NULL;
	}
	return n;
}

static expr_node *binary(parser *P, expr_kind kind, expr_node *a, expr_node *b)
{
	size_t cap = 0;
	expr_node *n = node_new(kind);
	n = node_add(P, n, a, &cap);
	if (n)
		n = node_add(P, n, b, &cap);
	else
		node_free(b);
	return n;
}

static void add_ref(fv_expr *e, int field)
{
	for (size_t i = 0; i < e->nrefs; i++)
		if (e->refs[i] == field)
			return;
	e->refs = fv_xgrow(e->refs, &e->refcap, e->nrefs + 1, sizeof *e->refs);
	e->refs[e->nrefs++] = field;
}

/* ------------------------------------------------------------------ */
/* Parser                                                              */

static expr_node *parse_or(parser *P);

/* The operator table of one precedence level. */
typedef struct level {
	tok_kind tok[4];
	expr_kind kind[4];
	size_t n;
	expr_node *(*operand)(parser *P);
} level;

/* level := operand (op operand)*, left-associative. */
static expr_node *parse_level(parser *P, const level *L)
{
	expr_node *left = L->operand(P);
	while (left) {
		size_t i = 0;
		while (i < L->n && P->tok.kind != L->tok[i])
			i++;
		if (i == L->n)
			break;
		if (!next(P)) {
			node_free(left);
			return NULL;
		}
		expr_node *right = L->operand(P);
		if (!right) {
			node_free(left);
			return NULL;
		}
		left = binary(P, L->kind[i], left, right);
	}
	return left;
}

static expr_node *parse_unary(parser *P);
static expr_node *parse_primary(parser *P);

static expr_node *parse_mul(parser *P)
{
	static const level L = {{T_STAR, T_DIV, T_MOD}, {EX_MUL, EX_DIV, EX_MOD}, 3, parse_unary};
	return parse_level(P, &L);
}

static expr_node *parse_add(parser *P)
{
	static const level L = {{T_PLUS, T_MINUS}, {EX_ADD, EX_SUB}, 2, parse_mul};
	return parse_level(P, &L);
}

static expr_node *parse_rel(parser *P)
{
	static const level L = {
		{T_LT, T_LE, T_GT, T_GE}, {EX_LT, EX_LE, EX_GT, EX_GE}, 4, parse_add};
	return parse_level(P, &L);
}

static expr_node *parse_eq(parser *P)
{
	static const level L = {{T_EQ, T_NE}, {EX_EQ, EX_NE}, 2, parse_rel};
	return parse_level(P, &L);
}

static expr_node *parse_and(parser *P)
{
	static const level L = {{T_AND}, {EX_AND}, 1, parse_eq};
	return parse_level(P, &L);
}

/* Enter one level of nesting; 0 with an error when it is one too many. */
static int nest(parser *P)
{
	if (++P->nesting > EXPR_MAX_NESTING) {
		perr(P, "expression nested too deeply");
		return 0;
	}
	return 1;
}

static expr_node *parse_or(parser *P)
{
	static const level L = {{T_OR}, {EX_OR}, 1, parse_and};
	if (!nest(P))
		return NULL;
	expr_node *n = parse_level(P, &L);
	P->nesting--;
	return n;
}

static expr_node *parse_unary(parser *P)
{
	if (P->tok.kind != T_MINUS)
		return parse_primary(P);
	size_t cap = 0;
	if (!nest(P) || !next(P))
		return NULL;
	expr_node *operand = parse_unary(P);
	P->nesting--;
	if (!operand)
		return NULL;
	return node_add(P, node_new(EX_NEG), operand, &cap);
}

/* "'f' takes 1 or 2 arguments, got 3" unless nargs fits fn. */
static int check_arity(parser *P, const expr_fn *fn, size_t nargs)
{
	if ((int)nargs >= fn->min && (fn->max < 0 || (int)nargs <= fn->max))
		return 1;
	if (fn->max == 0)
		perr(P, "'%s' takes no arguments, got %zu", fn->name, nargs);
	else if (fn->max < 0)
		perr(P, "'%s' takes at least %d argument%s, got %zu", fn->name, fn->min,
		     fn->min == 1 ? "" : "s", nargs);
	else if (fn->min == fn->max)
		perr(P, "'%s' takes %d argument%s, got %zu", fn->name, fn->min,
		     fn->min == 1 ? "" : "s", nargs);
	else
		perr(P, "'%s' takes %d %s %d arguments, got %zu", fn->name, fn->min,
		     fn->max == fn->min + 1 ? "or" : "to", fn->max, nargs);
	return 0;
}

/* Resolve a ${name} reference (len bytes at name) to a field index, or -1
 * with "unknown field 'name'". */
static int resolve_ref(parser *P, const char *name, size_t len)
{
	char *s = fv_xstrndup(name, len);
	int field = P->resolve ? P->resolve(P->ctx, s) : -1;
	if (field < 0)
		perr(P, "unknown field '%s'", s);
	else
		add_ref(P->e, field);
	free(s);
	return field;
}

/* jr:choice-name(value, '${field}'): the field whose choices give the
 * label, written as a quoted reference the way pyxform writes it. */
static int check_choice_name(parser *P, expr_node *call)
{
	const expr_node *arg = call->args[1];
	const char *s = arg->kind == EX_STR ? arg->str : "";
	size_t n = strlen(s);
	while (*s == ' ')
		s++, n--;
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n < 4 || strncmp(s, "${", 2) != 0 || s[n - 1] != '}' ||
	    memchr(s + 2, '}', n - 3) != NULL) {
		perr(P, "the second argument of '%s' must be a quoted reference like '${name}'",
		     call->fn->name);
		return 0;
	}
	call->index = resolve_ref(P, s + 2, n - 3);
	return call->index >= 0;
}

/* The compile-time checks some functions ask for (expr_fn flags). */
static int check_call(parser *P, expr_node *call)
{
	const expr_fn *fn = call->fn;
	const expr_node *arg2 = call->nargs > 1 ? call->args[1] : NULL;
	if (fn->flags & FN_CLOCK)
		P->e->uses_clock = 1;
	if (fn->flags & FN_CHOICE_NAME)
		return check_choice_name(P, call);
	if ((fn->flags & FN_QUOTED_ARG2) && arg2 && arg2->kind == EX_NUM) {
		perr(P, "the second argument of '%s' must be in quotes (like '1')", fn->name);
		return 0;
	}
	if ((fn->flags & FN_DATE_FORMAT) && arg2 && arg2->kind == EX_STR)
		return expr_date_format_check(arg2->str, P->err, P->errlen) == 0;
	if ((fn->flags & FN_REGEX) && arg2 && arg2->kind == EX_STR) {
		regex_t re;
		if (expr_regex_compile(arg2->str, &re, P->err, P->errlen) != 0)
			return 0;
		call->re = fv_xmalloc(sizeof re);
		*call->re = re;
	}
	return 1;
}

/* name '(' [or (',' or)*] ')': the current token is the '('. */
static expr_node *parse_call(parser *P, const token *name)
{
	char *id = fv_xstrndup(name->start, name->len);
	const expr_fn *fn = expr_fn_find(id);
	if (!fn)
		perr(P, "unknown function '%s'", id);
	free(id);
	if (!fn || !next(P))
		return NULL;
	expr_node *call = node_new(EX_CALL);
	size_t cap = 0;
	call->fn = fn;
	if (P->tok.kind != T_RPAREN) {
		for (;;) {
			expr_node *arg = parse_or(P);
			if (!arg)
				goto fail;
			if (!(call = node_add(P, call, arg, &cap)))
				return NULL;
			if (P->tok.kind == T_RPAREN)
				break;
			if (P->tok.kind != T_COMMA) {
				unexpected(P);
				goto fail;
			}
			if (!next(P))
				goto fail;
		}
	}
	if (next(P) && check_arity(P, fn, call->nargs) && check_call(P, call))
		return call;
fail:
	node_free(call);
	return NULL;
}

/* A bare name: a function call, or in a choice filter a choice column. */
static expr_node *parse_name(parser *P)
{
	token name = P->tok;
	if (!next(P))
		return NULL;
	if (P->tok.kind == T_LPAREN)
		return parse_call(P, &name);
	if (!P->resolve_column) {
		P->tok = name;
		unexpected(P);
		return NULL;
	}
	char *col = fv_xstrndup(name.start, name.len);
	expr_node *n = node_new(EX_COL);
	n->index = P->resolve_column(P->ctx, col);
	if (n->index < 0) {
		perr(P, "unknown choice column '%s'", col);
		node_free(n);
		n = NULL;
	}
	free(col);
	return n;
}

/* A leaf made from the current token (number, string, reference, '.'). */
static expr_node *parse_leaf(parser *P)
{
	const token *t = &P->tok;
	expr_node *n = NULL;
	if (t->kind == T_NUM) {
		n = node_new(EX_NUM);
		n->num = expr_decimal(t->start, t->len);
	} else if (t->kind == T_STR) {
		n = node_new(EX_STR);
		n->str = fv_xstrndup(t->start + 1, t->len - 2);
	} else if (t->kind == T_REF && t->len == 3) {
		perr(P, "syntax error: empty reference '${}' at column %zu", column_of(P, t->start));
	} else if (t->kind == T_REF) {
		int field = resolve_ref(P, t->start + 2, t->len - 3);
		if (field >= 0) {
			n = node_new(EX_REF);
			n->index = field;
		}
	} else if (t->kind == T_DOT && t->len == 1 && P->allow_dot) {
		n = node_new(EX_DOT);
		P->e->uses_dot = 1;
	} else if (t->kind == T_DOT && t->len == 1) {
		perr(P, "'.' is not allowed here");
	} else {
		unexpected(P);
	}
	if (n && !next(P)) {
		node_free(n);
		n = NULL;
	}
	return n;
}

static expr_node *parse_primary(parser *P)
{
	if (P->tok.kind == T_NAME)
		return parse_name(P);
	if (P->tok.kind != T_LPAREN)
		return parse_leaf(P);
	if (!next(P))
		return NULL;
	expr_node *n = parse_or(P);
	if (n && P->tok.kind != T_RPAREN) {
		unexpected(P);
		node_free(n);
		return NULL;
	}
	if (n && !next(P)) {
		node_free(n);
		return NULL;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Regular expressions                                                 */

/*
 * regex() takes java.util.regex patterns, as ODK Collect does.  They are
 * translated here into POSIX extended expressions over bytes, run by the C
 * library's regcomp/regexec in the "C" locale, with every character class
 * and '.' spelt out as UTF-8 byte sequences: so [\u4e00-\u9fa5]{2,4} and
 * '.' mean characters whatever the locale (glibc's C.UTF-8 refuses ranges
 * of multibyte characters).
 *
 * Supported: literals, . ^ $ | ( ) (?:...), * + ? {n} {n,} {n,m} (a lazy
 * or possessive suffix is dropped: only whole-string matching is asked),
 * [...] classes with ranges and ^, \d \D \s \S \w \W (ASCII, as in Java),
 * \uXXXX \xhh \t \n \r \f, \b \B and escaped punctuation.  Refused:
 * back-references, look-around and other (?...) groups, nested classes,
 * and patterns whose expansion ({n,m} copies its atom n..m times) would
 * make the matcher big.
 */

#define RX_MAX_SOURCE 1000     /* bytes of Java pattern */
#define RX_MAX_EXPANDED 100000 /* bytes of POSIX pattern once {n,m} is expanded */
#define RX_MAX_DEPTH 50        /* nested groups */
#define CP_MAX 0x10FFFF

typedef struct cp_range {
	uint32_t lo, hi;
} cp_range;

/* A set of code points (1..CP_MAX), as ranges. */
typedef struct cp_set {
	cp_range *r;
	size_t n, cap;
} cp_set;

typedef struct rx {
	const char *p;    /* next pattern byte */
	fv_buf *out;      /* the POSIX pattern */
	double extra;     /* bytes {n,m} adds to the current group */
	int depth;
	int bad;          /* invalid or unsupported */
} rx;

static void set_add(cp_set *s, uint32_t lo, uint32_t hi)
{
	s->r = fv_xgrow(s->r, &s->cap, s->n + 1, sizeof *s->r);
	s->r[s->n].lo = lo ? lo : 1;   /* NUL never occurs in a C string */
	s->r[s->n++].hi = hi;
}

static int cmp_range(const void *a, const void *b)
{
	const cp_range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge overlapping or adjacent ranges. */
static void set_normalize(cp_set *s)
{
	size_t k = 0;
	if (s->n == 0)
		return;
	qsort(s->r, s->n, sizeof *s->r, cmp_range);
	for (size_t i = 1; i < s->n; i++) {
		if (s->r[i].lo <= s->r[k].hi + 1) {
			if (s->r[i].hi > s->r[k].hi)
				s->r[k].hi = s->r[i].hi;
		} else {
			s->r[++k] = s->r[i];
		}
	}
	s->n = k + 1;
}

/* Add every code point that src lacks to dst. */
static void set_add_complement(cp_set *dst, cp_set *src)
{
	uint32_t next = 1;
	set_normalize(src);
	for (size_t i = 0; i < src->n; i++) {
		if (src->r[i].lo > next)
			set_add(dst, next, src->r[i].lo - 1);
		next = src->r[i].hi + 1;
	}
	if (next <= CP_MAX)
		set_add(dst, next, CP_MAX);
}

/* Java's ASCII classes \d \s \w; negated (\D \S \W) when upper. */
static int set_add_class(cp_set *dst, char c)
{
	cp_set cls = {0};
	switch (c | 0x20) {
	case 'd':
		set_add(&cls, '0', '9');
		break;
	case 's':
		set_add(&cls, '\t', '\r');
		set_add(&cls, ' ', ' ');
		break;
	case 'w':
		set_add(&cls, '0', '9');
		set_add(&cls, 'A', 'Z');
		set_add(&cls, '_', '_');
		set_add(&cls, 'a', 'z');
		break;
	default:
		return 0;
	}
	if (c & 0x20) {
		for (size_t i = 0; i < cls.n; i++)
			set_add(dst, cls.r[i].lo, cls.r[i].hi);
	} else {
		set_add_complement(dst, &cls);
	}
	free(cls.r);
	return 1;
}

static size_t utf8_encode(uint32_t cp, unsigned char *b)
{
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (unsigned char)(0xE0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	b[0] = (unsigned char)(0xF0 | cp >> 18);
	b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	b[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* One alternative "|[\xE4-\xE9][\x80-\xBF]..." for code points lo..hi
 * (lo >= 0x80) that differ only in ranges of whole byte positions; else
 * split the range where the byte patterns change (after Russ Cox's
 * UTF-8 range compilation in RE2). */
static void emit_utf8_range(fv_buf *out, uint32_t lo, uint32_t hi)
{
	static const uint32_t len_end[] = {0x7FF, 0xFFFF};
	unsigned char a[4], b[4];
	for (size_t i = 0; i < 2; i++)
		if (lo <= len_end[i] && hi > len_end[i]) {
			emit_utf8_range(out, lo, len_end[i]);
			emit_utf8_range(out, len_end[i] + 1, hi);
			return;
		}
	for (int i = 1; i < 4; i++) {
		uint32_t m = (1u << (6 * i)) - 1;
		if ((lo & ~m) == (hi & ~m))
			continue;
		if ((lo & m) != 0) {
			emit_utf8_range(out, lo, lo | m);
			emit_utf8_range(out, (lo | m) + 1, hi);
			return;
		}
		if ((hi & m) != m) {
			emit_utf8_range(out, lo, (hi & ~m) - 1);
			emit_utf8_range(out, hi & ~m, hi);
			return;
		}
	}
	size_t n = utf8_encode(lo, a);
	utf8_encode(hi, b);
	fv_buf_addc(out, '|');
	for (size_t i = 0; i < n; i++) {
		if (a[i] == b[i]) {
			fv_buf_addc(out, (char)a[i]);
		} else {
			char br[5] = {'[', (char)a[i], '-', (char)b[i], ']'};
			fv_buf_add(out, br, sizeof br);
		}
	}
}

/* A POSIX bracket of the ASCII members of in[]; ']' goes first, '^' and
 * '-' last, so that none of them is taken for syntax. */
static void emit_ascii_bracket(fv_buf *out, const unsigned char in[128])
{
	int rb = in[']'], caret = in['^'], dash = in['-'];
	size_t start = out->len;
	fv_buf_adds(out, rb ? "[]" : "[");
	for (int c = 1; c < 128; c++) {
		int run = 0;
		while (c + run < 128 && in[c + run] && c + run != ']' && c + run != '^' &&
		       c + run != '-')
			run++;
		if (run >= 3) {
			char r[3] = {(char)c, '-', (char)(c + run - 1)};
			fv_buf_add(out, r, sizeof r);
		} else {
			for (int k = 0; k < run; k++)
				fv_buf_addc(out, (char)(c + k));
		}
		c += run;
	}
	if (out->len == start + 1 && !rb && caret) {  /* "[^" would negate */
		out->len = start;
		fv_buf_adds(out, dash ? "[-^]" : "\\^");
		return;
	}
	fv_buf_adds(out, caret ? "^" : "");
	fv_buf_adds(out, dash ? "-]" : "]");
}

/* The set as "(ascii-bracket|utf8|utf8...)"; an empty set is refused. */
static void emit_set(rx *R, cp_set *s)
{
	unsigned char ascii[128] = {0};
	int any_ascii = 0;
	fv_buf alts;
	set_normalize(s);
	fv_buf_init(&alts);
	for (size_t i = 0; i < s->n; i++) {
		uint32_t lo = s->r[i].lo, hi = s->r[i].hi;
		for (; lo <= hi && lo < 0x80; lo++)
			ascii[lo] = 1, any_ascii = 1;
		if (lo <= hi && lo < 0xD800)      /* no surrogates in UTF-8 */
			emit_utf8_range(&alts, lo, hi < 0xD800 ? hi : 0xD7FF);
		if (hi > 0xDFFF)
			emit_utf8_range(&alts, lo > 0xE000 ? lo : 0xE000, hi);
	}
	if (!any_ascii && alts.len == 0) {
		R->bad = 1;
	} else {
		fv_buf_addc(R->out, '(');
		if (any_ascii)
			emit_ascii_bracket(R->out, ascii);
		fv_buf_add(R->out, alts.s + !any_ascii, alts.len - !any_ascii);
		fv_buf_addc(R->out, ')');
	}
	fv_buf_release(&alts);
}

static int hex_value(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The character of an escape \uXXXX \xhh \t \n \r \f or \<punctuation> at
 * R->p (on the backslash); R->p moves past it.  Returns 0 for others. */
static int escaped_char(rx *R, uint32_t *cp)
{
	static const char controls[] = "t\tn\nr\rf\fa\ae\033";
	const char *p = R->p + 1;
	int digits = *p == 'u' ? 4 : *p == 'x' ? 2 : 0;
	if (digits) {
		*cp = 0;
		for (int i = 1; i <= digits; i++) {
			if (hex_value(p[i]) < 0)
				return 0;
			*cp = *cp * 16 + (uint32_t)hex_value(p[i]);
		}
		R->p = p + 1 + digits;
		return *cp != 0;
	}
	for (const char *c = controls; *c; c += 2)
		if (*p == c[0]) {
			*cp = (unsigned char)c[1];
			R->p = p + 1;
			return 1;
		}
	if (*p == '\0' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
	    (*p >= 'A' && *p <= 'Z'))
		return 0;
	R->p = p + fv_utf8_decode(p, strlen(p), cp);
	return 1;
}

/* One member of a class: a character (*cp set, returns 1), an escaped
 * class added to s (returns 2), or 0 when unsupported. */
static int class_member(rx *R, cp_set *s, uint32_t *cp)
{
	const char *p = R->p;
	if (*p == '\\' && set_add_class(s, p[1])) {
		R->p += 2;
		return 2;
	}
	if (*p == '\\')
		return escaped_char(R, cp);
	if (*p == '[' || (p[0] == '&' && p[1] == '&') || *p == '\0')
		return 0;
	R->p += fv_utf8_decode(p, strlen(p), cp);
	return 1;
}

/* A class "[...]" at R->p. */
static void rx_class(rx *R)
{
	cp_set s = {0}, neg = {0};
	int negate = R->p[1] == '^';
	cp_set *into = negate ? &neg : &s;   /* the members as written */
	R->p += negate ? 2 : 1;
	while (!R->bad && *R->p != ']') {
		uint32_t lo, hi;
		int kind = class_member(R, into, &lo);
		if (kind == 1 && R->p[0] == '-' && R->p[1] != ']') {
			R->p++;
			if (class_member(R, into, &hi) != 1 || hi < lo)
				kind = 0;
			else
				set_add(into, lo, hi);
		} else if (kind == 1) {
			set_add(into, lo, lo);
		}
		R->bad = kind == 0;
	}
	if (!R->bad) {
		R->p++;
		if (negate)
			set_add_complement(&s, &neg);
		emit_set(R, &s);
	}
	free(s.r);
	free(neg.r);
}

/* A literal character: escaped when ERE gives it a meaning, grouped when
 * it takes several bytes (so that a quantifier applies to all of them). */
static void rx_literal(rx *R, const char *bytes, size_t n)
{
	if (n > 1) {
		fv_buf_addc(R->out, '(');
		fv_buf_add(R->out, bytes, n);
		fv_buf_addc(R->out, ')');
		return;
	}
	if (strchr(".[]()*+?{}|^$\\", bytes[0]))
		fv_buf_addc(R->out, '\\');
	fv_buf_addc(R->out, bytes[0]);
}

static void rx_alt(rx *R);

/* "(" ["?:"] alt ")"; *inner gets the expansion inside. */
static void rx_group(rx *R, double *inner)
{
	double outer = R->extra;
	R->p++;
	if (*R->p == '?' && R->p[1] == ':')
		R->p += 2;
	if (*R->p == '?' || ++R->depth > RX_MAX_DEPTH) {
		R->bad = 1;
		return;
	}
	R->extra = 0;
	fv_buf_addc(R->out, '(');
	rx_alt(R);
	fv_buf_addc(R->out, ')');
	if (*R->p == ')')
		R->p++;
	else if (!R->bad)
		R->bad = 1;
	R->depth--;
	*inner = R->extra;
	R->extra = outer;
}

/* An escape outside a class. */
static void rx_escape(rx *R)
{
	char c = R->p[1];
	uint32_t cp;
	cp_set s = {0};
	if (set_add_class(&s, c)) {
		R->p += 2;
		emit_set(R, &s);
	} else if (c == 'b' || c == 'B') {
		fv_buf_add(R->out, R->p, 2);
		R->p += 2;
	} else if (escaped_char(R, &cp)) {
		unsigned char b[4];
		rx_literal(R, (const char *)b, utf8_encode(cp, b));
	} else {
		R->bad = 1;
	}
	free(s.r);
}

/* One atom; *inner gets what a group's repetitions add inside it. */
static void rx_atom(rx *R, double *inner)
{
	const char *p = R->p;
	*inner = 0;
	if (*p == '(') {
		rx_group(R, inner);
	} else if (*p == '[') {
		rx_class(R);
	} else if (*p == '\\') {
		rx_escape(R);
	} else if (*p == '.') {
		cp_set s = {0}, eol = {0};
		set_add(&eol, '\n', '\n');
		set_add(&eol, '\r', '\r');
		set_add_complement(&s, &eol);
		emit_set(R, &s);
		free(s.r);
		free(eol.r);
		R->p++;
	} else if (*p == '^' || *p == '$') {
		fv_buf_addc(R->out, *p);
		R->p++;
	} else if (strchr("*+?{", *p)) {
		R->bad = 1;  /* a quantifier with nothing to repeat */
	} else {
		uint32_t cp;
		size_t n = fv_utf8_decode(p, strlen(p), &cp);
		rx_literal(R, p, n);
		R->p += n;
	}
}

/* A quantifier after an atom, copied; returns how many copies of the atom
 * it makes (1 for none, * + ?). */
static double rx_quantifier(rx *R)
{
	const char *p = R->p;
	double lo = 0, hi = -1;
	if (*p == '*' || *p == '+' || *p == '?') {
		p++;
	} else if (*p == '{') {
		if (p[1] < '0' || p[1] > '9') {
			R->bad = 1;
			return 1;
		}
		for (p++; *p >= '0' && *p <= '9'; p++)
			lo = lo * 10 + (*p - '0');
		hi = lo;
		if (*p == ',') {
			hi = lo + 1;
			if (p[1] >= '0' && p[1] <= '9')
				for (hi = 0, p++; *p >= '0' && *p <= '9'; p++)
					hi = hi * 10 + (*p - '0');
			else
				p++;
		}
		if (*p++ != '}' || hi < lo) {
			R->bad = 1;
			return 1;
		}
	} else {
		return 1;
	}
	fv_buf_add(R->out, R->p, (size_t)(p - R->p));
	if (*p == '?' || *p == '+')   /* lazy or possessive: same whole match */
		p++;
	if (*p == '*' || *p == '+' || *p == '?' || *p == '{')
		R->bad = 1;   /* Java: a dangling quantifier */
	R->p = p;
	return hi > 1 ? hi : 1;
}

/* seq := (atom quantifier?)*, keeping count of the expanded size. */
static void rx_seq(rx *R)
{
	while (!R->bad && *R->p && *R->p != '|' && *R->p != ')') {
		size_t start = R->out->len;
		double inner;
		rx_atom(R, &inner);
		if (R->bad)
			return;
		double copies = rx_quantifier(R);
		double len = (double)(R->out->len - start);
		R->extra += (len + inner) * copies - len;
		if (R->out->len + R->extra > RX_MAX_EXPANDED)
			R->bad = 2;
	}
}

static void rx_alt(rx *R)
{
	rx_seq(R);
	while (!R->bad && *R->p == '|') {
		fv_buf_addc(R->out, '|');
		R->p++;
		rx_seq(R);
	}
}

/* Run regcomp / regexec on bytes, whatever the program's locale. */
typedef struct c_locale {
	locale_t loc, old;
} c_locale;

static void c_locale_enter(c_locale *c)
{
	c->loc = newlocale(LC_CTYPE_MASK | LC_COLLATE_MASK, "C", (locale_t)0);
	c->old = c->loc ? uselocale(c->loc) : (locale_t)0;
}

static void c_locale_leave(c_locale *c)
{
	if (c->loc) {
		uselocale(c->old);
		freelocale(c->loc);
	}
}

int expr_regex_compile(const char *pattern, regex_t *re, char *err, size_t errlen)
{
	fv_buf out;
	rx R = {.p = pattern, .out = &out};
	c_locale c;
	int rc = -1;
	fv_buf_init(&out);
	fv_buf_adds(&out, "^(");
	if (strlen(pattern) > RX_MAX_SOURCE)
		R.bad = 2;
	else
		rx_alt(&R);
	R.bad = R.bad ? R.bad : *R.p != '\0';   /* an unmatched ')' */
	fv_buf_adds(&out, ")$");
	if (!R.bad) {
		c_locale_enter(&c);
		rc = regcomp(re, out.s, REG_EXTENDED | REG_NOSUB) == 0 ? 0 : -1;
		c_locale_leave(&c);
	}
	if (rc && err && errlen)
		snprintf(err, errlen, R.bad == 2 ? "regular expression too complex: '%.*s'"
						 : "invalid regular expression '%.*s'",
			 expr_clip(pattern, 60), pattern);
	fv_buf_release(&out);
	return rc;
}

int expr_regex_match(const regex_t *re, const char *s)
{
	c_locale c;
	c_locale_enter(&c);
	int m = regexec(re, s, 0, NULL, 0) == 0;
	c_locale_leave(&c);
	return m;
}

/* ------------------------------------------------------------------ */
/* API                                                                 */

static fv_status compile(const char *src, fv_expr_resolve_fn resolve,
			 fv_expr_resolve_fn resolve_column, void *ctx, int allow_dot,
			 fv_expr **out, char *errbuf, size_t errlen)
{
	parser P = {
		.src = src, .p = src, .resolve = resolve, .resolve_column = resolve_column,
		.ctx = ctx, .allow_dot = allow_dot, .err = errbuf, .errlen = errlen,
	};
	expr_node *root = NULL;
	*out = NULL;
	if (errbuf && errlen)
		errbuf[0] = '\0';
	P.e = fv_xcalloc(1, sizeof *P.e);
	if (next(&P)) {
		root = parse_or(&P);
		if (root && P.tok.kind != T_END) {
			unexpected(&P);
			node_free(root);
			root = NULL;
		}
	}
	if (!root) {
		expr_one_line(errbuf, errlen);
		fv_expr_free(P.e);
		return FV_EINVAL;
	}
	P.e->root = root;
	*out = P.e;
	return FV_OK;
}

fv_status fv_expr_compile(const char *src, fv_expr_resolve_fn resolve, void *ctx,
			  int allow_dot, fv_expr **out, char *errbuf, size_t errlen)
{
	return compile(src, resolve, NULL, ctx, allow_dot, out, errbuf, errlen);
}

fv_status fv_expr_compile_filter(const char *src, fv_expr_resolve_fn resolve,
				 fv_expr_resolve_fn resolve_column, void *ctx, fv_expr **out,
				 char *errbuf, size_t errlen)
{
	return compile(src, resolve, resolve_column, ctx, 0, out, errbuf, errlen);
}

void fv_expr_free(fv_expr *e)
{
	if (!e)
		return;
	node_free(e->root);
	free(e->refs);
	free(e);
}

size_t fv_expr_refs(const fv_expr *e, const int **refs)
{
	*refs = e->refs;
	return e->nrefs;
}

int fv_expr_uses_dot(const fv_expr *e)
{
	return e->uses_dot;
}

int fv_expr_uses_clock(const fv_expr *e)
{
	return e->uses_clock;
}
