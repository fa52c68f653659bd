/*
 * fieldvisit command line: the table of commands, --help and --version,
 * and what the commands share to print (errors, tables, JSON).
 */
#include "config.h"   /* first: _GNU_SOURCE, for wcwidth */

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <wchar.h>

#include "fieldvisit/cli.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"init", fv_cmd_init, "create a store: your encrypted database, and a recovery key"},
	{"person", fv_cmd_person, "register, edit, archive, list and show people (person add|...)"},
	{"visit", fv_cmd_visit, "submit a form's answers as a visit, list and show visits"},
	{"alert", fv_cmd_alert, "list alerts, record their referral, close them (alert list|...)"},
	{"review", fv_cmd_review, "approve or return a received visit (supervisor)"},
	{"bundle", fv_cmd_bundle, "write, import and inspect sync bundles (bundle export|import|...)"},
	{"team", fv_cmd_team, "invite workers to your team, list its members (team invite|list)"},
	{"form", fv_cmd_form, "check forms, fill a form with answers (form check|fill)"},
	{"export", fv_cmd_export, "write people and visits to unencrypted CSV or JSON Lines files"},
	{"passwd", fv_cmd_passwd, "change the passphrase of a store"},
	{"recover", fv_cmd_recover, "open a store with its recovery key and set a new passphrase"},
	{"check", fv_cmd_check, "check that every page of a store decrypts and is sound"},
	{"rules", fv_cmd_rules, "check rule tables (rules check [DIR])"},
	{"report", fv_cmd_report, "supervisor's reports: coverage, overdue, satisfaction, alerts, ..."},
	{"generate", fv_cmd_generate, "fill a store with fictional people and visits (tests, demos)"},
	/* hidden: `make man-keys` */
	{"ui-keys-man", fv_cmd_ui_keys_man, NULL},
};

