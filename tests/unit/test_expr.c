/*
 * Unit tests of the expression engine (src/forms/expr_parse.c, expr_eval.c).
 *
 * Every expected value below was worked out by hand from the XPath 1.0
 * recommendation (§ numbers), the ODK XForms / XLSForm documentation and
 * JavaRosa's source (XPathFuncExpr, XPathEqExpr, XPathCmpExpr,
 * XPathArithExpr, XPathPathExpr.unpackValue), which wins where engines
 * differ; "FV" marks a fieldvisit choice documented in expr_eval.c.
 *
 * The environment is a small table of fields with fixed answers, the clock
 * pinned at 2024-05-20T10:15:30.250 (local) and the zone at UTC+8.
 */
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/forms.h"
#include "tap.h"

/* ------------------------------------------------------------------ */
/* The fake instance                                                   */

static const struct field {
	const char *name;
	fv_qtype type;
	const char *value;
} fields[] = {
	{"age", FV_Q_INTEGER, "42"},                 /* 0: also '.' */
	{"empty", FV_Q_INTEGER, ""},                 /* 1 */
	{"name", FV_Q_TEXT, "王小明"},                /* 2 */
	{"dec", FV_Q_DECIMAL, "2.5"},                /* 3 */
	{"dob", FV_Q_DATE, "1950-03-15"},            /* 4: day -7232 */
	{"visit_time", FV_Q_DATETIME, "2024-05-20T09:30:00.000+08:00"},
	{"sex", FV_Q_SELECT_ONE, "female"},
	{"services", FV_Q_SELECT_MULTIPLE, "meal clean  medicine"},
	{"blank", FV_Q_TEXT, ""},
	{"zero", FV_Q_INTEGER, "0"},
	{"neg", FV_Q_DECIMAL, "-7.25"},
	{"score", FV_Q_CALCULATE, "12"},
	{"ack", FV_Q_ACKNOWLEDGE, "OK"},
	{"phone", FV_Q_TEXT, "13812345678"},
	{"start", FV_Q_TIME, "08:30"},
	{"multi_num", FV_Q_SELECT_MULTIPLE, "1 2 3"},
	{"item9", FV_Q_SELECT_ONE, "2"},
	{"spaces", FV_Q_TEXT, "  a \t b  "},
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static const struct label {
	const char *field, *choice, *label;
} labels[] = {
	{"sex", "female", "女"},
	{"sex", "male", "男"},
	{"services", "meal", "送餐"},
};

/* choice filter columns: name, village, county */
static const char *const columns[] = {"name", "village", "county"};
static const char *const column_values[] = {"c1", "东村", ""};

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
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(labels[i].field, fields[field].name) == 0 &&
		    strcmp(labels[i].choice, choice) == 0)
			return labels[i].label;
	return NULL;
}

static const char *column(void *ctx, int col)
{
	(void)ctx;
	return column_values[col];
}

/* 2024-05-20 is day 19863; 10:15:30.250 is 36930.25 s into it. */
#define NOW (19863 * 86400.0 + 36930.25)

static fv_expr_env env = {NULL, value, choice_label, 0, NOW, NULL};

/* ------------------------------------------------------------------ */
/* Table-driven cases                                                  */

enum kind {
	S,    /* fv_expr_eval_string gives want (the stored form) */
	B,    /* fv_expr_eval_bool gives want ("true" / "false") */
	CE,   /* fv_expr_compile fails with message want */
	RE,   /* compiles, fv_expr_eval_string fails with message want */
};

