/*
 * fieldvisit screens: the framework every screen of src/ui/ is built on.
 *
 *   term.c      the terminal (the only file that includes curses.h): set-up,
 *               drawing cells, reading keys, reading the screen back
 *   text.c      display width, clipping and wrapping of UTF-8 text (pure)
 *   i18n.c      the screen texts of assets/i18n/ui.LANG.tsv (strings.def)
 *   actions.c   THE action table: keys -> actions per screen, the help
 *               line, the help screen and the man page's KEYS section
 *   app.c       the session: screen stack, main loop, lock, quit, frame
 *   field.c     a one-line text field (passphrases, later answers)
 *   config.c    the per-user, non-secret settings file (language)
 *   demo.c      the throwaway demo store of `fieldvisit --demo`
 *   scr_*.c     one file per screen, each a ui_screen_ops
 *
 * Screens never call curses and never read the terminal: they draw with
 * ui_text()/ui_wrapped(), get keys (already mapped to actions) through their
 * ops->key, and read the time with fv_clock_now().  So a test drives the
 * real screens with a key script and a pinned clock (tests/ui/).
 */
#ifndef FV_UI_INTERNAL_H
#define FV_UI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fieldvisit/core.h"
#include "fieldvisit/ui.h"

struct fv_store;
struct fv_rules;
struct fv_sched_item;
struct fv_alert;

/* ================================================================== */
/* Keys                                                                */

/*
 * A key is an int: a character is its code point (> 0; control characters
 * too: Ctrl-L is 12, see UI_CTRL), any other key is one of these (< 0).
 * Enter, Esc, Tab and Backspace always arrive as UI_K_*, never as
 * characters.
 */
enum {
	UI_K_ENTER = -1,
	UI_K_ESC = -2,
	UI_K_TAB = -3,
	UI_K_BTAB = -4,        /* Shift-Tab */
	UI_K_BACKSPACE = -5,
	UI_K_DELETE = -6,
	UI_K_UP = -7,
	UI_K_DOWN = -8,
	UI_K_LEFT = -9,
	UI_K_RIGHT = -10,
	UI_K_HOME = -11,
	UI_K_END = -12,
	UI_K_PGUP = -13,
	UI_K_PGDN = -14,
	/* F1..F12 are UI_K_F(1)..UI_K_F(12): -21..-32 */
	UI_K_RESIZE = -40,     /* the terminal changed size */
	UI_K_TICK = -41,       /* no key came within the wait: time passed */
	UI_K_EOF = -42,        /* no more keys: the terminal or key script ended */
	UI_K_UNKNOWN = -43,    /* a key the program does not know */
};
#define UI_K_F(n) (-20 - (n))
#define UI_CTRL(c) ((c) & 0x1f)

/* The name of a key as the help line and the man page write it: "q",
 * "Enter", "Esc", "Up", "F12", "Ctrl-L", "Space", "?".  buf is used for
 * characters. */
const char *ui_key_name(int key, char buf[16]);
/* The key named name (as ui_key_name writes it, or a single UTF-8
 * character); 0 when it names none. */
int ui_key_parse(const char *name);
/* 1 for a key that types text into a field (a printable character). */
int ui_key_is_text(int key);

/* ================================================================== */
/* Texts                                                               */

typedef enum ui_str {
#define UI_STR(name, key, args) UI_S_##name,
#include "strings.def"
#undef UI_STR
	UI_NSTR
} ui_str;

typedef enum ui_lang { UI_ZH, UI_EN, UI_NLANGS } ui_lang;

const char *ui_lang_code(ui_lang l);                   /* "zh", "en" */
int ui_lang_parse(const char *code, ui_lang *out);     /* 1 when known */

typedef struct ui_catalog ui_catalog;

/*
 * Read dir/ui.zh.tsv and dir/ui.en.tsv: UTF-8 lines "key<TAB>text"
 * ('#' comments and blank lines skipped; \n, \t and \\ in a text are a
 * line break, a tab and a backslash).  Every key of strings.def must be
 * there once with a non-empty text using only its arguments {1}..{N}; an
 * unknown key is an error too.  All problems go to err as FILE:LINE
 * (FV_EINVAL), an unreadable file is FV_EIO.  Free with ui_catalog_free.
 */
