/*
 * fieldvisit screens: the screen texts, one file per language
 * (assets/i18n/ui.LANG.tsv), checked against the keys of strings.def.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui_internal.h"

static const struct {
	const char *key;
	int args;
} strs[UI_NSTR] = {
#define UI_STR(name, key, args) {key, args},
#include "strings.def"
#undef UI_STR
};

static const char *const lang_codes[UI_NLANGS] = {"zh", "en"};

/* One word of a language's report vocabulary (report.LANG.tsv). */
typedef struct word {
	char *key, *text;
} word;

struct ui_catalog {
	char *text[UI_NLANGS][UI_NSTR];
	word *words[UI_NLANGS];   /* sorted by key */
	size_t nwords[UI_NLANGS];
};

static int cmp_word(const void *a, const void *b)
{
	return strcmp(((const word *)a)->key, ((const word *)b)->key);
}

const char *ui_lang_code(ui_lang l)
{
	return lang_codes[l];
}

int ui_lang_parse(const char *code, ui_lang *out)
{
	for (int l = 0; l < UI_NLANGS; l++)
		if (strcmp(code, lang_codes[l]) == 0) {
			*out = (ui_lang)l;
			return 1;
		}
	return 0;
}

const char *ui_str_key(ui_str s)
{
	return strs[s].key;
}

static int find_key(const char *key)
{
	for (int i = 0; i < UI_NSTR; i++)
		if (strcmp(strs[i].key, key) == 0)
			return i;
	return -1;
}

/* The text of a line, escapes undone (\n \t \\); 0 for a bad escape. */
static int unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (*r != '\\') {
			*w++ = *r;
			continue;
		}
		r++;
		if (*r == 'n')
			*w++ = '\n';
		else if (*r == 't')
			*w++ = '\t';
		else if (*r == '\\')
			*w++ = '\\';
		else
			return 0;
	}
	*w = '\0';
	return 1;
}

/* Check the {N} arguments of text: each 1..args. */
static int check_args(const char *text, int args)
{
	for (const char *p = text; (p = strchr(p, '{')); p++)
		if (p[1] >= '0' && p[1] <= '9' && p[2] == '}' && (p[1] - '0' < 1 || p[1] - '0' > args))
			return 0;
	return 1;
}

/*
 * The next "KEY<TAB>TEXT" line of the text at *cursor (cut into lines in
 * place; *cursor NULL at the end), blank lines and '#' comments skipped,
 * a CR before the LF dropped: 1 with *key and *text, 0 at the end.  A
 * line without a tab is an error in err (path:line), and skipped.  The
 * first call checks that the text is UTF-8 without NUL (else an error
 * and 0).
 */
static int next_pair(const char *path, char **cursor, size_t len, int *lineno, char **key,
		     char **text, fv_errors *err)
{
	if (*lineno == 0 && *cursor && (!fv_utf8_valid(*cursor, len) || strlen(*cursor) != len)) {
		fv_errors_add(err, path, 0, "not UTF-8 text");
		*cursor = NULL;
	}
	while (*cursor) {
		char *line = *cursor, *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		*cursor = next;
		++*lineno;
		line[strcspn(line, "\r")] = '\0';
		if (!*line || *line == '#')
			continue;
		char *tab = strchr(line, '\t');
		if (!tab) {
			fv_errors_add(err, path, *lineno, "expected KEY<TAB>TEXT");
			continue;
		}
		*tab = '\0';
		*key = line;
		*text = tab + 1;
		return 1;
	}
	return 0;
}

static void load_lang(const char *dir, ui_lang l, ui_catalog *c, fv_errors *err, fv_status *st)
{
	char *path = fv_xasprintf("%s/ui.%s.tsv", dir, lang_codes[l]), *data;
	int lines[UI_NSTR] = {0};
	size_t len, before = err->n;

	if (fv_read_file(path, &data, &len, err) != FV_OK) {
		*st = FV_EIO;
		free(path);
		return;
	}
	int lineno = 0;
	char *cursor = data, *line, *text;
	while (next_pair(path, &cursor, len, &lineno, &line, &text, err)) {
		int i = find_key(line);
		if (i < 0) {
			fv_errors_add(err, path, lineno, "unknown key '%s'", line);
			continue;
		}
		if (lines[i]) {
			fv_errors_add(err, path, lineno, "key '%s' again (first on line %d)", line,
				      lines[i]);
			continue;
		}
		lines[i] = lineno;
		if (!unescape(text))
			fv_errors_add(err, path, lineno, "'%s': a backslash must be \\n, \\t or \\\\",
				      line);
		else if (!*text)
			fv_errors_add(err, path, lineno, "'%s' has no text", line);
		else if (!check_args(text, strs[i].args) && !strs[i].args)
			fv_errors_add(err, path, lineno, "'%s' takes no argument ({N})", line);
		else if (!check_args(text, strs[i].args))
			fv_errors_add(err, path, lineno, "'%s' takes %d argument%s ({1}..{%d})", line,
				      strs[i].args, strs[i].args == 1 ? "" : "s", strs[i].args);
		else
			c->text[l][i] = fv_xstrdup(text);
	}
	/* missing keys, unless the file was not read as lines at all */
	for (int i = 0; i < UI_NSTR && lineno > 0; i++)
		if (!lines[i])
			fv_errors_add(err, path, 0, "missing key '%s'", strs[i].key);
	if (err->n != before && *st == FV_OK)
		*st = FV_EINVAL;
	free(data);
	free(path);
}