static const struct tcase {
	enum kind kind;
	const char *src, *want;
} cases[] = {
	/* --- literals, number formatting (stored form) --- */
	{S, "1 + 2", "3"},                        /* XPath §3.5: + is addition */
	{S, "7 div 2", "3.5"},                    /* XPath §3.5: div is IEEE division */
	{S, "1 div 3", "0.3333333333333333"},     /* shortest round-trip form (Java Double.toString) */
	{S, "0.1 + 0.2", "0.30000000000000004"},  /* IEEE sum, shortest round-trip digits */
	{S, "2 * 3.0", "6"},                      /* whole numbers have no ".0" */
	{S, "-0", "0"},                           /* -0 is stored as 0 */
	{S, "0 * -1", "0"},                       /* IEEE -0 again */
	{S, "1 div 0", "Infinity"},               /* XPath §3.5: positive infinity */
	{S, "-1 div 0", "-Infinity"},             /* XPath §3.5: negative infinity */
	{S, "0 div 0", ""},                       /* NaN is stored as "" (forms.h contract) */
	{S, "pow(10, 21)", "1000000000000000000000"},  /* no exponent in the stored form */
	{S, "1 div pow(10, 7)", "0.0000001"},     /* small numbers have no exponent either */
	{S, "123456789012 * 1000", "123456789012000"},  /* exact in a double */
	{S, ".5", "0.5"},                         /* XPath Number ::= '.' Digits */
	{S, "5.", "5"},                           /* XPath Number ::= Digits '.' */
	{S, "1.50", "1.5"},                       /* trailing zeros dropped */
	{S, "9007199254740993", "9007199254740992"},   /* nearest double (2^53 + 1 is not one) */
	{CE, "'it''s'", "syntax error: unexpected string at column 5"},  /* XPath Literal: no escapes */
	{S, "\"it's\"", "it's"},                  /* XPath Literal: double quotes may hold ' */
	{S, "'say \"hi\"'", "say \"hi\""},        /* XPath Literal: single quotes may hold " */
	{S, "\t1\n+\r2 ", "3"},                   /* XPath ExprWhitespace is skipped */
	{S, "'王小明'", "王小明"},                  /* UTF-8 literals pass through */

	/* --- arithmetic --- */
	{S, "2 + 3 * 4", "14"},                   /* XPath §3.5: * binds tighter than + */
	{S, "(2 + 3) * 4", "20"},                 /* parentheses group */
	{S, "10 - 4 - 3", "3"},                   /* XPath §3.5: left-associative */
	{S, "100 div 10 div 5", "2"},             /* left-associative div */
	{S, "2 * -3", "-6"},                      /* XPath UnaryExpr after an operator */
	{S, "- - 3", "3"},                        /* UnaryExpr ::= '-' UnaryExpr */
	{S, "-${age}", "-42"},                    /* integer answers are numbers */
	{S, "3 mod 2", "1"},                      /* XPath §3.5 mod */
	{S, "-7 mod 3", "-1"},                    /* mod takes the dividend's sign (Java %) */
	{S, "7 mod -3", "1"},                     /* XPath §3.5 example: 5 mod -3 is 2 */
	{S, "5.5 mod 2", "1.5"},                  /* mod of decimals (fmod) */
	{S, "5 mod 0", ""},                       /* IEEE: x % 0 is NaN */
	{S, "10 div 4", "2.5"},                   /* div never truncates */
	{S, "3 * 0.1", "0.30000000000000004"},    /* IEEE product */
	{S, "1.1 + 2.2", "3.3000000000000003"},   /* IEEE sum */
	{S, "'3' + '4'", "7"},                    /* XPath §3.5: operands go through number() */
	{S, "'a' + 1", ""},                       /* number('a') is NaN */
	{S, "true() + true()", "2"},              /* XPath §4.4: number(true()) is 1 */
	{S, "${empty} + 1", ""},                  /* an empty answer is "" -> NaN (JavaRosa) */
	{S, "-'5'", "-5"},                        /* unary minus converts with number() */
	{S, "-''", ""},                           /* -NaN is NaN */
	{S, "${age}div 2", "21"},                 /* XPath lexing: 'div' after an operand is the operator */
	{S, "6div 2", "3"},                       /* ... even without white space */
	{S, "${age}-2", "40"},                    /* '-' after a reference is minus */
	{S, "5-3", "2"},                          /* '-' after a number is minus */
	{S, "string-length('ab')-1", "1"},        /* '-' inside a name, then after ')' */
	{S, "concat('and', 'or', 'div')", "andordiv"},  /* operator names inside strings */
	{S, "${dob} + 1", "-7231"},               /* a date is its day number in arithmetic */
	{S, "${score} + 1", "13"},                /* a calculate is a string; number('12') */

	/* --- comparisons --- */
	{B, "1 + 1 = 2", "true"},                 /* XPath §3.4: = of numbers */
	{B, "1 < 2 = true()", "true"},            /* relational binds tighter than equality */
	{B, "3 > 2 > 1", "false"},                /* (3 > 2) > 1 is true > 1 is 1 > 1 */
	{B, "1 = 1 and 2 = 3", "false"},          /* and of comparisons */
	{B, "1 = 1 or 2 = 3 and 0", "true"},      /* and binds tighter than or */
	{B, "${empty} = 0", "false"},             /* JavaRosa: number('') is NaN, NaN = 0 false */
	{B, "${empty} != 0", "true"},             /* ... and NaN != 0 true */
	{B, "${empty} = ''", "true"},             /* two strings: string comparison */
	{B, "${empty} < 1", "false"},             /* NaN < 1 is false */
	{B, "${empty} > -1", "false"},            /* NaN > -1 is false */
	{B, "${age} = '42'", "true"},             /* JavaRosa XPathEqExpr: a number makes it numeric */
	{B, "${age} = '42.0'", "true"},           /* number('42.0') is 42 */
	{B, "${name} = '王小明'", "true"},          /* text answers compare as strings */
	{B, "${sex} = 'female'", "true"},         /* select_one answers are strings */
	{B, "${item9} > 0", "true"},              /* relational: number('2') > 0 */
	{B, "${item9} = 2", "true"},              /* string vs number: numeric */
	{B, "'10' < '9'", "false"},               /* XPath §3.4: < compares numbers, never strings */
	{B, "'abc' < 'abd'", "false"},            /* NaN < NaN is false */
	{B, "'abc' = 'ABC'", "false"},            /* string equality is exact */
	{B, "true() = 'false'", "true"},          /* XPath §3.4: boolean('false') is true */
	{B, "false() = ''", "true"},              /* boolean('') is false */
	{B, "false() = 0", "true"},               /* a boolean side makes it boolean */
	{B, "true() = 2", "true"},                /* boolean(2) is true */
	{B, "1 = '1.0'", "true"},                 /* number vs string: numeric */
	{B, "'1' = '1.0'", "false"},              /* two strings: textual */
	{B, "0.1 + 0.2 = 0.3", "true"},           /* JavaRosa: equal within 1e-12 */
	{B, "0 div 0 = 0 div 0", "false"},        /* NaN equals nothing */
	{B, "0 div 0 != 0 div 0", "true"},        /* ... so != is true */
	{B, "1 div 0 = 1 div 0", "true"},         /* FV: equal infinities are equal */
	{B, "${dob} = '1950-03-15'", "true"},     /* date vs string: as strings (JavaRosa) */
	{B, "${dob} = -7232", "true"},            /* date vs number: the day number */
	{B, "${dec} * 2 = 5", "true"},            /* decimal answers are numbers */
	{B, "${score} = 12", "true"},             /* calculate string vs number: numeric */
	{B, "${start} < 9", "false"},             /* a time answer is a string: NaN */
	{B, "${neg} < 0", "true"},                /* negative decimal */
	{B, "2 >= 2", "true"},                    /* >= */
	{B, "2 <= 1", "false"},                   /* <= */
	{B, "2 != 3", "true"},                    /* != */

	/* --- boolean conversion (fv_expr_eval_bool) --- */
	{B, "''", "false"},                       /* XPath §4.3: empty string is false */
	{B, "'false'", "true"},                   /* a non-empty string is true */
	{B, "'0'", "true"},                       /* ... whatever it says */
	{B, "0", "false"},                        /* zero is false */
	{B, "1", "true"},                         /* non-zero is true */
	{B, "0 div 0", "false"},                  /* NaN is false */
	{B, "${empty}", "false"},                 /* unanswered is "" */
	{B, "${zero}", "false"},                  /* integer 0 is a number: false */
	{B, "${blank}", "false"},                 /* empty text */
	{B, "${name}", "true"},                   /* text */
	{B, "today()", "true"},                   /* JavaRosa toBoolean: a date is true */
	{B, "boolean(0.0000000000001)", "false"}, /* JavaRosa: |x| > 1e-12 */
	{B, "boolean(0.000000001)", "true"},      /* above the tolerance */
	{S, "boolean('a')", "true"},              /* stored booleans are "true" / "false" */
	{S, "boolean(0)", "false"},               /* stored false */

	/* --- number(), int() --- */
	{S, "number('  12 ')", "12"},             /* XPath §4.4: white space around is allowed */
	{S, "string(number('1e3'))", "NaN"},      /* XPath/JavaRosa: no exponent in number() */
	{S, "string(number(''))", "NaN"},         /* XPath §4.4: number('') is NaN */
	{S, "number(true())", "1"},               /* XPath §4.4 */
	{S, "number(false())", "0"},              /* XPath §4.4 */
	{S, "number('-1.5')", "-1.5"},            /* leading minus */
	{S, "string(number('+1'))", "NaN"},       /* JavaRosa: '+' is not accepted */
	{S, "number('1,5')", "1.5"},              /* JavaRosa: ',' read as '.' */
	{S, "number('.5')", "0.5"},               /* '.' Digits */
	{S, "number('5.')", "5"},                 /* Digits '.' */
	{S, "number('abc')", ""},                 /* NaN, stored as "" */
	{S, "string(number('0x10'))", "NaN"},     /* no hex */
	{S, "string(number('Infinity'))", "NaN"}, /* JavaRosa: no Infinity in number() */
	{S, "number(${dob})", "-7232"},           /* a date is its day number */
	{S, "number(today())", "19863"},          /* today() is day 19863 */
	{S, "number(now())", "19863"},            /* JavaRosa: a date-time is its whole day */
	{S, "string(number('1 2'))", "NaN"},      /* inner space */
	{S, "string(number('--1'))", "NaN"},      /* double minus */
	{S, "string(number('-'))", "NaN"},       /* no digits */
	{S, "int(3.7)", "3"},                     /* JavaRosa toInt: toward zero */
	{S, "int(-3.7)", "-3"},                   /* toward zero, not floor */
	{S, "int(-0.5)", "0"},                    /* -0 stored as 0 */
	{S, "int('12.9')", "12"},                 /* string argument through number() */
	{S, "string(int(0 div 0))", "NaN"},       /* JavaRosa toInt keeps NaN */
	{S, "int(1 div 0)", "Infinity"},          /* ... and infinities */

	/* --- round() (JavaRosa: BigDecimal of Double.toString) --- */
	{S, "round(2.5)", "3"},                   /* XPath §4.4: halves round toward +Infinity */
	{S, "round(-2.5)", "-2"},                 /* XPath §4.4 / JavaRosa HALF_DOWN for negatives */
	{S, "round(2.4)", "2"},                   /* below half */
	{S, "round(-2.6)", "-3"},                 /* beyond half */
	{S, "round(2.675, 2)", "2.68"},           /* decimal digits, not the binary 2.67499.. */
	{S, "round(1.005, 2)", "1.01"},           /* same rule */
	{S, "round(-1.005, 2)", "-1"},            /* HALF_DOWN for negatives: -1.00 */
	{S, "round(1234.5678, -2)", "1200"},      /* Excel-style negative places */
	{S, "round(35, -1)", "40"},               /* JavaRosa: (long)(3.5 + 0.5) * 10 */
	{S, "round(-36, -1)", "-40"},             /* FV: JavaRosa's truncation would give -30 */
	{S, "round(0 div 0)", ""},                /* NaN stays NaN */
	{S, "string(round(0 div 0))", "NaN"},     /* ... as XPath says */
	{S, "round(1.5, 0)", "2"},                /* explicit 0 places */
	{S, "round(12.3456, 3.9)", "12.346"},     /* places go through intValue(): 3 */
	{S, "round(5, 31)", ""},                  /* JavaRosa: more than 30 places is NaN */
	{S, "round(0.45, 1)", "0.5"},             /* 0.45 rounds half up in decimal */
	{S, "round(${dec})", "3"},                /* 2.5 -> 3 */
	{S, "round(${empty})", ""},               /* NaN */
	{S, "round(-0.4)", "0"},                  /* BigDecimal has no -0 */
	{S, "round(999.99, 1)", "1000"},          /* carry into a new digit */

	/* --- abs(), pow() --- */
	{S, "abs(-3.5)", "3.5"},                  /* XPath 3.0 abs */
	{S, "abs('-2')", "2"},                    /* through number() */
	{S, "abs(${neg})", "7.25"},               /* decimal answer */
	{S, "abs(${empty})", ""},                 /* NaN */
	{S, "pow(2, 10)", "1024"},                /* XPath 3.0 math:pow */
	{S, "pow(2, -1)", "0.5"},                 /* negative exponent */
	{S, "pow(4, 0.5)", "2"},                  /* square root */
	{S, "pow(-8, 1 div 3)", ""},              /* Java Math.pow: negative base, fraction: NaN */
	{S, "pow(0, 0)", "1"},                    /* Java Math.pow(x, 0) is 1 */
	{S, "pow(1, 0 div 0)", ""},               /* Java (unlike C): pow(1, NaN) is NaN */
	{S, "pow(${empty}, 0)", "1"},             /* pow(NaN, 0) is 1 */

	/* --- min(), max(), sum() --- */
	{S, "min(3, 1, 2)", "1"},                 /* ODK min of several arguments */
	{S, "max(3, 1, 2)", "3"},                 /* ODK max */
	{S, "max(-1, -2)", "-1"},                 /* FV: JavaRosa's Double.MIN_VALUE start is a bug */
	{S, "min(${empty}, 5)", "5"},             /* JavaRosa skips NaN */
	{S, "max(${empty})", ""},                 /* nothing but NaN: NaN */
	{S, "sum(1, 2, 3)", "6"},                 /* FV: sum of several arguments */
	{S, "sum(${empty})", "0"},                /* JavaRosa sum skips NaN */
	{S, "sum(${age})", "42"},                 /* FV: one reference is one number */
	{S, "sum('1 2')", "0"},                   /* number('1 2') is NaN, skipped */
	{S, "max(${dob}, 0)", "0"},               /* a date is its day number (-7232) */
	{S, "min('a', 4)", "4"},                  /* NaN skipped */

	/* --- string(), concat(), string-length() --- */
	{S, "string(1)", "1"},                    /* XPath §4.2: integers without a point */
	{S, "string(1.50)", "1.5"},               /* shortest form */
	{S, "string(true())", "true"},            /* XPath §4.2 */
	{S, "string(${dob})", "1950-03-15"},      /* JavaRosa: a date as YYYY-MM-DD */
	{S, "string(${empty})", ""},              /* "" stays "" */
	{S, "string(today())", "2024-05-20"},     /* today() as a string */
	{S, "string(-0)", "0"},                   /* XPath §4.2: negative zero is "0" */
	{S, "string(1 div 0)", "Infinity"},       /* XPath §4.2 */
	{S, "string(-1 div 0)", "-Infinity"},     /* XPath §4.2 */
	{S, "concat('a', 'b', 'c')", "abc"},      /* XPath §4.2 concat */
	{S, "concat()", ""},                      /* JavaRosa accepts no arguments */
	{S, "concat('x')", "x"},                  /* JavaRosa accepts one */
	{S, "concat(${name}, '(', ${age}, ')')", "王小明(42)"},  /* numbers via string() */
	{S, "concat(1 div 2, true())", "0.5true"},     /* string() of each argument */
	{S, "concat('a', 0 div 0)", "aNaN"},      /* inside an expression NaN is "NaN" */
	{S, "concat(${dob})", "1950-03-15"},      /* date to string */
	{S, "string-length('abc')", "3"},         /* XPath §4.2 */
	{S, "string-length(${name})", "3"},       /* characters, not UTF-8 bytes */
	{S, "string-length('')", "0"},            /* empty */
	{S, "string-length(12.5)", "4"},          /* of string(12.5) */
	{S, "string-length(${empty})", "0"},      /* unanswered */
	{S, "string-length('héllo')", "5"},       /* a 2-byte character counts once */

	/* --- substr(), substring-before(), substring-after() --- */
	{S, "substr('hello', 1)", "ello"},        /* ODK substr: 0-based start */
	{S, "substr('hello', 1, 3)", "el"},       /* end excluded */
	{S, "substr('王小明', 1, 2)", "小"},         /* characters, not bytes */
	{S, "substr('王小明', 0, 1)", "王"},         /* first character */
	{S, "substr('hello', -3)", "llo"},        /* JavaRosa: negative start counts from the end */
	{S, "substr('hello', 2, -1)", "ll"},      /* JavaRosa: negative end too */
	{S, "substr('hello', 4, 2)", ""},         /* start after end: "" */
	{S, "substr('hello', 10)", ""},           /* clamped to the length */
	{S, "substr('hello', 0, 100)", "hello"},  /* clamped end */
	{S, "substr(${phone}, 7)", "5678"},       /* last four digits of a phone number */
	{S, "substr('abc', 'x')", "abc"},         /* NaN start is 0 (Java intValue) */
	{S, "substr('hello', 1.9, 3.9)", "el"},   /* toInt truncates */
	{S, "substring-before('1999/04/01', '/')", "1999"},   /* XPath §4.2 example */
	{S, "substring-after('1999/04/01', '/')", "04/01"},   /* XPath §4.2 example */
	{S, "substring-before('abc', 'x')", ""},  /* not found: "" */
	{S, "substring-after('abc', 'x')", ""},   /* not found: "" */
	{S, "substring-after('abc', '')", "abc"}, /* "" is found at 0 */
	{S, "substring-before('abc', '')", ""},   /* "" is found at 0 */
	{S, "substring-before('北京市海淀区', '市')", "北京"},    /* Chinese text */
	{S, "substring-after('北京市海淀区', '市')", "海淀区"},    /* Chinese text */

	/* --- starts-with(), ends-with(), contains(), normalize-space(), translate() --- */
	{B, "starts-with('13812345678', '138')", "true"},   /* XPath §4.2 */
	{B, "starts-with('abc', '')", "true"},    /* every string starts with "" */
	{B, "starts-with('', 'a')", "false"},     /* "" starts with nothing else */
	{B, "ends-with('report.pdf', '.pdf')", "true"},     /* XPath 2.0 ends-with */
	{B, "ends-with('a', 'abc')", "false"},    /* longer suffix */
	{B, "contains('王小明', '小')", "true"},     /* XPath §4.2 contains */
	{B, "contains('abc', 'd')", "false"},     /* absent */
	{B, "contains(${services}, 'clean')", "true"},      /* on a select_multiple answer */
	{B, "contains('', '')", "true"},          /* "" contains "" */
	{B, "starts-with(123, 12)", "true"},      /* arguments through string() */
	{S, "normalize-space('  a   b  ')", "a b"},         /* XPath §4.2 */
	{S, "normalize-space(${spaces})", "a b"}, /* tabs are white space too */
	{S, "normalize-space('')", ""},           /* empty */
	{S, "normalize-space('a\tb\nc')", "a b c"},         /* tab and newline */
	{S, "translate('bar', 'abc', 'ABC')", "BAr"},       /* XPath §4.2 example */
	{S, "translate('--aaa--', 'abc-', 'ABC')", "AAA"},  /* XPath §4.2: extra from-characters delete */
	{S, "translate('王小明', '小', '大')", "王大明"},       /* characters, not bytes */
	{S, "translate('abc', '', 'x')", "abc"},  /* nothing to translate */
	{S, "translate('aabb', 'ab', 'b')", "bb"},/* a -> b, b deleted */
	{S, "translate('aba', 'aa', 'xy')", "xbx"},         /* XPath §4.2: the first occurrence wins */

	/* --- regex() (the whole string must match) --- */
	{B, "regex('13812345678', '1[3-9][0-9]{9}')", "true"},  /* mobile number */
	{B, "regex('1381234567', '1[3-9]\\d{9}')", "false"},    /* Java \\d; 10 digits */
	{B, "regex('abc', 'b')", "false"},        /* JavaRosa Pattern.matches: whole string */
	{B, "regex('abc', '.*b.*')", "true"},     /* whole string */
	{B, "regex('', '[0-9]*')", "true"},       /* "" matches x* */
	{B, "regex('王小明', '[一-龥]{2,4}')", "true"},           /* character ranges in UTF-8 */
	{B, "regex('王小明', '[\\u4e00-\\u9fa5]+')", "true"},    /* Java \\uXXXX escapes */
	{B, "regex('abc', 'a|abc')", "true"},     /* the alternation is anchored as a whole */
	{B, "regex('ABC', '[a-z]+')", "false"},   /* case-sensitive */
	{B, "regex('a1_', '\\w+')", "true"},      /* Java \\w */
	{B, "regex('a b', '\\S+')", "false"},     /* Java \\S */
	{B, "regex('11010519491231002X', '\\d{17}[\\dXx]')", "true"},  /* resident ID shape */
	{B, "regex(${phone}, '^1\\d{10}$')", "true"},           /* anchors in the pattern are fine */
	{B, "regex('a]b', '[\\]a-z]+')", "true"}, /* Java \\] inside a class */
	{B, "regex('a-z', '[a\\-z]+')", "true"},  /* Java \\- inside a class is a dash */
	{B, "regex('a.b', 'a\\.b')", "true"},     /* escaped dot */
	{B, "regex('axb', 'a\\.b')", "false"},    /* ... matches only a dot */
	{B, "regex('王小明', '...')", "true"},      /* '.' is one character, not one byte */
	{B, "regex('王小明', '.{2}')", "false"},    /* ... so three characters are not two */
	{B, "regex('王王王', '王+')", "true"},       /* a quantifier repeats the whole character */
	{B, "regex('李四', '[^0-9]+')", "true"},     /* a negated class takes characters */
	{B, "regex('李4', '\\D\\d')", "true"},   /* Java \\D is any character but a digit */
	{B, "regex('ab', '(?:a|b)+?')", "true"},  /* non-capturing group, lazy quantifier */
	{B, "regex('a^b', 'a\\^b')", "true"},   /* escaped caret */
	{B, "regex('x', '[\\^]')", "false"},    /* a class of only a caret */
	{B, "regex('^', '[\\^]')", "true"},     /* ... matches the caret */
	{B, "regex('a-^', '[-^a]+')", "true"},    /* dash first, caret later: literals */
	{B, "regex('aaa', 'a{1,1000}')", "true"}, /* a big but cheap repetition */

	/* --- selected(), selected-at(), count-selected(), jr:choice-name() --- */
	{B, "selected(${services}, 'clean')", "true"},      /* ODK selected */
	{B, "selected(${services}, ' medicine ')", "true"}, /* JavaRosa trims the value */
	{B, "selected(${services}, 'med')", "false"},       /* whole names only */
	{B, "selected('a b', '')", "false"},      /* "" is no choice */
	{B, "selected(${multi_num}, '2')", "true"},         /* numeric choice names */
	{B, "selected(${sex}, 'female')", "true"},          /* on a select_one */
	{B, "selected('', 'a')", "false"},        /* nothing selected */
	{S, "selected-at(${services}, 0)", "meal"},         /* ODK selected-at: 0-based */
	{S, "selected-at(${services}, 2)", "medicine"},     /* double space skipped */
	{S, "selected-at(${services}, 3)", ""},   /* out of range: "" */
	{S, "selected-at(${services}, -1)", ""},  /* negative: "" */
	{S, "selected-at('a b', 'x')", "a"},      /* NaN index is 0 (Java intValue) */
	{S, "count-selected(${services})", "3"},  /* ODK count-selected */
	{S, "count-selected('')", "0"},           /* nothing selected */
	{S, "count-selected(${empty})", "0"},     /* unanswered */
	{S, "count-selected('  a  ')", "1"},      /* empty items do not count */
	{S, "jr:choice-name(${sex}, '${sex}')", "女"},       /* label in the current language */
	{S, "jr:choice-name('male', '${sex}')", "男"},       /* any value */
	{S, "jr:choice-name('x', '${sex}')", ""}, /* no such choice: "" */
	{S, "jr:choice-name(${blank}, '${sex}')", ""},      /* empty value: "" */
	{S, "jr:choice-name(${sex}, ' ${sex} ')", "女"},     /* pyxform writes ' /data/sex ' with spaces */

	/* --- coalesce(), if(), and / or --- */
	{S, "coalesce(${empty}, 5)", "5"},        /* ODK coalesce: first non-empty */
	{S, "coalesce(${age}, 5)", "42"},         /* first is non-empty */
	{S, "coalesce('', 'b')", "b"},            /* empty string */
	{S, "coalesce(0 div 0, 'x')", "x"},       /* JavaRosa isNull: NaN counts as empty */
	{S, "coalesce(0, 1)", "0"},               /* 0 is a value */
	{S, "coalesce(false(), true())", "false"},/* false is a value */
	{S, "if(${age} > 18, 'adult', 'child')", "adult"},  /* ODK if */
	{S, "if(${empty}, 'y', 'n')", "n"},       /* condition through boolean() */
	{S, "if(true(), 1, date('bad'))", "1"},   /* JavaRosa: only the chosen branch runs */
	{S, "if(false(), date('bad'), 2)", "2"},  /* ... either way */
	{S, "if('false', 'a', 'b')", "a"},        /* a non-empty string is true */
	{B, "false() and date('bad')", "false"},  /* XPath §3.4: and stops at false */
	{B, "true() or date('bad')", "true"},     /* XPath §3.4: or stops at true */
	{RE, "true() and date('bad')", "cannot convert 'bad' to a date"},  /* ... else goes on */
	{B, "not(true())", "false"},              /* XPath §4.3 */
	{B, "not('')", "true"},                   /* not of a string */
	{B, "not(0)", "true"},                    /* not of a number */
	{B, "not(${name})", "false"},             /* not of an answer */
	{B, "boolean-from-string('true')", "true"},         /* XForms boolean-from-string */
	{B, "boolean-from-string('TRUE')", "true"},         /* JavaRosa equalsIgnoreCase */
	{B, "boolean-from-string('1')", "true"},  /* '1' */
	{B, "boolean-from-string('yes')", "false"},         /* anything else */
	{B, "boolean-from-string('')", "false"},  /* empty */
	{B, "boolean-from-string(1)", "true"},    /* string(1) is '1' */
	{B, "boolean-from-string(' true')", "false"},       /* no trimming */

	/* --- references and '.' --- */
	{S, "${age}", "42"},                      /* integer answer */
	{S, "${empty}", ""},                      /* unanswered */
	{S, "${dec}", "2.5"},                     /* decimal answer */
	{S, "${neg}", "-7.25"},                   /* negative decimal */
	{S, "${dob}", "1950-03-15"},              /* date answer */
	{S, "${visit_time}", "2024-05-20T09:30:00.000+08:00"},  /* dateTime answer */
	{S, "${ack}", "OK"},                      /* acknowledge answer */
	{S, "${start}", "08:30"},                 /* time answer: a string */
	{S, "${services}", "meal clean  medicine"},         /* select_multiple as stored */
	{B, ". > 18", "true"},                    /* '.' is the field of env.dot (age) */
	{S, ". + 1", "43"},                       /* '.' is typed like a reference */
	{S, "string-length(.)", "2"},             /* '.' as a function argument */

	/* --- dates --- */
	{S, "today()", "2024-05-20"},             /* ODK today(): the local date */
	{S, "now()", "2024-05-20T10:15:30.250+08:00"},      /* ODK now(): local time with offset */
	{S, "today() + 1", "19864"},              /* date arithmetic gives a number */
	{S, "date(today() + 1)", "2024-05-21"},   /* ODK date(): days since the epoch */
	{S, "today() - ${dob}", "27095"},         /* days between */
	{S, "int((today() - ${dob}) div 365.25)", "74"},    /* age in years */
	{B, "now() = today()", "false"},          /* different strings */
	{B, "number(now()) = number(today())", "true"},     /* same day */
	{B, "today() = '2024-05-20'", "true"},    /* date vs string: as strings */
	{B, "today() < date('2024-06-01')", "true"},        /* dates compare as day numbers */
	{B, "today() > ${dob}", "true"},          /* date answers compare as dates */
	{B, "${dob} < '2000-01-01'", "false"},    /* JavaRosa: number('2000-01-01') is NaN */
	{B, "${dob} < date('2000-01-01')", "true"},         /* use date() for a literal date */
	{B, "${visit_time} < now()", "false"},    /* JavaRosa: date-times compare as whole days */
	{B, "${visit_time} <= now()", "true"},    /* same day */
	{B, "decimal-date-time(${visit_time}) < decimal-date-time(now())", "true"},  /* exact */
	{S, "date(19863)", "2024-05-20"},         /* number of days */
	{S, "date('2024-02-29')", "2024-02-29"},  /* a leap day */
	{RE, "date('2023-02-29')", "cannot convert '2023-02-29' to a date"},  /* not a day */
	{RE, "date('2026-02-30')", "cannot convert '2026-02-30' to a date"},  /* forms.h example */
	{RE, "date('bad')", "cannot convert 'bad' to a date"},          /* not a date */
	{S, "date('')", ""},                      /* JavaRosa toDate: "" passes through */
	{S, "date(number('x'))", ""},             /* NaN passes through */
	{RE, "date(true())", "cannot convert 'true' to a date"},        /* booleans are not dates */
	{S, "date(${visit_time})", "2024-05-20"}, /* a date-time loses its time */
	{S, "date('2024-05-20T23:59:59')", "2024-05-20"},   /* date-time string */
	{S, "date(-1)", "1969-12-31"},            /* before the epoch */
	{S, "date(1.9)", "1970-01-02"},           /* JavaRosa toInt: truncated */
	{S, "date(-1.5)", "1969-12-31"},          /* toward zero: -1 */
	{RE, "date(pow(10, 10))", "cannot convert '10000000000' to a date"},  /* out of range */
	{S, "decimal-date-time('1970-01-02')", "1"},        /* ODK decimal-date-time */
	{S, "decimal-date-time('1970-01-01T18:00:00')", "0.75"},   /* time as a fraction */
	{S, "decimal-date-time(5.5)", "5.5"},     /* JavaRosa: a number is returned */
	{S, "decimal-date-time('')", ""},         /* "" passes through */
	{S, "decimal-date-time(${dob})", "-7232"},/* a date is midnight */
	{RE, "decimal-date-time('nope')", "cannot convert 'nope' to a date"},  /* not a date */
	{S, "format-date(${dob}, '%Y-%m-%d')", "1950-03-15"},        /* ODK format-date */
	{S, "format-date(${dob}, '%e/%n/%y')", "15/3/50"},           /* unpadded day, month; 2-digit year */
	{S, "format-date(${dob}, '%a %b %d')", "Wed Mar 15"},        /* English short names */
	{S, "format-date('2024-01-05', '%Y年%n月%e日')", "2024年1月5日"},   /* Chinese around escapes */
	{S, "format-date-time(now(), '%Y-%m-%d %H:%M:%S.%3')", "2024-05-20 10:15:30.250"},
	/* ^ ODK format-date-time: %3 is milliseconds */
	{S, "format-date-time(now(), '%h')", "10"},          /* hour without padding */
	{S, "format-date-time('2024-05-20T07:05:09', '%h:%M')", "7:05"},  /* padded minutes */
	{S, "format-date(${empty}, '%Y')", ""},   /* JavaRosa: "" gives "" */
	{S, "format-date(0, '%Y-%m-%d')", "1970-01-01"},     /* a number of days */
	{S, "format-date(0 div 0, '%Y')", ""},    /* NaN gives "" */
	{S, "format-date(today(), '100%%')", "100%"},         /* %% is a percent sign */
	{S, "format-date(${visit_time}, '%H:%M')", "09:30"}, /* format-date keeps the time */
	{S, "format-date(today(), '%a')", "Mon"}, /* 2024-05-20 was a Monday */
	{RE, "format-date('x', '%Y')", "cannot convert 'x' to a date"},  /* not a date */
	{RE, "format-date(today(), concat('%', 'Q'))", "unknown escape '%Q' in date format"},

	/* --- run-time errors --- */
	{RE, "selected(${multi_num}, ${age})", "the second argument of 'selected' must be in quotes (like '1')"},
	/* ^ JavaRosa multiSelected: a number as the value is refused */
	{RE, "regex('x', concat('[', 'a'))", "invalid regular expression '[a'"},  /* pattern built at run time */

	/* --- compile errors --- */
	{CE, "foo(1)", "unknown function 'foo'"},                 /* DESIGN.md §3 */
	{CE, "round(1, 2, 3)", "'round' takes 1 or 2 arguments, got 3"},   /* forms.h example */
	{CE, "round()", "'round' takes 1 or 2 arguments, got 0"},          /* too few */
	{CE, "today(1)", "'today' takes no arguments, got 1"},             /* none allowed */
	{CE, "not()", "'not' takes 1 argument, got 0"},           /* one */
	{CE, "if(1, 2)", "'if' takes 3 arguments, got 2"},        /* three */
	{CE, "substr('a')", "'substr' takes 2 or 3 arguments, got 1"},     /* two or three */
	{CE, "min()", "'min' takes at least 1 argument, got 0"},  /* one or more */
	{CE, "coalesce(1, 2, 3)", "'coalesce' takes 2 arguments, got 3"},  /* JavaRosa: exactly 2 */
	{CE, "jr:choice-name(${sex})", "'jr:choice-name' takes 2 arguments, got 1"},
	{CE, "jr:choice-name(${sex}, ${sex})",
	 "the second argument of 'jr:choice-name' must be a quoted reference like '${name}'"},
	{CE, "jr:choice-name(${sex}, '${nosuch}')", "unknown field 'nosuch'"},  /* resolved now */
	{CE, "jr:foo(1)", "unknown function 'jr:foo'"},           /* prefixed names too */
	{CE, "IF(1, 2, 3)", "unknown function 'IF'"},             /* XPath names are case-sensitive */
	{CE, "${nosuch} + 1", "unknown field 'nosuch'"},          /* forms.h example */
	{CE, "${名字}", "unknown field '名字'"},                    /* UTF-8 in the name */
	{CE, "1 +", "syntax error: unexpected end of expression"},/* missing operand */
	{CE, "", "syntax error: unexpected end of expression"},   /* empty */
	{CE, "(1 + 2))", "syntax error: unexpected ')' at column 8"},       /* extra ')' */
	{CE, "(1 + 2", "syntax error: unexpected end of expression"},       /* missing ')' */
	{CE, "'abc", "unterminated string at column 1"},          /* open quote */
	{CE, "concat('a', \"b)", "unterminated string at column 13"},       /* column of the quote */
	{CE, "${age", "unterminated reference at column 1"},      /* open reference */
	{CE, "${}", "syntax error: empty reference '${}' at column 1"},     /* no name */
	{CE, "1 = = 2", "syntax error: unexpected '=' at column 5"},        /* two operators */
	{CE, "age > 5", "syntax error: unexpected 'age' at column 1"},      /* a bare name is no reference */
	{CE, "1e3", "syntax error: unexpected 'e3' at column 2"}, /* XPath numbers have no exponent */
	{CE, "1 # 2", "syntax error: unexpected '#' at column 3"},/* unknown character */
	{CE, "if（1, 2, 3）", "syntax error: unexpected '（' at column 3"},  /* full-width parenthesis */
	{CE, "'王小明' = = 1", "syntax error: unexpected '=' at column 9"},  /* columns count characters */
	{CE, "/data/age", "syntax error: unexpected '/' at column 1"},      /* no paths */
	{CE, "..", "syntax error: unexpected '..' at column 1"},  /* no parent step */
	{CE, "true", "syntax error: unexpected 'true' at column 1"},        /* true() needs parentheses */
	{CE, "and(1)", "unknown function 'and'"},                 /* an operand position name */
	{CE, "1 2", "syntax error: unexpected '2' at column 3"},  /* two operands */
	{CE, "1 foo 2", "syntax error: unexpected 'foo' at column 3"},      /* not an operator name */
	{CE, "concat('a' 'b')", "syntax error: unexpected string at column 12"},  /* missing comma */
	{CE, "concat('a',)", "syntax error: unexpected ')' at column 12"},  /* missing argument */
	{CE, "$age", "syntax error: unexpected '$' at column 1"}, /* XPath variables are not supported */
	{CE, "selected(${multi_num}, 2)",
	 "the second argument of 'selected' must be in quotes (like '1')"},  /* JavaRosa rule, checked early */
	{CE, "format-date(today(), '%Q')", "unknown escape '%Q' in date format"},  /* JavaRosa DateFormatter */
	{CE, "format-date(today(), '%')", "date format ends with '%'"},    /* JavaRosa DateFormatter */
	{CE, "regex(${name}, '[a')", "invalid regular expression '[a'"},  /* literal pattern compiled now */
	{CE, "regex(${name}, '(a)\\1')", "invalid regular expression '(a)\\1'"},  /* no back-references */
	{CE, "regex(${name}, '.{20000}')", "regular expression too complex: '.{20000}'"},  /* bounded */
	{CE, "regex(${name}, '[a[b]]')", "invalid regular expression '[a[b]]'"},  /* no nested classes */
	{CE, "regex(${name}, '(?=a)a')", "invalid regular expression '(?=a)a'"},  /* no look-ahead */
	{CE, "regex(${name}, '*a')", "invalid regular expression '*a'"},  /* Java: dangling meta character */
	{CE, "regex(${name}, '(a')", "invalid regular expression '(a'"},  /* unclosed group */
	{CE, "regex(${name}, 'a)')", "invalid regular expression 'a)'"},  /* unmatched ')' */
	{CE, "regex(${name}, '[\n')", "invalid regular expression '[ '"},  /* messages are one line */
	{RE, "date(concat('x', '王小明王小明王小明王小明王小明王小明王小明王小明'))",
	 "cannot convert 'x王小明王小明王小明王小明王...' to a date"},  /* 40 bytes: 1 + 13 x 3 */
	{CE, "regex(${name}, '(.{1,100}){1,100}')", "regular expression too complex: '(.{1,100}){1,100}'"},
};