FV_MUST_CHECK fv_status ui_catalog_load(const char *dir, ui_catalog **out, fv_errors *err);
void ui_catalog_free(ui_catalog *c);
const char *ui_catalog_text(const ui_catalog *c, ui_lang l, ui_str s);
/*
 * The reports' vocabulary (dir/report.LANG.tsv, optional; read by
 * ui_catalog_load): the words the reports screen shows for a report's
 * own, "title.KIND.TABLE", "col.KIND.COLUMN" or "col.COLUMN", and
 * "code.COLUMN.VALUE" for the codes in text cells.  NULL when the
 * language has none for key.
 */
const char *ui_catalog_word(const ui_catalog *c, ui_lang l, const char *key);
/* The key of s in the files ("home.title"). */
const char *ui_str_key(ui_str s);
/* Append text to out with {1}..{9} replaced by args[0..8] (NULL args
 * count as ""); other braces are kept. */
void ui_format(fv_buf *out, const char *text, const char *const *args, size_t nargs);

/* ================================================================== */
/* Text on a terminal: display width (a Chinese character takes two     */
/* columns), clipping and wrapping at character boundaries              */

/*
 * The columns one code point takes: wcwidth, except that characters the
 * screen must not receive (control characters, invalid bytes, characters
 * wcwidth does not know) are shown as one '?' (1), and zero-width ones
 * (combining marks) are left out (0).  ui_width() sums it over a UTF-8
 * string.
 */
int ui_cp_width(uint32_t cp);
size_t ui_width(const char *s);
/* How many bytes of the longest start of s (n bytes) fit in cols
 * columns, never cutting a character; its width goes to *width (may be
 * NULL). */
size_t ui_clip(const char *s, size_t n, size_t cols, size_t *width);

/* Lines of wrapped text: line i is s[start[i] .. start[i] + len[i]). */
typedef struct ui_lines {
	size_t *start, *len;
	size_t n, cap;
} ui_lines;

/*
 * Wrap s into lines of at most cols columns (cols >= 2): at a line break,
 * else after the last space that fits (Latin words stay whole; the space
 * is dropped), else at any character boundary (Chinese has no spaces).
 * A word longer than a line is cut between characters.  Appends to out
 * (ui_lines_init first).
 */
void ui_wrap(const char *s, size_t cols, ui_lines *out);
void ui_lines_init(ui_lines *l);
void ui_lines_release(ui_lines *l);

/* ================================================================== */
/* Screens and the action table                                        */

/* Every screen, for the action table (one bit each). */
typedef enum ui_screen_id {
	UI_SCR_UNLOCK,
	UI_SCR_LOCK,
	UI_SCR_HOME,
	UI_SCR_SETTINGS,
	UI_SCR_PASSWD,
	UI_SCR_HELP,
	UI_SCR_CONFIRM,
	/* today, people, person */
	UI_SCR_PEOPLE,
	UI_SCR_FIND,
	UI_SCR_PERSON,
	UI_SCR_ARCHIVE,
	/* the visit flow */
	UI_SCR_VISIT,
	UI_SCR_RUNNER,
	UI_SCR_CRISIS,
	/* sync */
	UI_SCR_SYNC,
	UI_SCR_FOLDER,
	/* the supervisor */
	UI_SCR_INBOX,
	UI_SCR_REVIEW,
	UI_SCR_RETURN,
	UI_SCR_REPORTS,
	UI_NSCREENS
} ui_screen_id;
#define UI_ON(id) (1u << (id))
#define UI_ALL ((1u << UI_NSCREENS) - 1)
/* The screens where typing goes into a text field: no binding there may
 * use a printable key (tests/unit/test_ui.c checks it). */
#define UI_TEXT_SCREENS                                                                  \
	(UI_ON(UI_SCR_UNLOCK) | UI_ON(UI_SCR_LOCK) | UI_ON(UI_SCR_PASSWD) | UI_ON(UI_SCR_FIND) | \
	 UI_ON(UI_SCR_ARCHIVE) | UI_ON(UI_SCR_RUNNER) | UI_ON(UI_SCR_CRISIS) | \
	 UI_ON(UI_SCR_FOLDER) | UI_ON(UI_SCR_RETURN))

