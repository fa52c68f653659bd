/*
 * fieldvisit screens: the one action table.  Which key does what on which
 * screen; the bottom help line, the help screen (?) and the KEYS section of
 * fieldvisit(1) are all made from it, so they cannot disagree with what
 * the keys do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/store.h"
#include "ui_internal.h"

#define ON(s) UI_ON(UI_SCR_##s)
#define TEXT UI_TEXT_SCREENS
#define NOLABEL UI_NSTR

/* Where typing is not text and no question is asked: q and ? work. */
#define LISTS (UI_ALL & ~TEXT & ~ON(CONFIRM))
/* The screens of a list with a cursor. */
#define LIST_SCREENS (ON(HOME) | ON(PEOPLE) | ON(PERSON) | ON(SYNC) | ON(INBOX))
/* Screens that scroll a text. */
#define SCROLL_SCREENS (ON(REVIEW) | ON(REPORTS))

static const ui_binding table[] = {
	/* first, so that the help line always shows how to see all keys */
	{UI_ACT_HELP, {'?', UI_K_F(1)}, LISTS & ~ON(HELP), UI_S_K_HELP, UI_S_K_HELP_HELP},
	{UI_ACT_HELP, {UI_K_F(1)}, TEXT, UI_S_K_HELP, UI_S_K_HELP_HELP},
	/* unlock and lock */
	{UI_ACT_OK, {UI_K_ENTER}, ON(UNLOCK) | ON(LOCK), UI_S_K_UNLOCK, UI_S_K_UNLOCK_HELP},
	{UI_ACT_UP, {UI_K_UP}, ON(UNLOCK), UI_S_K_STORE, UI_S_K_STORE_HELP},
	{UI_ACT_DOWN, {UI_K_DOWN}, ON(UNLOCK), UI_S_K_STORE, UI_S_K_STORE_HELP},
	/* home */
	{UI_ACT_SETTINGS, {'s', UI_K_F(2)}, ON(HOME), UI_S_K_SETTINGS, UI_S_K_SETTINGS_HELP},
	/* today, people, person */
	{UI_ACT_OK, {UI_K_ENTER}, ON(HOME) | ON(PEOPLE) | ON(FIND), UI_S_K_OPEN, UI_S_K_OPEN_HELP},
	{UI_ACT_OK, {UI_K_ENTER}, ON(PERSON), UI_S_K_OPEN_ALERT, UI_S_K_OPEN_ALERT_HELP},
	{UI_ACT_VISIT, {'v'}, ON(PERSON) | ON(HOME), UI_S_K_VISIT, UI_S_K_VISIT_HELP},
	{UI_ACT_PEOPLE, {'p', UI_K_F(3)}, ON(HOME), UI_S_K_PEOPLE, UI_S_K_PEOPLE_HELP},
	{UI_ACT_FIND, {'/'}, ON(HOME) | ON(PEOPLE), UI_S_K_FIND, UI_S_K_FIND_HELP},
	{UI_ACT_HOUSEHOLD, {'h'}, ON(PEOPLE) | ON(PERSON), UI_S_K_HOUSEHOLD, UI_S_K_HOUSEHOLD_HELP},
	{UI_ACT_ARCHIVE, {'a'}, ON(PEOPLE) | ON(PERSON), UI_S_K_ARCHIVE, UI_S_K_ARCHIVE_HELP},
	{UI_ACT_REGISTER, {'n'}, ON(PEOPLE) | ON(HOME), UI_S_K_REGISTER, UI_S_K_REGISTER_HELP},
	{UI_ACT_SYNC, {'b', UI_K_F(6)}, ON(HOME), NOLABEL, UI_S_K_SYNC_HELP},
	{UI_ACT_OK, {UI_K_ENTER}, ON(ARCHIVE), UI_S_K_SAVE_ARCHIVE, UI_S_K_SAVE_ARCHIVE_HELP},
	{UI_ACT_NEXT_FIELD, {UI_K_TAB, UI_K_DOWN}, ON(ARCHIVE), UI_S_K_FIELD, UI_S_K_FIELD_HELP},
	{UI_ACT_PREV_FIELD, {UI_K_BTAB, UI_K_UP}, ON(ARCHIVE), UI_S_K_FIELD,
	 UI_S_K_FIELD_BACK_HELP},
	/* sync, and its folder */
	{UI_ACT_SYNC_WRITE, {'w'}, ON(SYNC), UI_S_K_SYNC_WRITE, UI_S_K_SYNC_WRITE_HELP},
	{UI_ACT_OK, {UI_K_ENTER}, ON(SYNC), UI_S_K_SYNC_READ, UI_S_K_SYNC_READ_HELP},
	{UI_ACT_SYNC_READ_ALL, {'r'}, ON(SYNC), UI_S_K_SYNC_READ_ALL, UI_S_K_SYNC_READ_ALL_HELP},
	{UI_ACT_SYNC_FOLDER, {'f'}, ON(SYNC), UI_S_K_SYNC_FOLDER, UI_S_K_SYNC_FOLDER_HELP},
	{UI_ACT_OK, {UI_K_ENTER}, ON(FOLDER), UI_S_K_SYNC_USE, UI_S_K_SYNC_USE_HELP},
	{UI_ACT_UP, {UI_K_UP}, ON(FOLDER), UI_S_K_SYNC_DRIVE, UI_S_K_SYNC_DRIVE_HELP},
	{UI_ACT_DOWN, {UI_K_DOWN}, ON(FOLDER), UI_S_K_SYNC_DRIVE, UI_S_K_SYNC_DRIVE_HELP},
	/* the supervisor */
	{UI_ACT_INBOX, {'i'}, ON(HOME), UI_S_K_INBOX, UI_S_K_INBOX_HELP},
	{UI_ACT_REPORTS, {'R', UI_K_F(7)}, ON(HOME) | ON(INBOX), UI_S_K_REPORTS,
	 UI_S_K_REPORTS_HELP},
	{UI_ACT_OK, {UI_K_ENTER}, ON(INBOX), UI_S_K_REVIEW, UI_S_K_REVIEW_HELP},
	{UI_ACT_FILTER, {'f'}, ON(INBOX), UI_S_K_FILTER, UI_S_K_FILTER_HELP},
	{UI_ACT_FILTER_FORM, {'t'}, ON(INBOX), UI_S_K_FILTER_FORM, UI_S_K_FILTER_FORM_HELP},
	{UI_ACT_FILTER_DATES, {'d'}, ON(INBOX), UI_S_K_FILTER_DATES, UI_S_K_FILTER_DATES_HELP},
	{UI_ACT_FILTER_ALERTS, {'!'}, ON(INBOX), UI_S_K_FILTER_ALERTS,
	 UI_S_K_FILTER_ALERTS_HELP},
	{UI_ACT_APPROVE, {'a'}, ON(REVIEW), UI_S_K_APPROVE, UI_S_K_APPROVE_HELP},
	{UI_ACT_RETURN, {'r'}, ON(REVIEW), UI_S_K_RETURN, UI_S_K_RETURN_HELP},
	{UI_ACT_NEXT_VISIT, {'n'}, ON(REVIEW), UI_S_K_NEXT_VISIT, UI_S_K_NEXT_VISIT_HELP},
	{UI_ACT_OK, {UI_K_ENTER}, ON(RETURN), UI_S_K_SAVE_RETURN, UI_S_K_SAVE_RETURN_HELP},
	{UI_ACT_KIND, {UI_K_TAB, UI_K_BTAB}, ON(REPORTS), UI_S_K_KIND, UI_S_K_KIND_HELP},
	{UI_ACT_KIND, {'1', '2', '3'}, ON(REPORTS), NOLABEL, UI_S_K_KIND_HELP},
	{UI_ACT_KIND, {'4', '5', '6'}, ON(REPORTS), NOLABEL, UI_S_K_KIND_HELP},
	{UI_ACT_KIND, {'7'}, ON(REPORTS), NOLABEL, UI_S_K_KIND_HELP},
	{UI_ACT_LEFT, {UI_K_LEFT}, ON(REPORTS), UI_S_K_MONTH, UI_S_K_MONTH_HELP},
	{UI_ACT_RIGHT, {UI_K_RIGHT}, ON(REPORTS), UI_S_K_MONTH, UI_S_K_MONTH_HELP},
	{UI_ACT_PERIOD, {'p'}, ON(REPORTS), UI_S_K_PERIOD, UI_S_K_PERIOD_HELP},
	{UI_ACT_UP, {UI_K_UP, 'k'}, SCROLL_SCREENS, NOLABEL, UI_S_K_SCROLL_HELP},
	{UI_ACT_DOWN, {UI_K_DOWN, 'j'}, SCROLL_SCREENS, NOLABEL, UI_S_K_SCROLL_HELP},
	{UI_ACT_PGUP, {UI_K_PGUP}, SCROLL_SCREENS, NOLABEL, UI_S_K_PAGE_HELP},
	{UI_ACT_PGDN, {UI_K_PGDN, ' '}, SCROLL_SCREENS, NOLABEL, UI_S_K_PAGE_HELP},
	{UI_ACT_UP, {UI_K_UP, 'k'}, LIST_SCREENS, NOLABEL, UI_S_K_LIST_MOVE_HELP},
	{UI_ACT_DOWN, {UI_K_DOWN, 'j'}, LIST_SCREENS, NOLABEL, UI_S_K_LIST_MOVE_HELP},
	{UI_ACT_PGUP, {UI_K_PGUP}, LIST_SCREENS, NOLABEL, UI_S_K_LIST_PAGE_HELP},
	{UI_ACT_PGDN, {UI_K_PGDN, ' '}, LIST_SCREENS, NOLABEL, UI_S_K_LIST_PAGE_HELP},
	{UI_ACT_UP, {UI_K_UP}, ON(FIND), NOLABEL, UI_S_K_LIST_MOVE_HELP},
	{UI_ACT_DOWN, {UI_K_DOWN}, ON(FIND), NOLABEL, UI_S_K_LIST_MOVE_HELP},
	{UI_ACT_PGUP, {UI_K_PGUP}, ON(FIND), NOLABEL, UI_S_K_LIST_PAGE_HELP},
	{UI_ACT_PGDN, {UI_K_PGDN}, ON(FIND), NOLABEL, UI_S_K_LIST_PAGE_HELP},
	{UI_ACT_BACK, {UI_K_ESC}, ON(PEOPLE) | ON(PERSON) | ON(ARCHIVE) | ON(SYNC) | ON(FOLDER) |
	 ON(INBOX) | ON(REVIEW) | ON(RETURN) | ON(REPORTS),
	 UI_S_K_BACK, UI_S_K_BACK_HELP},
	{UI_ACT_BACK, {UI_K_ESC}, ON(FIND), UI_S_K_BACK, UI_S_K_FIND_BACK_HELP},
	{UI_ACT_LOCK, {UI_K_F(12), UI_CTRL('L')}, ON(FIND) | ON(ARCHIVE) | ON(FOLDER) | ON(RETURN),
	 UI_S_K_LOCK,
	 UI_S_K_LOCK_HELP},
	/* settings */
	{UI_ACT_UP, {UI_K_UP, 'k'}, ON(SETTINGS), UI_S_K_MOVE, UI_S_K_MOVE_HELP},
	{UI_ACT_DOWN, {UI_K_DOWN, 'j'}, ON(SETTINGS), UI_S_K_MOVE, UI_S_K_MOVE_HELP},
	{UI_ACT_OK, {UI_K_ENTER}, ON(SETTINGS), UI_S_K_CHOOSE, UI_S_K_CHOOSE_HELP},
	{UI_ACT_LEFT, {UI_K_LEFT}, ON(SETTINGS), NOLABEL, UI_S_K_CHANGE_HELP},
	{UI_ACT_RIGHT, {UI_K_RIGHT}, ON(SETTINGS), NOLABEL, UI_S_K_CHANGE_HELP},
	/* passphrase change */
	{UI_ACT_OK, {UI_K_ENTER}, ON(PASSWD), UI_S_K_SAVE_PW, UI_S_K_SAVE_PW_HELP},
	{UI_ACT_NEXT_FIELD, {UI_K_TAB, UI_K_DOWN}, ON(PASSWD), UI_S_K_FIELD, UI_S_K_FIELD_HELP},
	{UI_ACT_PREV_FIELD, {UI_K_BTAB, UI_K_UP}, ON(PASSWD), UI_S_K_FIELD,
	 UI_S_K_FIELD_BACK_HELP},
	/* help */
	{UI_ACT_UP, {UI_K_UP, 'k'}, ON(HELP), UI_S_K_SCROLL, UI_S_K_SCROLL_HELP},
	{UI_ACT_DOWN, {UI_K_DOWN, 'j'}, ON(HELP), UI_S_K_SCROLL, UI_S_K_SCROLL_HELP},
	{UI_ACT_PGUP, {UI_K_PGUP}, ON(HELP), NOLABEL, UI_S_K_PAGE_HELP},
	{UI_ACT_PGDN, {UI_K_PGDN, ' '}, ON(HELP), NOLABEL, UI_S_K_PAGE_HELP},
	/* a visit */
	{UI_ACT_OK, {UI_K_ENTER}, ON(VISIT), UI_S_K_OK, UI_S_K_VISIT_OK_HELP},
	{UI_ACT_UP, {UI_K_UP, 'k'}, ON(VISIT), UI_S_K_MOVE, UI_S_K_MOVE_HELP},
	{UI_ACT_DOWN, {UI_K_DOWN, 'j'}, ON(VISIT), UI_S_K_MOVE, UI_S_K_MOVE_HELP},
	{UI_ACT_CHECKOUT, {'o'}, ON(VISIT), UI_S_K_CHECKOUT, UI_S_K_CHECKOUT_HELP},
	/* the form runner */
	{UI_ACT_OK, {UI_K_ENTER}, ON(RUNNER), UI_S_K_NEXT, UI_S_K_NEXT_HELP},
	{UI_ACT_SUBMIT, {UI_K_F(2)}, ON(RUNNER), UI_S_K_SUBMIT, UI_S_K_SUBMIT_HELP},
	{UI_ACT_PREV_STEP, {UI_K_PGUP}, ON(RUNNER), UI_S_K_PREV_STEP, UI_S_K_PREV_STEP_HELP},
	{UI_ACT_JUMP, {UI_K_F(5)}, ON(RUNNER), UI_S_K_JUMP, UI_S_K_JUMP_HELP},
	{UI_ACT_UP, {UI_K_UP}, ON(RUNNER), UI_S_K_CHOICE, UI_S_K_CHOICE_HELP},
	{UI_ACT_DOWN, {UI_K_DOWN}, ON(RUNNER), UI_S_K_CHOICE, UI_S_K_CHOICE_HELP},
	{UI_ACT_NEXT_FIELD, {UI_K_TAB}, ON(RUNNER) | ON(CRISIS), UI_S_K_FIELD, UI_S_K_FIELD_HELP},
	{UI_ACT_PREV_FIELD, {UI_K_BTAB}, ON(RUNNER) | ON(CRISIS), UI_S_K_FIELD,
	 UI_S_K_FIELD_BACK_HELP},
	/* the crisis screen */
	{UI_ACT_OK, {UI_K_ENTER}, ON(CRISIS), UI_S_K_OK, UI_S_K_CRISIS_OK_HELP},
	{UI_ACT_SUBMIT, {UI_K_F(2)}, ON(CRISIS), UI_S_K_SAVE_REF, UI_S_K_SAVE_REF_HELP},
	{UI_ACT_CLOSE_ALERT, {UI_K_F(8)}, ON(CRISIS), UI_S_K_CLOSE_ALERT, UI_S_K_CLOSE_ALERT_HELP},
	{UI_ACT_UP, {UI_K_UP}, ON(CRISIS), UI_S_K_SCROLL, UI_S_K_SCROLL_HELP},
	{UI_ACT_DOWN, {UI_K_DOWN}, ON(CRISIS), UI_S_K_SCROLL, UI_S_K_SCROLL_HELP},
	{UI_ACT_PGUP, {UI_K_PGUP}, ON(CRISIS), NOLABEL, UI_S_K_PAGE_HELP},
	{UI_ACT_PGDN, {UI_K_PGDN}, ON(CRISIS), NOLABEL, UI_S_K_PAGE_HELP},
	/* a question */
	{UI_ACT_YES, {'y'}, ON(CONFIRM), UI_S_K_YES, UI_S_K_YES_HELP},
	{UI_ACT_NO, {'n', UI_K_ESC}, ON(CONFIRM), UI_S_K_NO, UI_S_K_NO_HELP},
	/* everywhere */
	{UI_ACT_BACK, {UI_K_ESC},
	 ON(SETTINGS) | ON(PASSWD) | ON(HELP) | ON(VISIT) | ON(RUNNER) | ON(CRISIS), UI_S_K_BACK,
	 UI_S_K_BACK_HELP},
	{UI_ACT_LOCK, {UI_K_F(12), UI_CTRL('L')}, LISTS | ON(PASSWD) | ON(RUNNER) | ON(CRISIS),
	 UI_S_K_LOCK, UI_S_K_LOCK_HELP},
	{UI_ACT_QUIT, {'q', UI_K_F(10)}, LISTS, UI_S_K_QUIT, UI_S_K_QUIT_HELP},
	{UI_ACT_QUIT, {UI_K_F(10)}, TEXT, UI_S_K_QUIT, UI_S_K_QUIT_HELP},
	/* editing a text field */
	{UI_ACT_LEFT, {UI_K_LEFT}, TEXT, NOLABEL, UI_S_K_EDIT_MOVE_HELP},
	{UI_ACT_RIGHT, {UI_K_RIGHT}, TEXT, NOLABEL, UI_S_K_EDIT_MOVE_HELP},
	{UI_ACT_TEXT_HOME, {UI_K_HOME, UI_CTRL('A')}, TEXT, NOLABEL, UI_S_K_EDIT_ENDS_HELP},
	{UI_ACT_TEXT_END, {UI_K_END, UI_CTRL('E')}, TEXT, NOLABEL, UI_S_K_EDIT_ENDS_HELP},
	{UI_ACT_TEXT_ERASE, {UI_K_BACKSPACE}, TEXT, NOLABEL, UI_S_K_EDIT_ERASE_HELP},
	{UI_ACT_TEXT_DELETE, {UI_K_DELETE}, TEXT, NOLABEL, UI_S_K_EDIT_DELETE_HELP},
	{UI_ACT_TEXT_CLEAR, {UI_CTRL('U')}, TEXT, NOLABEL, UI_S_K_EDIT_CLEAR_HELP},
};