/* src with control characters written as \t \n \r, for a TAP line. */
static const char *printable(const char *src, char *buf, size_t size)
{
	size_t n = 0;
	for (; *src && n + 3 < size; src++) {
		const char *esc = *src == '\t' ? "\\t" : *src == '\n' ? "\\n" : *src == '\r' ? "\\r" : NULL;
		if (esc) {
			memcpy(buf + n, esc, 2);
			n += 2;
		} else {
			buf[n++] = *src;
		}
	}
	buf[n] = '\0';
	return buf;
}

static void run_case(const struct tcase *c)
{
	char err[256] = "", name[512];
	const char *src = printable(c->src, name, sizeof name);
	fv_expr *e = NULL;
	fv_status st = fv_expr_compile(c->src, resolve, NULL, 1, &e, err, sizeof err);
	const char *want = c->want;
	if (c->kind == CE) {
		is_str(st == FV_OK ? "(compiled)" : err, want, "compile error: %s", src);
		fv_expr_free(e);
		return;
	}
	if (st != FV_OK) {
		ok(0, "%s", src);
		diag("compile error: %s", err);
		return;
	}
	if (c->kind == B) {
		int b = -1;
		st = fv_expr_eval_bool(e, &env, &b, err, sizeof err);
		is_str(st != FV_OK ? err : b ? "true" : "false", want, "bool: %s", src);
	} else {
		fv_buf out;
		fv_buf_init(&out);
		st = fv_expr_eval_string(e, &env, &out, err, sizeof err);
		if (c->kind == RE)
			is_str(st == FV_OK ? "(no error)" : err, want, "run-time error: %s", src);
		else
			is_str(st == FV_OK ? out.s : err, want, "string: %s", src);
		fv_buf_release(&out);
	}
	fv_expr_free(e);
}