/* What a key does.  A screen's ops->key gets the action of the key on
 * that screen; what the screen does not handle, the frame does (quit,
 * back, help, lock). */
typedef enum ui_action {
	UI_ACT_NONE,
	UI_ACT_QUIT,        /* leave the program (asks first when work is open) */
	UI_ACT_BACK,        /* back to the screen below, keeping its input */
	UI_ACT_HELP,        /* the keys of this screen */
	UI_ACT_LOCK,        /* lock now */
	UI_ACT_OK,          /* Enter: do the screen's main thing */
	UI_ACT_UP,
	UI_ACT_DOWN,
	UI_ACT_PGUP,
	UI_ACT_PGDN,
	UI_ACT_LEFT,        /* a setting's previous value, the cursor left */
	UI_ACT_RIGHT,
	UI_ACT_NEXT_FIELD,
	UI_ACT_PREV_FIELD,
	UI_ACT_SETTINGS,
	UI_ACT_YES,
	UI_ACT_NO,
	/* text fields */
	UI_ACT_TEXT_HOME,
	UI_ACT_TEXT_END,
	UI_ACT_TEXT_ERASE,  /* the character before the cursor */
	UI_ACT_TEXT_DELETE, /* the character under the cursor */
	UI_ACT_TEXT_CLEAR,
	/* today, people, person */
	UI_ACT_PEOPLE,      /* the list of people */
	UI_ACT_FIND,        /* search the list as you type */
	UI_ACT_HOUSEHOLD,   /* the people of the same household */
	UI_ACT_ARCHIVE,     /* archive a person (moved, died) with a reason */
	UI_ACT_REGISTER,    /* register a new person */
	UI_ACT_VISIT,       /* start a visit of the person */
	/* the visit flow */
	UI_ACT_CHECKOUT,    /* visit: check out */
	UI_ACT_PREV_STEP,   /* runner: the question before */
	UI_ACT_JUMP,        /* runner: the list of questions, to pick one */
	UI_ACT_SUBMIT,      /* runner: submit from the summary; crisis: save */
	UI_ACT_CLOSE_ALERT, /* crisis: close the alert */
	/* sync */
	UI_ACT_SYNC,        /* today: the sync screen */
	UI_ACT_SYNC_WRITE,  /* sync: write the bundle this store owes */
	UI_ACT_SYNC_READ_ALL, /* sync: read every bundle of the folder */
	UI_ACT_SYNC_FOLDER, /* sync: choose the folder */
	/* the supervisor (shown only in a supervisor's store) */
	UI_ACT_INBOX,       /* today: the visits received, to review */
	UI_ACT_REPORTS,     /* today, inbox: the reports */
	UI_ACT_FILTER,      /* inbox: the next state shown */
	UI_ACT_FILTER_FORM, /* inbox: the next form shown (all, then each) */
	UI_ACT_FILTER_DATES, /* inbox: the next range of dates shown */
	UI_ACT_FILTER_ALERTS, /* inbox: only visits with alerts, or all */
	UI_ACT_APPROVE,     /* review: approve the visit */
	UI_ACT_RETURN,      /* review: return it with a comment */
	UI_ACT_NEXT_VISIT,  /* review: the next received visit */
	UI_ACT_KIND,        /* reports: Tab, Shift-Tab, 1..7: another report */
	UI_ACT_PERIOD,      /* reports: a month, a quarter, a year */
} ui_action;

/*
 * One row of the action table: on the screens of the mask, the keys do
 * the action.  label (UI_NSTR: none) is shown on the bottom help line of
 * those screens, in table order; help is the sentence of the help screen
 * and of the man page.  The same action may have several rows (other
 * screens, other keys, another label).
 */
typedef struct ui_binding {
	ui_action action;
	int keys[4];        /* 0-terminated */
	unsigned screens;   /* UI_ON(...) | ... */
	ui_str label;
	ui_str help;
} ui_binding;

typedef struct ui ui;
typedef struct ui_screen ui_screen;