#define NROWS (sizeof table / sizeof table[0])

const ui_binding *ui_bindings(size_t *n)
{
	*n = NROWS;
	return table;
}

const ui_binding *ui_binding_for(ui_screen_id scr, int key)
{
	for (size_t i = 0; i < NROWS; i++) {
		if (!(table[i].screens & UI_ON(scr)))
			continue;
		for (const int *k = table[i].keys; *k; k++)
			if (*k == key)
				return &table[i];
	}
	return NULL;
}

int ui_binding_shown(const ui_binding *b, ui_screen *sc)
{
	if (!(b->screens & UI_ON(sc->ops->id)))
		return 0;
	if (b->action == UI_ACT_LOCK && !sc->u->store)
		return 0;
	/* the supervisor's keys, in a supervisor's store only */
	if ((b->action == UI_ACT_INBOX || b->action == UI_ACT_REPORTS) &&
	    (!sc->u->store || fv_store_role(sc->u->store) != FV_ROLE_SUPERVISOR))
		return 0;
	return !sc->ops->can || sc->ops->can(sc, b->action);
}

/* ------------------------------------------------------------------ */
/* Key names                                                           */

static const struct {
	int key;
	const char *name;
} names[] = {
	{UI_K_ENTER, "Enter"}, {UI_K_ESC, "Esc"}, {UI_K_TAB, "Tab"}, {UI_K_BTAB, "Shift-Tab"},
	{UI_K_BACKSPACE, "Backspace"}, {UI_K_DELETE, "Delete"}, {UI_K_UP, "Up"},
	{UI_K_DOWN, "Down"}, {UI_K_LEFT, "Left"}, {UI_K_RIGHT, "Right"}, {UI_K_HOME, "Home"},
	{UI_K_END, "End"}, {UI_K_PGUP, "PgUp"}, {UI_K_PGDN, "PgDn"}, {' ', "Space"},
	{UI_K_F(1), "F1"}, {UI_K_F(2), "F2"}, {UI_K_F(3), "F3"}, {UI_K_F(4), "F4"},
	{UI_K_F(5), "F5"}, {UI_K_F(6), "F6"}, {UI_K_F(7), "F7"}, {UI_K_F(8), "F8"},
	{UI_K_F(9), "F9"}, {UI_K_F(10), "F10"}, {UI_K_F(11), "F11"}, {UI_K_F(12), "F12"},
};