/* ------------------------------------------------------------------ */
/* Other checks                                                        */

static fv_expr *compile_ok(const char *src, int allow_dot)
{
	char err[256];
	fv_expr *e = NULL;
	if (fv_expr_compile(src, resolve, NULL, allow_dot, &e, err, sizeof err) != FV_OK)
		diag("unexpected compile error for %s: %s", src, err);
	return e;
}

/* refs of src are the names of want, in that order. */
static void check_refs(const char *src, const char *want)
{
	fv_expr *e = compile_ok(src, 1);
	fv_buf got;
	const int *refs;
	fv_buf_init(&got);
	size_t n = e ? fv_expr_refs(e, &refs) : 0;
	for (size_t i = 0; i < n; i++)
		fv_buf_addf(&got, "%s%s", i ? " " : "", fields[refs[i]].name);
	is_str(got.s, want, "refs of %s", src);
	fv_buf_release(&got);
	fv_expr_free(e);
}

static void test_refs(void)
{
	check_refs("${age} + ${dec} + ${age}", "age dec");       /* distinct, first-use order */
	check_refs("jr:choice-name(${item9}, '${sex}')", "item9 sex");  /* the quoted path counts */
	check_refs("if(${blank} = '', ${age}, ${dec})", "blank age dec");  /* every branch */
	check_refs("1 + 2", "");                                 /* none */
	check_refs(". > ${zero}", "zero");                       /* '.' is not a ref */

	fv_expr *e = compile_ok("today() > ${dob}", 0);
	ok(e && fv_expr_uses_clock(e) && !fv_expr_uses_dot(e), "today() uses the clock");
	fv_expr_free(e);
	e = compile_ok("format-date-time(now(), '%H')", 0);
	ok(e && fv_expr_uses_clock(e), "now() uses the clock");
	fv_expr_free(e);
	e = compile_ok(". > 3", 1);
	ok(e && fv_expr_uses_dot(e) && !fv_expr_uses_clock(e), "'.' is reported");
	fv_expr_free(e);
	e = compile_ok("${age} + 1", 1);
	ok(e && !fv_expr_uses_dot(e) && !fv_expr_uses_clock(e), "no dot, no clock");
	fv_expr_free(e);
}