/* The table (src/ui/actions.c), *n rows. */
const ui_binding *ui_bindings(size_t *n);
/* The row of key on screen scr, or NULL. */
const ui_binding *ui_binding_for(ui_screen_id scr, int key);
/* The keys of row b as "Up, Down" into out. */
void ui_binding_keys(const ui_binding *b, fv_buf *out);
/* Whether row b is shown for screen sc (its mask and ops->can). */
int ui_binding_shown(const ui_binding *b, ui_screen *sc);
/* The title of a screen (UI_S_TITLE_*). */
ui_str ui_screen_title(ui_screen_id scr);

/* Where a screen draws: its body, between the title bar and the two
 * bottom lines. */
typedef struct ui_rect {
	int y, x, h, w;
} ui_rect;

/*
 * A screen.  Every member but id, draw and key may be NULL.
 *   open   make sc->data from arg (ui_push's)
 *   load   read from the store what the screen shows: after open, when
 *          the screen is on top again (the one above closed) and after an
 *          unlock.  The store is open whenever load runs (but on unlock).
 *   drop   the program locks: free all it read from the store and wipe
 *          typed secrets; load runs again after the unlock
 *   draw   draw the body (the frame draws the rest)
 *   key    handle key (its action on this screen is act, UI_ACT_NONE when
 *          the table has none); return 1 when handled, 0 to let the frame
 *          handle act
 *   can    0 when act cannot be done on the screen now (Up/Down with one
 *          store to choose from): its row leaves the help line and the
 *          help screen
 *   busy   1 while leaving would abandon work that is not finished (a
 *          form not submitted): quitting then asks first.  Esc never
 *          loses input: a screen with input saves it (a draft) or keeps it
 *          on the stack.
 *   close  free sc->data
 */
typedef struct ui_screen_ops {
	ui_screen_id id;
	void (*open)(ui_screen *sc, void *arg);
	void (*load)(ui_screen *sc);
	void (*drop)(ui_screen *sc);
	void (*draw)(ui_screen *sc, const ui_rect *body);
	int (*key)(ui_screen *sc, int key, ui_action act);
	int (*can)(ui_screen *sc, ui_action act);
	int (*busy)(ui_screen *sc);
	void (*close)(ui_screen *sc);
} ui_screen_ops;

struct ui_screen {
	const ui_screen_ops *ops;
	ui *u;
	void *data;
};

/* The screens (scr_*.c). */
extern const ui_screen_ops ui_scr_unlock, ui_scr_lock, ui_scr_home, ui_scr_settings,
	ui_scr_passwd, ui_scr_help, ui_scr_confirm, ui_scr_visit, ui_scr_runner, ui_scr_crisis;
/* today (ui_scr_home: the screen after unlock), people, person: the arg
 * of people is a household id to show (NULL: everyone), of person and
 * archive a person id; each copies it. */
extern const ui_screen_ops ui_scr_people, ui_scr_find, ui_scr_person, ui_scr_archive;
/* sync (scr_sync.c): bundles written to and read from a folder, their
 * history; folder: the folder to use, typed or a drive found (its arg is
 * the folder now, or NULL) */
extern const ui_screen_ops ui_scr_sync, ui_scr_folder;
/* the supervisor (scr_inbox.c, scr_reports.c): inbox (the visits
 * received, by worker and village), review (one visit; its arg is the
 * visit id), return (the comment of a return; arg the visit id), reports
 * (every kind of fv_report_compute for a month) */
extern const ui_screen_ops ui_scr_inbox, ui_scr_review, ui_scr_return, ui_scr_reports;
/* A bar of value out of max in width columns of block characters
 * (eighths), appended to out; nothing for a value <= 0. */
void ui_bar(double value, double max, int width, fv_buf *out);
/* A progress bar of width columns, "[####......]  40%", appended to out
 * (just the percentage when width is below 8). */
void ui_progress_bar(uint64_t done, uint64_t total, int width, fv_buf *out);

/* The argument of ui_scr_confirm: a question; on yes, yes(u) runs. */
typedef struct ui_confirm_arg {
	ui_str question;
	void (*yes)(ui *u);
} ui_confirm_arg;

/* The visit flow (scr_visit.c, scr_runner.c, scr_crisis.c, scr_register.c) */
/* Start a visit of person (check-in, forms, check-out). */
void ui_visit_start(ui *u, const char *person_id);
/* Resume the draft visit_id in the form runner. */
void ui_draft_resume(ui *u, const char *visit_id);
/* Correct visit_id, returned by the supervisor (or the draft of its next
 * version): the runner on its next version, which keeps the visit's
 * check-in, check-out and services and is submitted from the summary. */