const char *ui_key_name(int key, char buf[16])
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].key == key)
			return names[i].name;
	if (key > 0 && key < 0x20) {
		snprintf(buf, 16, "Ctrl-%c", '@' + key);
	} else if (key > 0 && key < 0x110000) {
		fv_buf b;
		fv_buf_init(&b);
		fv_utf8_put(&b, (uint32_t)key);
		snprintf(buf, 16, "%s", b.s);
		fv_buf_release(&b);
	} else {
		snprintf(buf, 16, "?");
	}
	return buf;
}

int ui_key_parse(const char *name)
{
	uint32_t cp;
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i].name, name) == 0)
			return names[i].key;
	if (strncmp(name, "Ctrl-", 5) == 0 && name[5] >= 'A' && name[5] <= 'Z' && !name[6])
		return UI_CTRL(name[5]);
	if (n && fv_utf8_decode(name, n, &cp) == n && cp != 0xFFFD && cp > 0x20)
		return (int)cp;
	return 0;
}

int ui_key_is_text(int key)
{
	return key >= 0x20 && key != 0x7f && !(key >= 0x80 && key < 0xa0) && key < 0x110000;
}

void ui_binding_keys(const ui_binding *b, fv_buf *out)
{
	char buf[16];
	for (const int *k = b->keys; *k; k++)
		fv_buf_addf(out, "%s%s", k == b->keys ? "" : ", ", ui_key_name(*k, buf));
}