/* dir/report.LANG.tsv, when there is one: "key<TAB>text" lines, no
 * arguments; a key twice or a line without a tab is an error. */
static void load_words(const char *dir, ui_lang l, ui_catalog *c, fv_errors *err, fv_status *st)
{
	char *path = fv_xasprintf("%s/report.%s.tsv", dir, lang_codes[l]), *data;
	size_t len, before = err->n, cap = 0;
	fv_errors quiet;

	fv_errors_init(&quiet);
	if (access(path, F_OK) != 0 || fv_read_file(path, &data, &len, &quiet) != FV_OK) {
		fv_errors_release(&quiet);   /* no vocabulary: the reports' own words */
		free(path);
		return;
	}
	fv_errors_release(&quiet);
	int lineno = 0;
	char *cursor = data, *key, *text;
	while (next_pair(path, &cursor, len, &lineno, &key, &text, err)) {
		if (!*key || !*text) {
			fv_errors_add(err, path, lineno, "expected KEY<TAB>TEXT");
			continue;
		}
		c->words[l] = fv_xgrow(c->words[l], &cap, c->nwords[l] + 1, sizeof *c->words[l]);
		c->words[l][c->nwords[l]++] = (word){fv_xstrdup(key), fv_xstrdup(text)};
	}
	qsort(c->words[l], c->nwords[l], sizeof *c->words[l], cmp_word);
	for (size_t i = 1; i < c->nwords[l]; i++)
		if (strcmp(c->words[l][i - 1].key, c->words[l][i].key) == 0)
			fv_errors_add(err, path, 0, "key '%s' more than once", c->words[l][i].key);
	if (err->n != before && *st == FV_OK)
		*st = FV_EINVAL;
	free(data);
	free(path);
}

const char *ui_catalog_word(const ui_catalog *c, ui_lang l, const char *key)
{
	word k = {(char *)key, NULL};
	const word *w = c->nwords[l] ? bsearch(&k, c->words[l], c->nwords[l], sizeof k, cmp_word)
				     : NULL;
	return w ? w->text : NULL;
}

fv_status ui_catalog_load(const char *dir, ui_catalog **out, fv_errors *err)
{
	ui_catalog *c = fv_xcalloc(1, sizeof *c);
	fv_status st = FV_OK;
	for (int l = 0; l < UI_NLANGS; l++) {
		load_lang(dir, (ui_lang)l, c, err, &st);
		load_words(dir, (ui_lang)l, c, err, &st);
	}
	if (st != FV_OK) {
		ui_catalog_free(c);
		c = NULL;
	}
	*out = c;
	return st;
}

void ui_catalog_free(ui_catalog *c)
{
	if (!c)
		return;
	for (int l = 0; l < UI_NLANGS; l++) {
		for (int i = 0; i < UI_NSTR; i++)
			free(c->text[l][i]);
		for (size_t i = 0; i < c->nwords[l]; i++) {
			free(c->words[l][i].key);
			free(c->words[l][i].text);
		}
		free(c->words[l]);
	}
	free(c);
}

const char *ui_catalog_text(const ui_catalog *c, ui_lang l, ui_str s)
{
	return c->text[l][s];
}

void ui_format(fv_buf *out, const char *text, const char *const *args, size_t nargs)
{
	for (const char *p = text; *p;) {
		if (p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}') {
			size_t i = (size_t)(p[1] - '1');
			if (i < nargs && args[i])
				fv_buf_adds(out, args[i]);
			p += 3;
		} else {
			fv_buf_addc(out, *p++);
		}
	}
}