/* '.' is refused without allow_dot, and has no value without env.dot. */
static void test_dot(void)
{
	char err[256] = "";
	fv_expr *e = NULL;
	fv_buf out;
	ok(fv_expr_compile(". + 1", resolve, NULL, 0, &e, err, sizeof err) == FV_EINVAL && !e,
	   "'.' refused in a calculation");
	is_str(err, "'.' is not allowed here", "message for '.'");
	e = compile_ok(". + 1", 1);
	fv_expr_env noenv = env;
	noenv.dot = -1;
	fv_buf_init(&out);
	ok(e && fv_expr_eval_string(e, &noenv, &out, err, sizeof err) == FV_EINVAL,
	   "'.' with no field fails");
	is_str(err, "'.' has no field here", "message for '.' without a field");
	is_str(out.s, "", "nothing appended on error");
	fv_buf_release(&out);
	fv_expr_free(e);
}

static void test_filter(void)
{
	char err[256] = "";
	fv_expr *e = NULL;
	int b = -1;
	fv_expr_env fenv = env;
	fenv.column = column;
	ok(fv_expr_compile_filter("village = '东村' and county = '' and name != ${name}", resolve,
				  resolve_column, NULL, &e, err, sizeof err) == FV_OK,
	   "filter compiles");
	ok(e && fv_expr_eval_bool(e, &fenv, &b, err, sizeof err) == FV_OK && b == 1,
	   "filter reads the choice columns");
	const int *refs;
	ok(e && fv_expr_refs(e, &refs) == 1 && refs[0] == 2, "a column is not a field ref");
	fv_expr_free(e);
	e = NULL;
	ok(fv_expr_compile_filter("town = 'x'", resolve, resolve_column, NULL, &e, err,
				  sizeof err) == FV_EINVAL, "unknown column refused");
	is_str(err, "unknown choice column 'town'", "message for an unknown column");
	ok(fv_expr_compile_filter(". = 'x'", resolve, resolve_column, NULL, &e, err,
				  sizeof err) == FV_EINVAL, "'.' refused in a filter");
	is_str(err, "'.' is not allowed here", "message for '.' in a filter");
	ok(fv_expr_compile_filter("selected(${services}, name)", resolve, resolve_column, NULL,
				  &e, err, sizeof err) == FV_OK, "a column as a function argument");
	ok(e && fv_expr_eval_bool(e, &fenv, &b, err, sizeof err) == FV_OK && b == 0,
	   "selected(${services}, 'c1') is false");
	fv_expr_free(e);
}