ui_str ui_screen_title(ui_screen_id scr)
{
	static const ui_str titles[] = {
		UI_S_TITLE_UNLOCK, UI_S_TITLE_LOCK, UI_S_TITLE_HOME, UI_S_TITLE_SETTINGS,
		UI_S_TITLE_PASSWD, UI_S_TITLE_HELP, UI_S_TITLE_CONFIRM,
		/* today, people, person */
		UI_S_TITLE_PEOPLE, UI_S_TITLE_FIND, UI_S_TITLE_PERSON, UI_S_TITLE_ARCHIVE,
		/* the visit flow */
		UI_S_TITLE_VISIT, UI_S_TITLE_RUNNER, UI_S_TITLE_CRISIS,
		/* sync */
		UI_S_TITLE_SYNC, UI_S_TITLE_FOLDER,
		/* the supervisor */
		UI_S_TITLE_INBOX, UI_S_TITLE_REVIEW, UI_S_TITLE_RETURN, UI_S_TITLE_REPORTS,
	};
	_Static_assert(sizeof titles / sizeof titles[0] == UI_NSCREENS, "a title per screen");
	return titles[scr];
}

/* ------------------------------------------------------------------ */
/* The man page                                                        */

/* Text for roff: a leading dot or quote escaped, '-' and '\' escaped. */
static void roff(FILE *fp, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", fp);
	for (; *s; s++) {
		if (*s == '-')
			fputs("\\-", fp);
		else if (*s == '\\')
			fputs("\\e", fp);
		else
			fputc(*s, fp);
	}
}