void ui_correct_start(ui *u, const char *visit_id);
/* Register a new person with the register_person form. */
void ui_register_start(ui *u);
/* Show alert_id: its protocol, hotlines, the referral to record. */
void ui_alert_open(ui *u, const char *alert_id);

/* Inside the visit flow */
struct fv_runner;
struct fv_answers;
struct fv_form;
/*
 * Fill form_id (installed in the store) in the runner.  With person, a
 * visit's form: every answer is saved at once as the draft (draft, or a
 * new one made at the first answer) with the check-in checkin, and the
 * summary's submit hands the finished form back to the visit screen
 * below (it stays a draft until the check-out).  Without person, a
 * registration: the answers stay on the screen and submit calls
 * ui_register_submit.
 */
void ui_runner_start(ui *u, const char *form_id, const char *person, const char *checkin,
		     const char *draft);
/* Register the person of the finished register_person filling r: 1 when
 * added (a message says so), else 0 with every problem added to
 * problems as (field, message). */
int ui_register_submit(ui *u, struct fv_runner *r, struct fv_answers *problems);
/* The language of form f to show it in (the screens' language, else the
 * form's default) and its title in that language (a title "Chinese / English"
 * has one part per language). */
int ui_form_lang(const ui *u, const struct fv_form *f);
void ui_form_title(const struct fv_form *f, int lang, fv_buf *out);
/* An alert of kind was raised by an answer: its message and protocol,
 * full screen, at once. */
void ui_crisis_show(ui *u, const char *kind, const char *message);

/* ================================================================== */
/* The session                                                         */

typedef struct ui_term ui_term;
typedef struct ui_input ui_input;
struct ui_field;

/* Where keys come from: the terminal, or a key script in tests. */
struct ui_input {
	/* The next key; UI_K_TICK when none came within about a second. */
	int (*next)(ui_input *in, ui *u);
};

#define UI_STACK_MAX 16
#define UI_MSG_MAX 512

/*
 * The state of one session.  Screens read u->store (NULL while locked or
 * before unlock), u->rules, u->lang, u->demo and may call the functions
 * below; the rest is the frame's.
 */
struct ui {
	ui_term *term;
	ui_input *input;
	ui_catalog *cat;
	ui_lang lang;
	int lang_forced;         /* --lang given: not taken from the settings file */
	struct fv_rules *rules;
	struct fv_store *store;  /* open store, NULL when locked */
	char *store_path;        /* the store chosen or opened (kept while locked) */
	char **stores;           /* unlock: the stores to choose from */
	size_t nstores;
	char *store_dir;         /* where they were looked for */
	const char *demo_pass;   /* demo: the passphrase shown */
	int demo;
	char *config_path;       /* the settings file */
	char *protocols;         /* assets/protocols: the crisis protocols */

	ui_screen stack[UI_STACK_MAX];
	int depth;
	int rows, cols;
	double last_key;         /* fv_clock_now() of the last key */
	int quit;
	int redraw;              /* clear the terminal before the next draw */
	char counts[UI_MSG_MAX]; /* the title bar's right part (screens set it) */
	char msg[UI_MSG_MAX];    /* the message line, until the next key */
	int msg_error;
	int cursor_y, cursor_x;  /* the terminal cursor; -1: hidden */
};

/* What ui_run needs.  fv_ui_main fills it from the options; the tests
 * give a key script, a fixed size and a fixed demo passphrase. */
typedef struct ui_env {
	const char *store;       /* a store to open, NULL: list store_dir */
	const char *store_dir;   /* NULL: fv_cli_store_dir() */
	const char *lang;        /* "zh", "en" or NULL */
	const char *demo_pass;   /* a demo store: its passphrase, shown */
	const char *assets;      /* the assets folder; NULL: fv_cli_assets_dir */
	const char *config_path; /* NULL: ui_config_path() */
	ui_input *input;         /* NULL: the terminal */
	int rows, cols;          /* > 0: no terminal, a screen of this size */
} ui_env;