/* Nesting is bounded, so no input can exhaust the stack. */
static void test_limits(void)
{
	char err[256] = "";
	fv_expr *e = NULL;
	fv_buf src;
	fv_buf_init(&src);
	for (int i = 0; i < 150; i++)
		fv_buf_addc(&src, '(');
	fv_buf_addc(&src, '1');
	for (int i = 0; i < 150; i++)
		fv_buf_addc(&src, ')');
	ok(fv_expr_compile(src.s, resolve, NULL, 0, &e, err, sizeof err) == FV_OK,
	   "150 parentheses compile");
	fv_expr_free(e);
	e = NULL;
	fv_buf_reset(&src);
	for (int i = 0; i < 250; i++)
		fv_buf_adds(&src, "concat(");
	for (int i = 0; i < 250; i++)
		fv_buf_addc(&src, ')');
	ok(fv_expr_compile(src.s, resolve, NULL, 0, &e, err, sizeof err) == FV_EINVAL,
	   "250 nested calls refused");
	is_str(err, "expression nested too deeply", "message for deep nesting");
	fv_buf_reset(&src);
	for (int i = 0; i < 300; i++)
		fv_buf_addc(&src, '-');
	fv_buf_addc(&src, '1');
	ok(fv_expr_compile(src.s, resolve, NULL, 0, &e, err, sizeof err) == FV_EINVAL,
	   "300 unary minus refused");
	fv_buf_reset(&src);
	fv_buf_adds(&src, "${age}");
	for (int i = 1; i < 900; i++)
		fv_buf_adds(&src, " + ${age}");
	e = compile_ok(src.s, 0);
	fv_buf out;
	fv_buf_init(&out);
	ok(e && fv_expr_eval_string(e, &env, &out, err, sizeof err) == FV_OK &&
	   strcmp(out.s, "37800") == 0, "a sum of 900 answers");
	fv_buf_release(&out);
	fv_expr_free(e);
	e = NULL;
	for (int i = 900; i < 1100; i++)
		fv_buf_adds(&src, " + ${age}");
	ok(fv_expr_compile(src.s, resolve, NULL, 0, &e, err, sizeof err) == FV_EINVAL,
	   "a chain of 1100 operators refused");
	is_str(err, "expression nested too deeply", "message for a long chain");
	fv_buf_release(&src);
}