static void usage(FILE *fp)
{
	fprintf(fp,
		"Usage: fieldvisit [--demo] [--lang zh|en] [--store PATH]\n"
		"       fieldvisit [--version] [--help] COMMAND [ARGS...]\n"
		"\n"
		"Home visits, assessments and satisfaction surveys for village field work.\n"
		"\n"
		"Without a command, fieldvisit shows its screens on the terminal: unlock your\n"
		"store (one of the stores of $XDG_DATA_HOME/fieldvisit, or --store PATH) and\n"
		"work; ? shows the keys.  --demo opens a throwaway store of fictional people\n"
		"(its passphrase is on the screen; it is deleted when you quit).  --lang\n"
		"chooses Chinese (zh, the default) or English (en); the choice made in the\n"
		"settings is remembered for each store.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (commands[i].summary)
			fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(fp,
		"\n"
		"Commands that open a store take --store PATH (else $FIELDVISIT_STORE, else\n"
		"the only store in $XDG_DATA_HOME/fieldvisit) and --passphrase-file FILE\n"
		"(else $FIELDVISIT_PASSPHRASE, else a prompt on the terminal).\n"
		"Run 'fieldvisit COMMAND --help' for a command's options.\n"
		"Exit status: 0 ok, 1 rejected input, 2 usage error, 3 wrong passphrase,\n"
		"4 store or file error.  See fieldvisit(1) and fieldvisit-forms(5).\n");
}

/* A cell as it may reach a terminal: control characters (C0, DEL, C1) and
 * bytes that are not UTF-8 are written as \xNN or \uNNNN, so that text
 * from another laptop (an answer, a reason) cannot drive the terminal or
 * break the columns. */
static char *clean(const char *s)
{
	fv_buf b;
	size_t n = strlen(s);
	fv_buf_init(&b);
	while (n) {
		uint32_t cp;
		size_t len = fv_utf8_decode(s, n, &cp);
		if (cp == 0xFFFD && len == 1)
			fv_buf_addf(&b, "\\x%02x", (unsigned char)*s);
		else if (cp < 0x20 || cp == 0x7f)
			fv_buf_addf(&b, "\\x%02x", (unsigned)cp);
		else if (cp >= 0x80 && cp < 0xa0)
			fv_buf_addf(&b, "\\u%04x", (unsigned)cp);
		else
			fv_buf_add(&b, s, len);
		s += len;
		n -= len;
	}
	return fv_buf_take(&b);
}

void fv_cli_error(const char *fmt, ...)
{
	va_list ap;
	fv_buf b;
	fv_buf_init(&b);
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0) {
		b.s = fv_xgrow(b.s, &b.cap, (size_t)n + 1, 1);
		va_start(ap, fmt);
		vsnprintf(b.s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	/* messages quote answers and names from other laptops: they must not
	 * drive the terminal either */
	char *text = clean(b.s);
	fprintf(stderr, "fieldvisit: %s\n", text);
	free(text);
	fv_buf_release(&b);
}

size_t fv_cli_errors(const fv_errors *err)
{
	for (size_t i = 0; i < err->n; i++)
		fv_cli_error("%s", err->lines[i]);
	return err->n;
}

int fv_cli_fail(fv_status st, const fv_errors *err)
{
	fv_cli_errors(err);
	return fv_status_exit(st);
}

int fv_cli_unexpected(const char *cmd, const char *help, const char *arg)
{
	fv_cli_error("%s: unexpected argument '%s' (see 'fieldvisit %s --help')", cmd, arg, help);
	return 2;
}

int fv_cli_bad_option(const char *cmd, int c, char **argv)
{
	const char *word = argv[optind - 1];
	char name[64];

	if (strncmp(word, "--", 2) == 0)   /* --name or --name=value */
		snprintf(name, sizeof name, "%.*s", (int)strcspn(word, "="), word);
	else if (optopt > 0 && optopt < 128)
		snprintf(name, sizeof name, "-%c", optopt);
	else
		snprintf(name, sizeof name, "%s", word);
	if (c == ':')
		fv_cli_error("%s: option '%s' needs a value", cmd, name);
	else
		fv_cli_error("%s: unknown option '%s' (see 'fieldvisit %s --help')", cmd, name,
			     cmd);
	return 2;
}

size_t fv_cli_width(const char *s)
{
	size_t n = strlen(s), w = 0;
	while (n) {
		uint32_t cp;
		size_t len = fv_utf8_decode(s, n, &cp);
		int cw = wcwidth((wchar_t)cp);
		w += cw < 0 ? 1 : (size_t)cw;
		s += len;
		n -= len;
	}
	return w;
}

void fv_cli_table(FILE *fp, const char *const *cells, size_t nrows, size_t ncols)
{
	size_t ncells = nrows * ncols;
	size_t *widths = fv_xcalloc(ncols ? ncols : 1, sizeof *widths);
	char **text = fv_xcalloc(ncells ? ncells : 1, sizeof *text);
	size_t *cw = fv_xcalloc(ncells ? ncells : 1, sizeof *cw);

	for (size_t i = 0; i < ncells; i++) {
		text[i] = clean(cells[i]);
		cw[i] = fv_cli_width(text[i]);
		if (cw[i] > widths[i % ncols])
			widths[i % ncols] = cw[i];
	}
	for (size_t r = 0; r < nrows; r++) {
		/* blanks are written only before a cell that follows */
		size_t pending = 0;
		for (size_t c = 0; c < ncols; c++) {
			size_t i = r * ncols + c;
			if (*text[i]) {
				fprintf(fp, "%*s%s", (int)pending, "", text[i]);
				pending = 0;
			}
			if (c + 1 < ncols)
				pending += widths[c] - cw[i] + 2;
		}
		fputc('\n', fp);
	}
	for (size_t i = 0; i < ncells; i++)
		free(text[i]);
	free(text);
	free(cw);
	free(widths);
}

void fv_cli_print_json(json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!text) {
		fputs("fieldvisit: out of memory\n", stderr);
		exit(4);
	}
	puts(text);
	free(text);
}

/* Append s as a JSON string (RFC 8259 escapes; UTF-8 passes through). */
static void json_string_out(fv_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;
	fv_buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		fv_buf_add(b, s + run, i - run);
		run = i + 1;
		if (c == '"' || c == '\\') {
			fv_buf_addc(b, '\\');
			fv_buf_addc(b, (char)c);
		} else if (c == '\n') {
			fv_buf_adds(b, "\\n");
		} else if (c == '\t') {
			fv_buf_adds(b, "\\t");
		} else {
			char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
			fv_buf_adds(b, u);
		}
	}
	fv_buf_add(b, s + run, n - run);
	fv_buf_addc(b, '"');
}

