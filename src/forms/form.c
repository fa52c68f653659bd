/*
 * fieldvisit forms: the XLSForm loader.
 *
 * Reads pyxform's single-CSV rendition (a header line starts with the sheet
 * name, data lines start with an empty cell), checks every row, compiles
 * every expression and orders the fields for evaluation.  Every problem is
 * reported as "FILE:LINE: message"; the loader goes on after an error so
 * that one run of `fieldvisit form check` shows them all.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/forms.h"
#include "form_internal.h"

enum sheet { SHEET_NONE, SHEET_SURVEY, SHEET_CHOICES, SHEET_SETTINGS };

/* What a header cell of a sheet means. */
enum col_kind {
	COL_IGNORE,    /* documentation only: comment, notes, guidance_hint */
	COL_TYPE, COL_NAME, COL_LABEL, COL_HINT, COL_REQUIRED, COL_REQUIRED_MSG,
	COL_CONSTRAINT, COL_CONSTRAINT_MSG, COL_RELEVANT, COL_CALCULATION,
	COL_DEFAULT, COL_READ_ONLY, COL_CHOICE_FILTER, COL_APPEARANCE,
	COL_LIST_NAME, COL_EXTRA,
	COL_FORM_ID, COL_FORM_TITLE, COL_VERSION, COL_DEFAULT_LANGUAGE,
};

typedef struct column {
	enum col_kind kind;
	int lang;         /* for translatable columns: language index, -1 plain */
	int extra;        /* for COL_EXTRA: index among the list's extra columns */
} column;

typedef struct loader {
	const char *file;
	fv_errors *err;
	fv_form *f;
	enum sheet sheet;
	column *cols;
	size_t ncols;
	int header_line;
	int plain_label_seen, lang_label_seen, mixed_reported;
	char *default_language;
	int settings_line, settings_rows, settings_header;
	/* per field, the source of its type's list name, resolved after all
	 * choices are read */
	char **list_ref;
	size_t fields_cap, lists_cap;
	char **extra_names;   /* extra choice columns of the current header */
	size_t nextra;
	int *group_stack;
	size_t ngroups, groups_cap;
	int failed;
} loader;

static void fail(loader *L, int line, const char *fmt, ...) FV_PRINTF(3, 4);

static void fail(loader *L, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fv_errors_vadd(L->err, L->file, line, fmt, ap);
	va_end(ap);
	L->failed = 1;
}

/* ------------------------------------------------------------------ */
/* Types                                                               */

static const struct {
	const char *name;
	fv_qtype type;
} type_names[] = {
	{"text", FV_Q_TEXT},
	{"integer", FV_Q_INTEGER},
	{"decimal", FV_Q_DECIMAL},
	{"select_one", FV_Q_SELECT_ONE},
	{"select_multiple", FV_Q_SELECT_MULTIPLE},
	{"date", FV_Q_DATE},
	{"time", FV_Q_TIME},
	{"dateTime", FV_Q_DATETIME},
	{"note", FV_Q_NOTE},
	{"calculate", FV_Q_CALCULATE},
	{"acknowledge", FV_Q_ACKNOWLEDGE},
	{"begin_group", FV_Q_BEGIN_GROUP},
	{"end_group", FV_Q_END_GROUP},
	/* spellings pyxform accepts for the same types */
	{"begin group", FV_Q_BEGIN_GROUP},
	{"end group", FV_Q_END_GROUP},
	{"datetime", FV_Q_DATETIME},
	{"int", FV_Q_INTEGER},
};

const char *fv_qtype_name(fv_qtype t)
{
	for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
		if (type_names[i].type == t)
			return type_names[i].name;
	return "?";
}

static int is_question(fv_qtype t)
{
	return t != FV_Q_NOTE && t != FV_Q_CALCULATE && t != FV_Q_BEGIN_GROUP &&
	       t != FV_Q_END_GROUP;
}

static int is_select(fv_qtype t)
{
	return t == FV_Q_SELECT_ONE || t == FV_Q_SELECT_MULTIPLE;
}

/* Parse a type cell: "integer", "select_one yesno".  *list gets the list
 * name of a select (owned by the caller).  Returns 0 when unsupported. */
static int parse_type(loader *L, int line, const char *cell, fv_qtype *t, char **list)
{
	char *s = fv_trim(fv_xstrdup(cell));
	char *sp = strchr(s, ' ');
	*list = NULL;
	if (*s == '\0') {
		fail(L, line, "row has no type");
		free(s);
		return 0;
	}
	if (sp && (strncmp(s, "select_one ", 11) == 0 || strncmp(s, "select_multiple ", 16) == 0)) {
		*sp = '\0';
		char *ln = fv_trim(sp + 1);
		*t = strcmp(s, "select_one") == 0 ? FV_Q_SELECT_ONE : FV_Q_SELECT_MULTIPLE;
		if (*ln == '\0' || strchr(ln, ' ')) {
			fail(L, line, "type '%s': give one choice list name after %s", cell, s);
			free(s);
			return 0;
		}
		*list = fv_xstrdup(ln);
		free(s);
		return 1;
	}
	for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
		if (strcmp(s, type_names[i].name) == 0) {
			*t = type_names[i].type;
			if (is_select(*t)) {
				fail(L, line, "type '%s' needs a choice list name", s);
				free(s);
				return 0;
			}
			free(s);
			return 1;
		}
	}
	if (strcmp(s, "begin_repeat") == 0 || strcmp(s, "begin repeat") == 0 ||
	    strcmp(s, "end_repeat") == 0 || strcmp(s, "end repeat") == 0)
		fail(L, line, "unsupported type '%s' (repeats are not supported)", s);
	else
		fail(L, line, "unsupported type '%s'", s);
	free(s);
	return 0;
}

/* XML-style names restricted to ASCII: letter or '_', then letters, digits,
 * '_', '-', '.'. */