static void test_number_format(void)
{
	static const struct {
		double d;
		const char *want;
	} nums[] = {
		{0.0, "0"}, {-0.0, "0"}, {1.0, "1"}, {-2.5, "-2.5"}, {1e-7, "0.0000001"},
		{123456.789, "123456.789"}, {1e21, "1000000000000000000000"},
		{0.1, "0.1"}, {1.0 / 3, "0.3333333333333333"}, {5e-324, NULL},
	};
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		fv_buf b;
		fv_buf_init(&b);
		fv_number_format(nums[i].d, &b);
		if (nums[i].want)
			is_str(b.s, nums[i].want, "fv_number_format(%.17g)", nums[i].d);
		else   /* the smallest subnormal: 323 zeros after the point, then 5 */
			ok(b.len == 326 && strncmp(b.s, "0.000", 5) == 0 && b.s[325] == '5',
			   "fv_number_format(5e-324) has no exponent");
		fv_buf_release(&b);
	}
	fv_buf b;
	fv_buf_init(&b);
	fv_number_format(0.0 / 0.0, &b);
	fv_number_format(1.0 / 0.0, &b);
	is_str(b.s, "Infinity", "NaN stores as \"\", Infinity as \"Infinity\"");
	fv_buf_release(&b);
}

int main(void)
{
	setenv("TZ", "CST-8", 1);   /* UTC+8 without needing tzdata */
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_case(&cases[i]);
	diag("%zu table expressions", sizeof cases / sizeof cases[0]);
	test_refs();
	test_dot();
	test_filter();
	test_limits();
	test_number_format();
	return done_testing();
}