/*
 * Load the texts and the rules, start the terminal (or the headless
 * screen), run the screens until the user quits or the keys end, close
 * everything (the store too).  Problems before the screen starts are
 * printed as one line each.  Returns the exit code.
 */
int ui_run(const ui_env *env);

/* The screen stack.  push opens ops with arg on top and loads it; pop
 * closes the top and loads the one below; replace does both (the unlock
 * screen becomes the home screen). */
void ui_push(ui *u, const ui_screen_ops *ops, void *arg);
void ui_pop(ui *u);
void ui_replace(ui *u, const ui_screen_ops *ops, void *arg);
ui_screen *ui_top(ui *u);

/* The text of s in the current language. */
const char *ui_tr(const ui *u, ui_str s);
/* The text of s with its arguments (NULL-terminated list of strings);
 * the caller frees. */
char *ui_trf(const ui *u, ui_str s, ...) __attribute__((sentinel));
/* Show s (with arguments, as ui_trf) on the message line until the next
 * key; error shows it as an error. */
void ui_say(ui *u, int error, ui_str s, ...) __attribute__((sentinel));
/* Draw everything now and show it (before a slow step: Argon2). */
void ui_flush(ui *u);

/*
 * Open the store at path with the passphrase typed into pass (the unlock
 * and the lock screens): shows that it is working (Argon2 takes a moment),
 * wipes the field, audits the unlock.  Returns 1 when u->store is open;
 * else 0 with the reason on the message line (wrong passphrase, store in
 * use, a damaged store), ready for another try.
 */
int ui_unlock(ui *u, const char *path, struct ui_field *pass);
/* Lock now: every screen drops its store data, the store is closed (its
 * keys wiped) and the lock screen covers everything.  Nothing when no
 * store is open. */
void ui_lock(ui *u);
/* Set the language of the texts (and save it for the store when save). */
void ui_set_lang(ui *u, ui_lang l, int save);

/* Drawing, in terminal cells (y, x from the top left).  Text is clipped to
 * w columns at a character boundary and padded with blanks to w. */
typedef enum ui_attr {
	UI_NORMAL,
	UI_TITLE,      /* the title bar */
	UI_SELECTED,   /* the line the cursor is on */
	UI_KEY,        /* a key name on the help line */
	UI_ERROR,
	UI_DIM,
	UI_HEADING,
} ui_attr;

void ui_text(ui *u, int y, int x, int w, ui_attr a, const char *s);
/* Right-aligned in w columns (clipped at the left end when too long). */
void ui_text_right(ui *u, int y, int x, int w, ui_attr a, const char *s);
/* A whole number, right-aligned in w columns. */
void ui_number(ui *u, int y, int x, int w, ui_attr a, long n);
/* s wrapped in r (ui_wrap), skipping its first skip lines; returns the
 * number of lines of the whole text. */
int ui_wrapped(ui *u, const ui_rect *r, int skip, ui_attr a, const char *s);
/* Put the terminal cursor there after drawing (a text field). */
void ui_cursor(ui *u, int y, int x);

/* Reading the screen back, as the terminal shows it: rows lines of text
 * (a double-width character once, blanks at the end dropped).  For the
 * tests. */
void ui_dump(ui *u, fv_buf *out);
/* Make the headless screen rows x cols (a key script's resize). */
void ui_resize(ui *u, int rows, int cols);

/* ================================================================== */
/* A one-line text field                                               */

#define UI_FIELD_MAX 1024   /* bytes */

typedef struct ui_field {
	char *text;      /* UTF-8, UI_FIELD_MAX + 1 bytes, wiped on clear/release */
	size_t len;      /* bytes */
	size_t cursor;   /* byte offset, at a character boundary */
	int secret;      /* shown as one '*' per character */
} ui_field;

void ui_field_init(ui_field *f, int secret);
void ui_field_release(ui_field *f);   /* wipes */
void ui_field_clear(ui_field *f);     /* wipes */
/* Type key or do act (UI_ACT_LEFT, RIGHT, TEXT_*); returns 1 when
 * handled. */
int ui_field_key(ui_field *f, int key, ui_action act);
/* Draw "label text" on line y from x, w columns, the field scrolled so
 * that the cursor shows; focus puts the terminal cursor in it. */