static int valid_name(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

static int is_yes(const char *s)
{
	return strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 || strcmp(s, "TRUE") == 0 ||
	       strcmp(s, "true()") == 0;
}

static int is_no(const char *s)
{
	return !*s || strcmp(s, "no") == 0 || strcmp(s, "false") == 0 || strcmp(s, "FALSE") == 0 ||
	       strcmp(s, "false()") == 0;
}

/* ------------------------------------------------------------------ */
/* Languages and headers                                               */

/* Split a language "Name (code)" (or "Name") in s, in place: *name and
 * *code point into s (code = name without parentheses).  Returns 0 when
 * either is empty. */
static int split_lang(char *s, char **name, char **code)
{
	char *open = strrchr(fv_trim(s), '(');
	size_t n = strlen(s);
	*name = s;
	*code = NULL;
	if (open && n > 0 && s[n - 1] == ')') {
		s[n - 1] = '\0';
		*open = '\0';
		*code = fv_trim(open + 1);
		fv_trim(s);
	}
	if (!*code)
		*code = s;
	return **name != '\0' && **code != '\0';
}

/* Index of a language by name and code, or -1. */
static int lang_find(const fv_form *f, const char *name, const char *code)
{
	for (int i = 0; i < f->nlangs; i++)
		if (strcmp(f->lang_name[i], name) == 0 && strcmp(f->lang_code[i], code) == 0)
			return i;
	return -1;
}

/* Find or add the language of a "::Name (code)" suffix. */
static int lang_index(loader *L, int line, const char *suffix)
{
	fv_form *f = L->f;
	char *s = fv_xstrdup(suffix), *name, *code;
	int i;
	if (!split_lang(s, &name, &code)) {
		fail(L, line, "bad language '%s': write it as 'Name (code)'", suffix);
		free(s);
		return -2;
	}
	if ((i = lang_find(f, name, code)) >= 0) {
		free(s);
		return i;
	}
	if (f->nlangs == FV_MAX_LANGS) {
		fail(L, line, "too many languages (at most %d)", FV_MAX_LANGS);
		free(s);
		return -2;
	}
	f->lang_name[f->nlangs] = fv_xstrdup(name);
	f->lang_code[f->nlangs] = fv_xstrdup(code);
	free(s);
	return f->nlangs++;
}

static const struct {
	const char *name;
	enum col_kind kind;
	int translatable;
	enum sheet sheet;
} known_cols[] = {
	{"type", COL_TYPE, 0, SHEET_SURVEY},
	{"name", COL_NAME, 0, SHEET_SURVEY},
	{"label", COL_LABEL, 1, SHEET_SURVEY},
	{"hint", COL_HINT, 1, SHEET_SURVEY},
	{"required", COL_REQUIRED, 0, SHEET_SURVEY},
	{"required_message", COL_REQUIRED_MSG, 1, SHEET_SURVEY},
	{"constraint", COL_CONSTRAINT, 0, SHEET_SURVEY},
	{"constraint_message", COL_CONSTRAINT_MSG, 1, SHEET_SURVEY},
	{"relevant", COL_RELEVANT, 0, SHEET_SURVEY},
	{"calculation", COL_CALCULATION, 0, SHEET_SURVEY},
	{"default", COL_DEFAULT, 0, SHEET_SURVEY},
	{"read_only", COL_READ_ONLY, 0, SHEET_SURVEY},
	{"choice_filter", COL_CHOICE_FILTER, 0, SHEET_SURVEY},
	{"appearance", COL_APPEARANCE, 0, SHEET_SURVEY},
	{"guidance_hint", COL_IGNORE, 1, SHEET_SURVEY},
	{"list_name", COL_LIST_NAME, 0, SHEET_CHOICES},
	{"list name", COL_LIST_NAME, 0, SHEET_CHOICES},
	{"name", COL_NAME, 0, SHEET_CHOICES},
	{"label", COL_LABEL, 1, SHEET_CHOICES},
	{"form_id", COL_FORM_ID, 0, SHEET_SETTINGS},
	{"form_title", COL_FORM_TITLE, 0, SHEET_SETTINGS},
	{"version", COL_VERSION, 0, SHEET_SETTINGS},
	{"default_language", COL_DEFAULT_LANGUAGE, 0, SHEET_SETTINGS},
};

static const char *sheet_name(enum sheet s)
{
	return s == SHEET_SURVEY ? "survey" : s == SHEET_CHOICES ? "choices" : "settings";
}

/* Read a header line: the sheet name in cell 0, column names after it. */
static void read_header(loader *L, const fv_csv_row *row)
{
	const char *sheet = row->cells[0];
	free(L->cols);
	L->cols = fv_xcalloc(row->ncells, sizeof *L->cols);
	L->ncols = row->ncells;
	L->header_line = row->line;
	for (size_t i = 0; i < L->nextra; i++)
		free(L->extra_names[i]);
	free(L->extra_names);
	L->extra_names = NULL;
	L->nextra = 0;

	if (strcmp(sheet, "survey") == 0)
		L->sheet = SHEET_SURVEY;
	else if (strcmp(sheet, "choices") == 0)
		L->sheet = SHEET_CHOICES;
	else if (strcmp(sheet, "settings") == 0) {
		L->sheet = SHEET_SETTINGS;
		L->settings_header = row->line;
	}
	else {
		fail(L, row->line, "unknown sheet '%s' (expected survey, choices or settings)", sheet);
		L->sheet = SHEET_NONE;
		return;
	}

	for (size_t c = 1; c < row->ncells; c++) {
		char *cell = fv_trim(fv_xstrdup(row->cells[c]));
		char *sep = strstr(cell, "::");
		const char *suffix = NULL;
		column *col = &L->cols[c];
		int found = 0;
		col->lang = -1;
		if (sep) {
			*sep = '\0';
			suffix = sep + 2;
		}
		if (*cell == '\0' && !suffix) {
			col->kind = COL_IGNORE;   /* an empty header cell: nothing to read */
			free(cell);
			continue;
		}
		for (size_t k = 0; k < sizeof known_cols / sizeof known_cols[0]; k++) {
			if (known_cols[k].sheet != L->sheet || strcmp(known_cols[k].name, cell) != 0)
				continue;
			found = 1;
			col->kind = known_cols[k].kind;
			if (suffix && !known_cols[k].translatable) {
				fail(L, row->line, "column '%s::%s' cannot be translated", cell, suffix);
			} else if (suffix) {
				col->lang = lang_index(L, row->line, suffix);
				if (col->kind == COL_LABEL)
					L->lang_label_seen = 1;
			} else if (col->kind == COL_LABEL) {
				L->plain_label_seen = 1;
			}
			for (size_t e = 1; e < c && col->kind != COL_IGNORE; e++)
				if (L->cols[e].kind == col->kind && L->cols[e].lang == col->lang) {
					fail(L, row->line, "column '%s' appears twice", row->cells[c]);
					break;
				}
			break;
		}
		if (!found && strcmp(cell, "comment") != 0 && strcmp(cell, "notes") != 0) {
			if (L->sheet == SHEET_CHOICES && !suffix && valid_name(cell)) {
				for (size_t e = 0; e < L->nextra; e++)
					if (strcmp(L->extra_names[e], cell) == 0)
						fail(L, row->line, "column '%s' appears twice", cell);
				col->kind = COL_EXTRA;
				col->extra = (int)L->nextra;
				L->extra_names = fv_xrealloc(L->extra_names,
							     (L->nextra + 1) * sizeof *L->extra_names);
				L->extra_names[L->nextra++] = fv_xstrdup(cell);
			} else {
				fail(L, row->line, "unknown %s column '%s%s%s'", sheet_name(L->sheet),
				     cell, suffix ? "::" : "", suffix ? suffix : "");
			}
		} else if (!found) {
			col->kind = COL_IGNORE;
		}
		free(cell);
	}
	if (L->plain_label_seen && L->lang_label_seen && !L->mixed_reported) {
		fail(L, row->line, "do not mix a plain 'label' column with 'label::...' columns");
		L->mixed_reported = 1;
	}
}

/* The cell of column kind (first match) or "" when absent. */
static const char *cell_of(const loader *L, const fv_csv_row *row, enum col_kind kind)
{
	for (size_t c = 1; c < L->ncols && c < row->ncells; c++)
		if (L->cols[c].kind == kind)
			return row->cells[c];
	return "";
}

/* Fill a translatable text from every column of that kind. */
static void read_text(const loader *L, const fv_csv_row *row, enum col_kind kind, fv_text *t)
{
	for (size_t c = 1; c < L->ncols && c < row->ncells; c++) {
		if (L->cols[c].kind != kind || row->cells[c][0] == '\0')
			continue;
		int lang = L->cols[c].lang < 0 ? 0 : L->cols[c].lang;
		free(t->s[lang]);
		t->s[lang] = fv_xstrdup(row->cells[c]);
	}
}

static int text_empty(const fv_text *t)
{
	for (int i = 0; i < FV_MAX_LANGS; i++)
		if (t->s[i] && t->s[i][0])
			return 0;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Rows                                                                */

static void read_survey_row(loader *L, const fv_csv_row *row)
{
	fv_form *f = L->f;
	const char *type = cell_of(L, row, COL_TYPE);
	char *list = NULL;
	fv_qtype t;

	if (!parse_type(L, row->line, type, &t, &list))
		return;
	f->fields = fv_xgrow(f->fields, &L->fields_cap, f->nfields + 1, sizeof *f->fields);
	L->list_ref = fv_xrealloc(L->list_ref, L->fields_cap * sizeof *L->list_ref);
	int idx = (int)f->nfields++;
	fv_field *fd = &f->fields[idx];
	memset(fd, 0, sizeof *fd);
	L->list_ref[idx] = list;
	fd->type = t;
	fd->line = row->line;
	fd->end = -1;
	fd->group = L->ngroups ? L->group_stack[L->ngroups - 1] : -1;
	fd->name = fv_trim(fv_xstrdup(cell_of(L, row, COL_NAME)));
	read_text(L, row, COL_LABEL, &fd->label);
	read_text(L, row, COL_HINT, &fd->hint);
	read_text(L, row, COL_CONSTRAINT_MSG, &fd->constraint_msg);
	read_text(L, row, COL_REQUIRED_MSG, &fd->required_msg);
	fd->appearance = fv_xstrdup(cell_of(L, row, COL_APPEARANCE));
	fd->default_value = fv_xstrdup(cell_of(L, row, COL_DEFAULT));
	fd->relevant_src = fv_trim(fv_xstrdup(cell_of(L, row, COL_RELEVANT)));
	fd->required_src = fv_trim(fv_xstrdup(cell_of(L, row, COL_REQUIRED)));
	fd->constraint_src = fv_trim(fv_xstrdup(cell_of(L, row, COL_CONSTRAINT)));
	fd->calculation_src = fv_trim(fv_xstrdup(cell_of(L, row, COL_CALCULATION)));
	fd->choice_filter_src = fv_trim(fv_xstrdup(cell_of(L, row, COL_CHOICE_FILTER)));

	char *ro_cell = fv_trim(fv_xstrdup(cell_of(L, row, COL_READ_ONLY)));
	const char *ro = ro_cell;
	if (strcmp(ro, "yes") == 0 || strcmp(ro, "true") == 0 || strcmp(ro, "TRUE") == 0)
		fd->read_only = 1;
	else if (*ro && strcmp(ro, "no") != 0 && strcmp(ro, "false") != 0 && strcmp(ro, "FALSE") != 0)
		fail(L, row->line, "read_only: '%s' must be yes or no", ro);
	free(ro_cell);

	if (t == FV_Q_END_GROUP) {
		if (L->ngroups == 0) {
			fail(L, row->line, "end_group without a begin_group");
		} else {
			int g = L->group_stack[--L->ngroups];
			f->fields[g].end = idx;
			fd->group = f->fields[g].group;
		}
		return;
	}
	if (*fd->name == '\0') {
		fail(L, row->line, "%s row has no name", fv_qtype_name(t));
		return;
	}
	if (!valid_name(fd->name)) {
		fail(L, row->line, "invalid name '%s' (use letters, digits, _ - . and start with a letter or _)",
		     fd->name);
		return;
	}
	for (int i = 0; i < idx; i++) {
		if (f->fields[i].type != FV_Q_END_GROUP && strcmp(f->fields[i].name, fd->name) == 0) {
			fail(L, row->line, "duplicate name '%s' (first on line %d)", fd->name,
			     f->fields[i].line);
			return;
		}
	}
	if (t == FV_Q_BEGIN_GROUP) {
		L->group_stack = fv_xgrow(L->group_stack, &L->groups_cap, L->ngroups + 1,
					  sizeof *L->group_stack);
		L->group_stack[L->ngroups++] = idx;
	}
	if ((is_question(t) || t == FV_Q_NOTE) && text_empty(&fd->label))
		fail(L, row->line, "%s '%s' has no label", fv_qtype_name(t), fd->name);
	if (t == FV_Q_CALCULATE && strcmp(fd->name, "alert_") == 0)
		fail(L, row->line, "calculate 'alert_' needs the alert's name after alert_");
	if (t != FV_Q_CALCULATE && strcmp(fd->name, "followup_due") == 0)
		fail(L, row->line, "'followup_due' (the date a follow-up is due) must be a calculate,"
		     " not a %s", fv_qtype_name(t));
	if (t == FV_Q_CALCULATE && *fd->calculation_src == '\0')
		fail(L, row->line, "calculate '%s' has no calculation", fd->name);
	if (t != FV_Q_CALCULATE && *fd->calculation_src)
		fail(L, row->line, "calculation: only calculate rows may have one ('%s' is of type %s)",
		     fd->name, fv_qtype_name(t));
	if (!is_question(t)) {
		if (*fd->constraint_src)
			fail(L, row->line, "constraint: a %s cannot have one", fv_qtype_name(t));
		if (!is_no(fd->required_src))
			fail(L, row->line, "required: a %s cannot be required", fv_qtype_name(t));
		if (*fd->default_value)
			fail(L, row->line, "default: a %s cannot have one", fv_qtype_name(t));
	}
	if (!is_select(t) && *fd->choice_filter_src)
		fail(L, row->line, "choice_filter: only select questions may have one");
}

static fv_choice_list *find_list(fv_form *f, const char *name)
{
	for (size_t i = 0; i < f->nlists; i++)
		if (strcmp(f->lists[i].name, name) == 0)
			return &f->lists[i];
	return NULL;
}

/* Does the current choices header have the same extra columns, in the same
 * order, as the header the list started under? */
static int same_extra_columns(const fv_choice_list *l, const loader *L)
{
	if (l->nextra != L->nextra)
		return 0;
	for (size_t i = 0; i < l->nextra; i++)
		if (strcmp(l->extra_names[i], L->extra_names[i]) != 0)
			return 0;
	return 1;
}

static void read_choice_row(loader *L, const fv_csv_row *row)
{
	fv_form *f = L->f;
	char *lname = fv_trim(fv_xstrdup(cell_of(L, row, COL_LIST_NAME)));
	char *name = fv_trim(fv_xstrdup(cell_of(L, row, COL_NAME)));
	fv_choice_list *l;

	if (*lname == '\0' || *name == '\0') {
		fail(L, row->line, "choice row needs a list_name and a name");
		goto out;
	}
	if (!valid_name(lname)) {
		fail(L, row->line, "invalid list_name '%s'", lname);
		goto out;
	}
	l = find_list(f, lname);
	if (!l) {
		f->lists = fv_xgrow(f->lists, &L->lists_cap, f->nlists + 1, sizeof *f->lists);
		l = &f->lists[f->nlists++];
		memset(l, 0, sizeof *l);
		l->name = lname;
		lname = NULL;
		l->nextra = L->nextra;
		l->extra_names = fv_xcalloc(L->nextra, sizeof *l->extra_names);
		for (size_t i = 0; i < L->nextra; i++)
			l->extra_names[i] = fv_xstrdup(L->extra_names[i]);
	} else if (!same_extra_columns(l, L)) {
		fail(L, row->line, "list '%s' continues under a header with other columns", l->name);
		goto out;
	}
	if (strpbrk(name, " \t\r\n")) {
		fail(L, row->line, "choice '%s' of list '%s' has a space (answers are space-separated)",
		     name, l->name);
		goto out;
	}
	if (fv_choice_find(l, name)) {
		fail(L, row->line, "duplicate choice '%s' in list '%s' (first on line %d)", name,
		     l->name, fv_choice_find(l, name)->line);
		goto out;
	}
	l->choices = fv_xgrow(l->choices, &l->cap, l->n + 1, sizeof *l->choices);
	fv_choice *c = &l->choices[l->n++];
	memset(c, 0, sizeof *c);
	c->name = name;
	name = NULL;
	c->line = row->line;
	read_text(L, row, COL_LABEL, &c->label);
	c->extra = fv_xcalloc(l->nextra, sizeof *c->extra);
	for (size_t k = 0; k < l->nextra; k++)
		c->extra[k] = fv_xstrdup("");
	for (size_t col = 1; col < L->ncols && col < row->ncells; col++) {
		if (L->cols[col].kind == COL_EXTRA) {
			free(c->extra[L->cols[col].extra]);
			c->extra[L->cols[col].extra] = fv_xstrdup(row->cells[col]);
		}
	}
	if (text_empty(&c->label))
		fail(L, row->line, "choice '%s' of list '%s' has no label", c->name, l->name);
out:
	free(lname);
	free(name);
}

/* A settings cell; a column given twice is refused at the header. */
static void set_setting(char **dst, const char *value)
{
	free(*dst);
	*dst = fv_trim(fv_xstrdup(value));
}

static void read_settings_row(loader *L, const fv_csv_row *row)
{
	fv_form *f = L->f;
	if (L->settings_rows++ > 0) {
		fail(L, row->line, "settings: only one row of settings is allowed");
		return;
	}
	L->settings_line = row->line;
	for (size_t c = 1; c < L->ncols && c < row->ncells; c++) {
		const char *v = row->cells[c];
		switch (L->cols[c].kind) {
		case COL_FORM_ID: set_setting(&f->id, v); break;
		case COL_FORM_TITLE: set_setting(&f->title, v); break;
		case COL_VERSION: set_setting(&f->version, v); break;
		case COL_DEFAULT_LANGUAGE:
			set_setting(&L->default_language, v);
			break;
		default: break;
		}
	}
}

static int row_is_empty(const fv_csv_row *row)
{
	for (size_t i = 0; i < row->ncells; i++)
		if (row->cells[i][0] != '\0')
			return 0;
	return 1;
}

static void read_rows(loader *L, const fv_csv *csv)
{
	for (size_t r = 0; r < csv->nrows; r++) {
		const fv_csv_row *row = &csv->rows[r];
		if (row_is_empty(row))
			continue;
		if (row->cells[0][0] != '\0') {
			read_header(L, row);
			continue;
		}
		if (L->cols == NULL) {
			fail(L, row->line, "data before any sheet header (the first cell of a header line names its sheet)");
			return;
		}
		if (L->sheet == SHEET_NONE)
			continue;
		for (size_t c = L->ncols; c < row->ncells; c++) {
			if (row->cells[c][0] != '\0') {
				fail(L, row->line, "cell %zu is past the last column of the %s header (line %d)",
				     c + 1, sheet_name(L->sheet), L->header_line);
				break;
			}
		}
		switch (L->sheet) {
		case SHEET_SURVEY: read_survey_row(L, row); break;
		case SHEET_CHOICES: read_choice_row(L, row); break;
		case SHEET_SETTINGS: read_settings_row(L, row); break;
		case SHEET_NONE: break;
		}
	}
}

/* ------------------------------------------------------------------ */
/* After all rows: settings, lists, defaults, expressions, order        */

static void check_settings(loader *L)
{
	fv_form *f = L->f;
	int line = L->settings_line;
	if (!f->id || !*f->id)
		fail(L, line, "settings: form_id is missing");
	else if (!valid_name(f->id))
		fail(L, line, "settings: form_id '%s' is not a valid name", f->id);
	if (!f->version || !*f->version)
		fail(L, line, "settings: version is missing");
	if (!f->title || !*f->title) {
		free(f->title);
		f->title = fv_xstrdup(f->id ? f->id : "");
	}
	if (f->nlangs == 0 && L->default_language && *L->default_language)
		lang_index(L, line, L->default_language);   /* names the plain label columns */
	if (f->nlangs == 0) {
		f->lang_name[0] = fv_xstrdup("default");
		f->lang_code[0] = fv_xstrdup("default");
		f->nlangs = 1;
	}
	f->default_lang = 0;
	if (L->default_language && *L->default_language) {
		char *dl = fv_xstrdup(L->default_language), *name, *code;
		int found = split_lang(dl, &name, &code) ? lang_find(f, name, code) : -1;
		free(dl);
		if (found < 0)
			fail(L, line, "settings: default_language '%s' is not the suffix of any label column (write it as e.g. 'Chinese (zh)')",
			     L->default_language);
		else
			f->default_lang = found;
	}
}

static void resolve_lists(loader *L)
{
	fv_form *f = L->f;
	for (size_t i = 0; i < f->nfields; i++) {
		fv_field *fd = &f->fields[i];
		if (!L->list_ref[i])
			continue;
		fd->choices = find_list(f, L->list_ref[i]);
		if (!fd->choices)
			fail(L, fd->line, "unknown choice list '%s'", L->list_ref[i]);
	}
}

/* A default like "${age}" or "today()" is an expression (a dynamic default),
 * "Hutou (north)" is not. */
static int looks_like_expression(const char *s)
{
	const char *p = s;
	if (strstr(s, "${"))
		return 1;
	while (isalnum((unsigned char)*p) || *p == '-' || *p == ':' || *p == '_')
		p++;
	return p > s && *p == '(';
}

static void check_groups_and_defaults(loader *L)
{
	fv_form *f = L->f;
	char msg[256];
	fv_buf canon;

	for (size_t i = 0; i < L->ngroups; i++)
		fail(L, f->fields[L->group_stack[i]].line, "begin_group '%s' is never closed",
		     f->fields[L->group_stack[i]].name);
	fv_buf_init(&canon);
	for (size_t i = 0; i < f->nfields; i++) {
		fv_field *fd = &f->fields[i];
		if (!*fd->default_value || !is_question(fd->type) || (is_select(fd->type) && !fd->choices))
			continue;
		if (looks_like_expression(fd->default_value)) {
			fail(L, fd->line, "default: '%s' looks like an expression; only fixed defaults are supported",
			     fd->default_value);
			continue;
		}
		fv_buf_reset(&canon);
		if (!fv_form_canonical(fd, fd->default_value, &canon, msg, sizeof msg)) {
			fail(L, fd->line, "default: %s", msg);
			continue;
		}
		free(fd->default_value);
		fd->default_value = fv_xstrdup(canon.s);
	}
	fv_buf_release(&canon);
}

/* Name lookup through a sorted index, so that a form of thousands of
 * fields loads in linear-logarithmic time. */
typedef struct name_index {
	const fv_form *f;
	int *sorted;
	size_t n;
	const fv_choice_list *list;   /* choice_filter: the list being filtered */
} name_index;

static const fv_form *sort_form;

static int cmp_field_name(const void *a, const void *b)
{
	return strcmp(sort_form->fields[*(const int *)a].name,
		      sort_form->fields[*(const int *)b].name);
}

static int resolve_field(void *ctx, const char *name)
{
	const name_index *ix = ctx;
	size_t lo = 0, hi = ix->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(ix->f->fields[ix->sorted[mid]].name, name);
		if (c == 0)
			return ix->sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int resolve_column(void *ctx, const char *name)
{
	const name_index *ix = ctx;
	if (strcmp(name, "name") == 0)
		return 0;
	for (size_t i = 0; ix->list && i < ix->list->nextra; i++)
		if (strcmp(ix->list->extra_names[i], name) == 0)
			return (int)i + 1;
	return -1;
}

static void compile_one(loader *L, name_index *ix, fv_field *fd, const char *col,
			const char *src, int allow_dot, fv_expr **out)
{
	char msg[256];
	fv_status st;
	if (!*src)
		return;
	if (strcmp(col, "choice_filter") == 0) {
		ix->list = fd->choices;
		st = fv_expr_compile_filter(src, resolve_field, resolve_column, ix, out, msg,
					    sizeof msg);
	} else {
		st = fv_expr_compile(src, resolve_field, ix, allow_dot, out, msg, sizeof msg);
	}
	if (st != FV_OK)
		fail(L, fd->line, "%s: %s", col, msg);
}

static void compile_all(loader *L)
{
	fv_form *f = L->f;
	name_index ix = {f, fv_xcalloc(f->nfields + 1, sizeof(int)), 0, NULL};
	for (size_t i = 0; i < f->nfields; i++)
		if (f->fields[i].type != FV_Q_END_GROUP)
			ix.sorted[ix.n++] = (int)i;
	sort_form = f;
	qsort(ix.sorted, ix.n, sizeof(int), cmp_field_name);
	sort_form = NULL;

	for (size_t i = 0; i < f->nfields; i++) {
		fv_field *fd = &f->fields[i];
		if (fd->type == FV_Q_END_GROUP)
			continue;
		compile_one(L, &ix, fd, "relevant", fd->relevant_src, 0, &fd->relevant);
		compile_one(L, &ix, fd, "constraint", fd->constraint_src, 1, &fd->constraint);
		compile_one(L, &ix, fd, "calculation", fd->calculation_src, 0, &fd->calculation);
		if (fd->choices)
			compile_one(L, &ix, fd, "choice_filter", fd->choice_filter_src, 0,
				    &fd->choice_filter);
		/* required: yes/no, or an expression */
		if (is_yes(fd->required_src)) {
			free(fd->required_src);
			fd->required_src = fv_xstrdup("true()");
		} else if (is_no(fd->required_src)) {
			fd->required_src[0] = '\0';
		}
		compile_one(L, &ix, fd, "required", fd->required_src, 0, &fd->required);
	}
	free(ix.sorted);
}

/* ------------------------------------------------------------------ */
/* Dependencies and evaluation order                                   */

static void add_dep(fv_form *f, size_t *caps, int from, int to)
{
	for (size_t k = 0; k < f->ndependants[from]; k++)
		if (f->dependants[from][k] == to)
			return;
	f->dependants[from] = fv_xgrow(f->dependants[from], &caps[from],
				       f->ndependants[from] + 1, sizeof(int));
	f->dependants[from][f->ndependants[from]++] = to;
}

static void add_expr_deps(fv_form *f, size_t *caps, const fv_expr *e, int to)
{
	const int *refs;
	size_t n = e ? fv_expr_refs(e, &refs) : 0;
	for (size_t k = 0; k < n; k++)
		add_dep(f, caps, refs[k], to);
}

/*
 * Name the fields of one cycle among those Kahn's algorithm left over.  The
 * leftovers are the cycles and what lies downstream of them; pruning every
 * leftover without a leftover successor leaves only nodes from which a walk
 * along successors must come back to itself.
 */
static void report_cycle(loader *L, const int *indeg, int **edges, const size_t *nedges)
{
	fv_form *f = L->f;
	size_t n = f->nfields, len = 0;
	unsigned char *left = fv_xcalloc(n + 1, 1);
	int *seen = fv_xcalloc(n + 1, sizeof *seen);
	int *path = fv_xcalloc(n + 1, sizeof *path);
	int v = -1, changed = 1;

	for (size_t i = 0; i < n; i++)
		left[i] = indeg[i] > 0;
	while (changed) {
		changed = 0;
		for (size_t i = 0; i < n; i++) {
			int succ = 0;
			for (size_t k = 0; left[i] && k < nedges[i] && !succ; k++)
				succ = left[edges[i][k]];
			if (left[i] && !succ) {
				left[i] = 0;
				changed = 1;
			}
		}
	}
	for (size_t i = 0; i < n && v < 0; i++)
		if (left[i])
			v = (int)i;
	while (v >= 0 && !seen[v]) {
		seen[v] = (int)++len;
		path[len - 1] = v;
		int next = -1;
		for (size_t k = 0; k < nedges[v] && next < 0; k++)
			if (left[edges[v][k]])
				next = edges[v][k];
		v = next;
	}
	fv_buf b;
	fv_buf_init(&b);
	for (size_t k = v >= 0 ? (size_t)seen[v] - 1 : len; k < len; k++)
		fv_buf_addf(&b, "%s -> ", f->fields[path[k]].name);
	if (v >= 0)
		fv_buf_adds(&b, f->fields[v].name);
	fail(L, v >= 0 ? f->fields[v].line : 0, "cycle among calculations and relevance: %s",
	     v >= 0 ? b.s : "(not found)");
	fv_buf_release(&b);
	free(left);
	free(seen);
	free(path);
}

int fv_form_answerable(const fv_field *fd)
{
	switch (fd->type) {
	case FV_Q_NOTE: case FV_Q_CALCULATE: case FV_Q_BEGIN_GROUP: case FV_Q_END_GROUP:
		return 0;
	default:
		return !fd->read_only;
	}
}

static int refs_max(const fv_expr *e, const int *val)
{
	const int *refs;
	int m = -1;
	size_t n = e ? fv_expr_refs(e, &refs) : 0;
	for (size_t k = 0; k < n; k++)
		if (val[refs[k]] > m)
			m = val[refs[k]];
	return m;
}

/*
 * relevance_after, in evaluation order: rel[i] is the last question (in
 * form order) that the relevance of field i can depend on, val[i] the
 * last one its value can depend on (the question itself when answerable,
 * what its relevance depends on since a non-relevant answer is cleared,
 * and for a calculate what its calculation reads).
 */
static void find_relevance_after(fv_form *f)
{
	size_t n = f->nfields;
	int *rel = fv_xcalloc(n + 1, sizeof *rel), *val = fv_xcalloc(n + 1, sizeof *val);
	f->relevance_after = fv_xcalloc(n + 1, 1);
	for (size_t p = 0; p < f->norder; p++) {
		int i = f->order[p];
		const fv_field *fd = &f->fields[i];
		int r = refs_max(fd->relevant, val);
		if (fd->group >= 0 && fd->type != FV_Q_END_GROUP && rel[fd->group] > r)
			r = rel[fd->group];
		int v = fv_form_answerable(fd) && i > r ? i : r;
		if (fd->type == FV_Q_CALCULATE) {
			int c = refs_max(fd->calculation, val);
			if (c > v)
				v = c;
		}
		rel[i] = r;
		val[i] = v;
		f->relevance_after[i] = r > i;
	}
	free(rel);
	free(val);
}

/*
 * Order the fields so that each comes after everything its value or
 * relevance reads: a field's relevance and calculation read other fields,
 * and a field inside a group takes its group's relevance.  (Constraints,
 * required and choice filters are checked against settled values and do not
 * order anything, but they are dependants too, so a change re-checks them.)
 * A cycle is an error naming its fields.
 */
static void order_fields(loader *L)
{
	fv_form *f = L->f;
	size_t n = f->nfields;
	size_t *caps = fv_xcalloc(n + 1, sizeof *caps);
	int *indeg = fv_xcalloc(n + 1, sizeof *indeg);
	int *order = fv_xcalloc(n + 1, sizeof *order);
	int **edges = fv_xcalloc(n + 1, sizeof *edges);
	size_t *nedges = fv_xcalloc(n + 1, sizeof *nedges), *ecaps = fv_xcalloc(n + 1, sizeof *ecaps);

	f->dependants = fv_xcalloc(n + 1, sizeof *f->dependants);
	f->ndependants = fv_xcalloc(n + 1, sizeof *f->ndependants);
	for (size_t i = 0; i < n; i++) {
		fv_field *fd = &f->fields[i];
		add_expr_deps(f, caps, fd->relevant, (int)i);
		add_expr_deps(f, caps, fd->calculation, (int)i);
		add_expr_deps(f, caps, fd->constraint, (int)i);
		add_expr_deps(f, caps, fd->required, (int)i);
		add_expr_deps(f, caps, fd->choice_filter, (int)i);
		if (fd->group >= 0 && fd->type != FV_Q_END_GROUP)
			add_dep(f, caps, fd->group, (int)i);
	}
	/* ordering edges: only relevance, calculation and group membership */
	for (size_t i = 0; i < n; i++) {
		fv_field *fd = &f->fields[i];
		const fv_expr *es[2] = {fd->relevant, fd->calculation};
		for (int k = 0; k < 2; k++) {
			const int *refs;
			size_t nr = es[k] ? fv_expr_refs(es[k], &refs) : 0;
			for (size_t r = 0; r < nr; r++) {
				int from = refs[r];
				edges[from] = fv_xgrow(edges[from], &ecaps[from], nedges[from] + 1, sizeof(int));
				edges[from][nedges[from]++] = (int)i;
				indeg[i]++;
			}
		}
		if (fd->group >= 0 && fd->type != FV_Q_END_GROUP) {
			int from = fd->group;
			edges[from] = fv_xgrow(edges[from], &ecaps[from], nedges[from] + 1, sizeof(int));
			edges[from][nedges[from]++] = (int)i;
			indeg[i]++;
		}
	}
	/* Kahn's algorithm, seeded in form order, so the order is stable. */
	size_t done = 0, scan = 0;
	int *ready = fv_xcalloc(n + 1, sizeof *ready);
	size_t nready = 0;
	for (size_t i = 0; i < n; i++)
		if (indeg[i] == 0)
			ready[nready++] = (int)i;
	while (scan < nready) {
		int v = ready[scan++];
		order[done++] = v;
		for (size_t k = 0; k < nedges[v]; k++)
			if (--indeg[edges[v][k]] == 0)
				ready[nready++] = edges[v][k];
	}
	if (done < n)
		report_cycle(L, indeg, edges, nedges);
	f->order = order;
	f->norder = done;
	if (done == n)
		find_relevance_after(f);
	for (size_t i = 0; i < n; i++)
		free(edges[i]);
	free(edges);
	free(nedges);
	free(ecaps);
	free(indeg);
	free(ready);
	free(caps);
}

static void free_text(fv_text *t)
{
	for (int i = 0; i < FV_MAX_LANGS; i++)
		free(t->s[i]);
}

static void free_field(fv_field *fd)
{
	free(fd->name);
	free_text(&fd->label);
	free_text(&fd->hint);
	free_text(&fd->constraint_msg);
	free_text(&fd->required_msg);
	free(fd->appearance);
	free(fd->default_value);
	fv_expr_free(fd->relevant);
	fv_expr_free(fd->required);
	fv_expr_free(fd->constraint);
	fv_expr_free(fd->calculation);
	fv_expr_free(fd->choice_filter);
	free(fd->relevant_src);
	free(fd->required_src);
	free(fd->constraint_src);
	free(fd->calculation_src);
	free(fd->choice_filter_src);
}

void fv_form_free(fv_form *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nfields; i++)
		free_field(&f->fields[i]);
	free(f->fields);
	for (size_t i = 0; i < f->nlists; i++) {
		fv_choice_list *l = &f->lists[i];
		for (size_t c = 0; c < l->n; c++) {
			free(l->choices[c].name);
			free_text(&l->choices[c].label);
			for (size_t k = 0; k < l->nextra; k++)
				free(l->choices[c].extra[k]);
			free(l->choices[c].extra);
		}
		for (size_t k = 0; k < l->nextra; k++)
			free(l->extra_names[k]);
		free(l->extra_names);
		free(l->choices);
		free(l->name);
	}
	free(f->lists);
	for (int i = 0; i < f->nlangs; i++) {
		free(f->lang_name[i]);
		free(f->lang_code[i]);
	}
	if (f->dependants)
		for (size_t i = 0; i < f->nfields; i++)
			free(f->dependants[i]);
	free(f->dependants);
	free(f->ndependants);
	free(f->order);
	free(f->relevance_after);
	free(f->name_index);
	free(f->path);
	free(f->id);
	free(f->version);
	free(f->title);
	free(f);
}

/* FNV-1a */
static size_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The name index of a loaded form (names are unique; an end_group has
 * none).  An import looks up every answer's name a few times per visit,
 * and a 2,000-question draft 2,000 names. */
static void index_names(fv_form *f)
{
	size_t slots = 8;
	while (slots < 2 * f->nfields + 2)
		slots *= 2;
	f->name_slots = slots;
	f->name_index = fv_xcalloc(slots, sizeof *f->name_index);
	for (size_t h = 0; h < slots; h++)
		f->name_index[h] = -1;
	for (size_t i = 0; i < f->nfields; i++) {
		if (f->fields[i].type == FV_Q_END_GROUP || !f->fields[i].name)
			continue;
		size_t h = name_hash(f->fields[i].name) & (slots - 1);
		while (f->name_index[h] >= 0) {
			if (strcmp(f->fields[f->name_index[h]].name, f->fields[i].name) == 0)
				break;   /* a repeated name: the first one, as before */
			h = (h + 1) & (slots - 1);
		}
		if (f->name_index[h] < 0)
			f->name_index[h] = (int)i;
	}
}

static void loader_release(loader *L)
{
	free(L->cols);
	free(L->default_language);
	if (L->list_ref)
		for (size_t i = 0; i < L->f->nfields; i++)
			free(L->list_ref[i]);
	free(L->list_ref);
	for (size_t i = 0; i < L->nextra; i++)
		free(L->extra_names[i]);
	free(L->extra_names);
	free(L->group_stack);
}

fv_status fv_form_load_buffer(const char *name, const char *data, size_t len, fv_form **out,
			      fv_errors *err)
{
	fv_csv csv;
	fv_status st = fv_csv_parse(name, data, len, &csv, err);
	*out = NULL;
	if (st != FV_OK)
		return st;

	loader L = {.file = name, .err = err};
	L.f = fv_xcalloc(1, sizeof *L.f);
	L.f->path = fv_xstrdup(name);
	L.f->score = L.f->band = -1;
	read_rows(&L, &csv);
	fv_csv_release(&csv);
	if (L.settings_rows == 0 && !L.failed && L.settings_header)
		fail(&L, L.settings_header, "the settings sheet has no data row (form_id and version are required)");
	else if (L.settings_rows == 0 && !L.failed)
		fail(&L, 0, "no settings sheet (form_id and version are required)");
	else if (!L.failed || L.settings_rows)
		check_settings(&L);
	if (L.f->nfields == 0 && !L.failed)
		fail(&L, 0, "the survey sheet has no questions");
	resolve_lists(&L);
	check_groups_and_defaults(&L);
	if (!L.failed) {
		compile_all(&L);
		if (!L.failed)
			order_fields(&L);
	}
	if (!L.failed) {
		index_names(L.f);
		L.f->score = fv_form_field_index(L.f, "score");
		L.f->band = fv_form_field_index(L.f, "band");
	}
	loader_release(&L);
	if (L.failed) {
		fv_form_free(L.f);
		return FV_EINVAL;
	}
	*out = L.f;
	return FV_OK;
}

fv_status fv_form_load_file(const char *path, fv_form **out, fv_errors *err)
{
	char *data;
	size_t len;
	fv_status st = fv_read_file(path, &data, &len, err);
	*out = NULL;
	if (st != FV_OK)
		return st;
	st = fv_form_load_buffer(path, data, len, out, err);
	free(data);
	return st;
}

int fv_form_field_index(const fv_form *f, const char *name)
{
	if (f->name_index) {
		size_t mask = f->name_slots - 1;
		for (size_t h = name_hash(name) & mask;; h = (h + 1) & mask) {
			int i = f->name_index[h];
			if (i < 0 || strcmp(f->fields[i].name, name) == 0)
				return i;
		}
	}
	for (size_t i = 0; i < f->nfields; i++)
		if (f->fields[i].type != FV_Q_END_GROUP && strcmp(f->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

int fv_form_lang(const fv_form *f, const char *code)
{
	for (int i = 0; i < f->nlangs; i++)
		if (strcmp(f->lang_code[i], code) == 0 || strcmp(f->lang_name[i], code) == 0)
			return i;
	return -1;
}

const char *fv_text_get(const fv_form *f, const fv_text *t, int lang)
{
	if (lang >= 0 && lang < FV_MAX_LANGS && t->s[lang] && t->s[lang][0])
		return t->s[lang];
	if (t->s[f->default_lang] && t->s[f->default_lang][0])
		return t->s[f->default_lang];
	for (int i = 0; i < FV_MAX_LANGS; i++)
		if (t->s[i] && t->s[i][0])
			return t->s[i];
	return "";
}

const fv_choice *fv_choice_find(const fv_choice_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->choices[i].name, name) == 0)
			return &l->choices[i];
	return NULL;
}