int fv_ui_man_keys(FILE *fp)
{
	char *dir = fv_cli_assets_dir("i18n");
	ui_catalog *cat;
	fv_errors err;
	fv_errors_init(&err);
	if (ui_catalog_load(dir, &cat, &err) != FV_OK) {
		int rc = fv_cli_fail(FV_EIO, &err);
		fv_errors_release(&err);
		free(dir);
		return rc;
	}
	free(dir);
	fv_errors_release(&err);

	fputs(".SH KEYS\n"
	      ".\\\" Made by 'make man-keys' from src/ui/actions.c and assets/i18n/ui.en.tsv:\n"
	      ".\\\" edit those, not this section.\n"
	      "The bottom line of every screen shows its main keys;\n"
	      ".B ?\n"
	      "(or\n"
	      ".B F1\n"
	      "where typing goes into a field) shows all of them.\n"
	      "Each key below works on the screens named after it.\n", fp);
	/* rows next to each other with the same sentence on the same screens
	 * are one entry */
	for (size_t i = 0; i < NROWS;) {
		size_t j = i + 1;
		unsigned screens = table[i].screens;
		while (j < NROWS && table[j].help == table[i].help && table[j].screens == screens)
			j++;
		fputs(".TP\n", fp);
		int first = 1, seen[16];
		size_t nseen = 0;
		for (size_t r = i; r < j; r++)
			for (const int *k = table[r].keys; *k; k++) {
				char buf[16];
				size_t d = 0;
				while (d < nseen && seen[d] != *k)
					d++;
				if (d < nseen || nseen == sizeof seen / sizeof seen[0])
					continue;
				seen[nseen++] = *k;
				fputs(first ? "" : "\\fR, ", fp);
				fputs("\\fB", fp);
				roff(fp, ui_key_name(*k, buf));
				first = 0;
			}
		fputs("\\fR\n", fp);
		roff(fp, ui_catalog_text(cat, UI_EN, table[i].help));
		fputs("\n(", fp);
		first = 1;
		for (int s = 0; s < UI_NSCREENS; s++)
			if (screens & UI_ON(s)) {
				fputs(first ? "" : ", ", fp);
				roff(fp, ui_catalog_text(cat, UI_EN, ui_screen_title((ui_screen_id)s)));
				first = 0;
			}
		fputs(")\n", fp);
		i = j;
	}
	ui_catalog_free(cat);
	return 0;
}