void ui_field_draw(ui *u, const ui_field *f, int y, int x, int w, const char *label,
		   int focus);

/* ================================================================== */
/* A list of rows in aligned columns, with a cursor (list.c): today,    */
/* people, person                                                      */

#define UI_LIST_COLS 8

/* A column: its title, the body width from which it is shown (0:
 * always), the widest it grows (0: it takes the rest of the line). */
typedef struct ui_col {
	ui_str title;
	int min_body;
	int max;
	int right;          /* right-aligned (numbers) */
	/* 1: as wide as the widest column of this index marked so in any
	 * group (names and villages line up from section to section) */
	int share;
} ui_col;

/* The columns of a group of rows: rows of one group share widths. */
typedef struct ui_cols {
	const ui_col *col;
	int n;
} ui_cols;

typedef enum ui_row_kind {
	UI_ROW_HEADING,     /* a section's title: cell 0 */
	UI_ROW_TITLES,      /* the titles of the group's columns */
	UI_ROW_TEXT,        /* cells, not selectable */
	UI_ROW_ITEM,        /* cells, selectable */
} ui_row_kind;

typedef struct ui_row {
	ui_row_kind kind;
	int group;                       /* index into ui_list.groups */
	const char *cell[UI_LIST_COLS];  /* NULL: empty; in the list's pool */
	ui_attr attr;
	int tag;                         /* what the row is, for the screen */
	const char *id;                  /* the record it is about (pooled) */
} ui_row;

typedef struct ui_list {
	ui_row *rows;
	size_t n, cap;
	size_t cur;          /* the selected item; n when none */
	size_t top;          /* the first row shown */
	int page;            /* rows shown at the last draw */
	ui_cols groups[8];
	int width[8][UI_LIST_COLS];   /* natural widths (cells and titles) */
	char **pool;         /* strings freed with the list */
	size_t npool, poolcap;
} ui_list;

void ui_list_init(ui_list *l);
/* Empty the list (rows, widths, pool); the groups stay. */
void ui_list_reset(ui_list *l);
void ui_list_release(ui_list *l);
/* Keep s (malloc'ed) until the list is reset; returns it. */
const char *ui_list_keep(ui_list *l, char *s);
/* Append a row: its cells and id are copied into the pool (titles
 * take their texts from u). */
ui_row *ui_list_add(ui_list *l, const ui *u, ui_row_kind kind, int group, int tag,
		    const char *id, const char *const *cells, int ncells);
/* Select the first item (or the item with this id when there is one). */
void ui_list_select(ui_list *l, const char *id);
/* The selected row, or NULL. */
const ui_row *ui_list_current(const ui_list *l);
/* Up, Down, PgUp, PgDn, Home, End: move the cursor (or scroll a list
 * without items).  Returns 1 when act is a move. */
int ui_list_key(ui_list *l, ui_action act);
/* Draw the rows in r, scrolled so that the cursor shows; the selected
 * line is marked with '>' in the margin left of r too. */
void ui_list_draw(ui *u, ui_list *l, const ui_rect *r);

/* ================================================================== */
/* Words of people, schedules and visits (words.c)                     */

/* Today as days since the epoch (from fv_clock_now). */
int32_t ui_today(void);
/* Whole years from birth to day; -1 when birth is not a date. */
int ui_age(const char *birth, int32_t day);
/* A resident ID as a screen shows it: the first 6 and last 4
 * characters, the birth date masked (110105********002X). */
void ui_mask_id(const char *id, char out[64]);
/* The screen name of a category code (UI_NSTR for an unknown code). */
ui_str ui_category_str(const char *code);
/* Space-separated category codes in words, joined as the language
 * joins a list ("only child died, advanced age"); caller frees. */
char *ui_categories(const ui *u, const char *codes);
/* The short name of a form from its title in language l: "NAME_ZH /
 * Home visit" is NAME_ZH in Chinese and "Home visit" in English;
 * "PHQ-9 (Patient Health Questionnaire-9)" is "PHQ-9".  Caller frees. */
char *ui_form_short(const char *title, ui_lang l);
/* Why a schedule item is asked for, in words (as `visit list --due`
 * says it); form is the short name of its form, NULL for the id.  Caller
 * frees. */