/*
 * Append j as compact JSON.  jansson builds the values; this writes them,
 * because json_dumps checks every object and array for loops through a
 * hash table keyed by printed pointers, which was two thirds of the time of
 * listing 10,000 people.  The output is the same JSON.
 */
static void json_out(fv_buf *b, const json_t *j)
{
	const char *key;
	json_t *v;
	size_t i, n = 0;
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		fv_buf_addc(b, '{');
		json_object_foreach((json_t *)j, key, v) {
			if (n++)
				fv_buf_addc(b, ',');
			json_string_out(b, key, strlen(key));
			fv_buf_addc(b, ':');
			json_out(b, v);
		}
		fv_buf_addc(b, '}');
		break;
	case JSON_ARRAY:
		fv_buf_addc(b, '[');
		json_array_foreach(j, i, v) {
			if (i)
				fv_buf_addc(b, ',');
			json_out(b, v);
		}
		fv_buf_addc(b, ']');
		break;
	case JSON_STRING:
		json_string_out(b, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		fv_buf_addf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		break;
	default: {   /* reals, true, false, null: rare, jansson writes them */
		char *t = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
		fv_buf_adds(b, t ? t : "null");
		free(t);
	}
	}
}

void fv_cli_print_json_items(const void *items, size_t n, size_t size,
			     struct json_t *(*to_json)(const void *item))
{
	const char *p = items;
	fv_buf b;
	fv_buf_init(&b);
	fputs("[", stdout);
	for (size_t i = 0; i < n; i++, p += size) {
		json_t *j = to_json(p);
		fv_buf_reset(&b);
		fv_buf_adds(&b, i ? ",\n  " : "\n  ");
		json_out(&b, j);
		json_decref(j);
		fwrite(b.s, 1, b.len, stdout);
	}
	fputs(n ? "\n]\n" : "]\n", stdout);
	fv_buf_release(&b);
}

int fv_cli_main(int argc, char **argv)
{
	/* Answers are about vulnerable people: never leave them in a core file. */
	struct rlimit no_core = {0, 0};
	int rc = -1;
	setrlimit(RLIMIT_CORE, &no_core);
	setlocale(LC_ALL, "");
	/* numbers in forms, answers and files are written with a '.' whatever
	 * the user's locale */
	setlocale(LC_NUMERIC, "C");

	if (argc < 2 || strncmp(argv[1], "--demo", 6) == 0 || strncmp(argv[1], "--lang", 6) == 0 ||
	    strncmp(argv[1], "--store", 7) == 0) {
		rc = fv_cmd_ui(argc, argv);
	} else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		rc = 0;
	} else if (strcmp(argv[1], "--version") == 0) {
		printf("fieldvisit %s\n", PACKAGE_VERSION);
		rc = 0;
	}
	for (size_t i = 0; rc < 0 && i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			rc = commands[i].run(argc - 1, argv + 1);
	if (rc < 0) {
		fv_cli_error("unknown command '%s' (see 'fieldvisit --help')", argv[1]);
		return 2;
	}
	/* a full disk or a closed pipe must not pass for success */
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fv_cli_error("cannot write to standard output%s%s", errno ? ": " : "",
			     errno ? strerror(errno) : "");
		if (rc == 0)
			rc = 4;
	}
	return rc;
}