char *ui_sched_why(const ui *u, const struct fv_rules *r, const struct fv_sched_item *it,
		   const char *form);
/* Words of states, statuses and kinds (the code itself when unknown). */
const char *ui_sched_state_word(const ui *u, int state);
const char *ui_sched_type_word(const ui *u, int type);
const char *ui_visit_state_word(const ui *u, int state);
const char *ui_status_word(const ui *u, const char *status);
const char *ui_alert_kind_word(const ui *u, const char *kind);
const char *ui_alert_state_word(const ui *u, const char *state);

/*
 * The short names of the installed forms, read when first asked for
 * (fv_store_form_load) and kept until released.
 */
typedef struct ui_forms {
	char **id, **name;
	size_t n;
	ui_lang lang;
	/* alert messages read (ui_alert_message): "FORM\tVERSION\tKIND" */
	char **akey, **atext;
	size_t na;
} ui_forms;
const char *ui_form_name(ui *u, ui_forms *f, const char *form_id);
void ui_forms_release(ui_forms *f);
/*
 * The message of an alert of kind raised by a visit of form form_id
 * (version form_version; NULL or "" the one installed), in the screen's
 * language: the label of the form's calculate alert_<kind>.  stored (the
 * message kept when it was raised, in the language of that filling) when
 * the form or its label is not there.  Kept in f.
 */
const char *ui_alert_message(ui *u, ui_forms *f, const char *form_id, const char *form_version,
			     const char *kind, const char *stored);
/* The same for alert a, reading the form of its visit from the store. */
const char *ui_alert_text(ui *u, ui_forms *f, const struct fv_alert *a);

/* ================================================================== */
/* Settings file and demo store                                        */

/* $XDG_CONFIG_HOME/fieldvisit/ui.conf (or ~/.config/...); caller frees. */
char *ui_config_path(void);
/* The language saved for the store named name (the store file's name
 * without .fv), or with name NULL the last one chosen on this laptop.
 * Returns 1 and sets *out when there is one. */
int ui_config_lang(const char *path, const char *name, ui_lang *out);
/* Save l for store name (and as the last one chosen).  FV_EIO with the
 * reason. */
FV_MUST_CHECK fv_status ui_config_set_lang(const char *path, const char *name, ui_lang l,
					   fv_errors *err);
/* The name of the store at path: its file name without ".fv"; caller
 * frees. */
char *ui_store_name(const char *path);

/*
 * Make the demo store dir/demo.fv (dir exists, private): user name name,
 * passphrase pass with the cheapest Argon2 cost (the store is thrown away
 * and its passphrase is on the screen), the shipped forms, and fictional
 * people and past visits (fv_cli_generate, a fixed seed).  Its recovery
 * key goes to dir too.  *path gets the store's path (caller frees).
 */
FV_MUST_CHECK fv_status ui_demo_create(const char *dir, const char *name, const char *pass,
				       char **path, fv_errors *err);
/* Remove dir and the files in it (a demo folder); 0 on success. */
int ui_demo_remove(const char *dir);

/* ================================================================== */
/* The terminal (term.c)                                               */

/* Start curses on the terminal (rows == 0) or on no terminal with a
 * screen of rows x cols (TERM=xterm, output thrown away).  NULL with a
 * message in err when the terminal cannot be used. */
ui_term *ui_term_open(int rows, int cols, fv_errors *err);
void ui_term_close(ui_term *t);
void ui_term_size(ui_term *t, int *rows, int *cols);
void ui_term_resize(ui_term *t, int rows, int cols);
void ui_term_clear(ui_term *t, int all);   /* all: repaint every cell next time */
/* Put n bytes of UTF-8 at y, x: the caller has clipped them (ui_clip);
 * characters are mapped as ui_cp_width says. */
void ui_term_put(ui_term *t, int y, int x, const char *s, size_t n, ui_attr a);
void ui_term_fill(ui_term *t, int y, int x, int n, ui_attr a);
void ui_term_show(ui_term *t, int cursor_y, int cursor_x);
/* Wait up to wait_ms for a key (UI_K_TICK when none). */
int ui_term_key(ui_term *t, int wait_ms);
void ui_term_dump(ui_term *t, fv_buf *out);

#endif
