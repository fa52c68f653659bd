/*
 * fieldvisit screens: the session.  The screen stack, the main loop (keys
 * through the action table to the screen on top, then to the frame), the
 * idle lock, quitting, and the frame every screen sits in: the title bar,
 * the message line and the help line.
 *
 *   row 0          title bar: fieldvisit, the user, the role, the screen;
 *                  on the right the counts a screen puts there
 *   rows 2..R-3    the screen's body (x from 2, two columns of margin)
 *   row R-2        the message line (until the next key)
 *   row R-1        the help line: the keys of this screen (actions.c)
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/rules.h"
#include "fieldvisit/store.h"
#include "fieldvisit/vault.h"
#include "ui_internal.h"

/* The design size: smaller terminals get a notice instead of a screen. */
#define MIN_ROWS 24
#define MIN_COLS 80

/* ------------------------------------------------------------------ */
/* Texts                                                               */

const char *ui_tr(const ui *u, ui_str s)
{
	return ui_catalog_text(u->cat, u->lang, s);
}

static char *vformat(const ui *u, ui_str s, va_list ap)
{
	const char *args[9];
	size_t n = 0;
	const char *a;
	while (n < 9 && (a = va_arg(ap, const char *)))
		args[n++] = a;
	fv_buf b;
	fv_buf_init(&b);
	ui_format(&b, ui_tr(u, s), args, n);
	return fv_buf_take(&b);
}

char *ui_trf(const ui *u, ui_str s, ...)
{
	va_list ap;
	va_start(ap, s);
	char *text = vformat(u, s, ap);
	va_end(ap);
	return text;
}

void ui_say(ui *u, int error, ui_str s, ...)
{
	va_list ap;
	va_start(ap, s);
	char *text = vformat(u, s, ap);
	va_end(ap);
	/* cut at a character boundary */
	size_t n = strlen(text), keep = 0;
	while (keep < n) {
		uint32_t cp;
		size_t len = fv_utf8_decode(text + keep, n - keep, &cp);
		if (keep + len >= sizeof u->msg)
			break;
		keep += len;
	}
	memcpy(u->msg, text, keep);
	u->msg[keep] = '\0';
	u->msg_error = error;
	free(text);
}

/* ------------------------------------------------------------------ */
/* Drawing                                                             */

void ui_text(ui *u, int y, int x, int w, ui_attr a, const char *s)
{
	size_t cw;
	if (w <= 0 || y < 0 || y >= u->rows || x < 0 || x >= u->cols)
		return;
	if (x + w > u->cols)
		w = u->cols - x;
	size_t n = ui_clip(s, strlen(s), (size_t)w, &cw);
	ui_term_put(u->term, y, x, s, n, a);
	ui_term_fill(u->term, y, x + (int)cw, w - (int)cw, a);
}

void ui_text_right(ui *u, int y, int x, int w, ui_attr a, const char *s)
{
	size_t width = ui_width(s);
	/* too long: drop characters at the left until the rest fits */
	while (width > (size_t)(w > 0 ? w : 0) && *s) {
		uint32_t cp;
		size_t len = fv_utf8_decode(s, strlen(s), &cp);
		width -= (size_t)ui_cp_width(cp);
		s += len;
	}
	if (w <= 0)
		return;
	ui_text(u, y, x, w - (int)width, a, "");
	ui_text(u, y, x + w - (int)width, (int)width, a, s);
}

void ui_number(ui *u, int y, int x, int w, ui_attr a, long n)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%ld", n);
	ui_text_right(u, y, x, w, a, buf);
}

int ui_wrapped(ui *u, const ui_rect *r, int skip, ui_attr a, const char *s)
{
	ui_lines lines;
	ui_lines_init(&lines);
	ui_wrap(s, r->w > 2 ? (size_t)r->w : 2, &lines);
	for (size_t i = (size_t)(skip > 0 ? skip : 0); i < lines.n; i++) {
		int y = r->y + (int)i - skip;
		if (y >= r->y + r->h)
			break;
		char *line = fv_xstrndup(s + lines.start[i], lines.len[i]);
		ui_text(u, y, r->x, r->w, a, line);
		free(line);
	}
	int n = (int)lines.n;
	ui_lines_release(&lines);
	return n;
}

void ui_cursor(ui *u, int y, int x)
{
	u->cursor_y = y;
	u->cursor_x = x;
}

/* The help line: the labelled rows of the top screen, in table order;
 * rows next to each other with the same label are one item ("Up/Down
 * Move").  Only whole items are shown. */
static void draw_help_line(ui *u, ui_screen *sc, int y)
{
	size_t n;
	const ui_binding *t = ui_bindings(&n);
	int x = 1;
	ui_text(u, y, 0, u->cols, UI_NORMAL, "");
	for (size_t i = 0; i < n; i++) {
		if (t[i].label == UI_NSTR || !ui_binding_shown(&t[i], sc))
			continue;
		fv_buf keys;
		char buf[16];
		size_t j = i;
		fv_buf_init(&keys);
		fv_buf_adds(&keys, ui_key_name(t[i].keys[0], buf));
		while (j + 1 < n && t[j + 1].label == t[i].label && ui_binding_shown(&t[j + 1], sc)) {
			j++;
			fv_buf_addf(&keys, "/%s", ui_key_name(t[j].keys[0], buf));
		}
		const char *label = ui_tr(u, t[i].label);
		int kw = (int)ui_width(keys.s), lw = (int)ui_width(label);
		if (x + kw + 1 + lw > u->cols - 1) {
			fv_buf_release(&keys);
			break;
		}
		ui_text(u, y, x, kw, UI_KEY, keys.s);
		ui_text(u, y, x + kw + 1, lw, UI_NORMAL, label);
		x += kw + 1 + lw + 2;
		fv_buf_release(&keys);
		i = j;
	}
}

static void draw_title(ui *u, ui_screen *sc)
{
	fv_buf t;
	fv_buf_init(&t);
	fv_buf_adds(&t, " fieldvisit");
	if (u->demo)
		fv_buf_addf(&t, " · %s", ui_tr(u, UI_S_DEMO_NAME));
	else if (u->store)
		fv_buf_addf(&t, " · %s", fv_store_name(u->store));
	if (u->store)
		fv_buf_addf(&t, " · %s", ui_tr(u, fv_store_role(u->store) == FV_ROLE_SUPERVISOR
						   ? UI_S_ROLE_SUPERVISOR
						   : UI_S_ROLE_WORKER));
	fv_buf_addf(&t, " · %s", ui_tr(u, ui_screen_title(sc->ops->id)));
	int cw = u->store && u->counts[0] ? (int)ui_width(u->counts) + 1 : 0;
	if (cw > u->cols / 2)
		cw = u->cols / 2;
	ui_text(u, 0, 0, u->cols - cw, UI_TITLE, t.s);
	if (cw)
		ui_text_right(u, 0, u->cols - cw, cw, UI_TITLE, u->counts);
	fv_buf_release(&t);
}

static void draw(ui *u)
{
	ui_screen *sc = ui_top(u);
	ui_term_clear(u->term, u->redraw);
	u->redraw = 0;
	u->cursor_y = u->cursor_x = -1;
	if (u->rows < MIN_ROWS || u->cols < MIN_COLS) {
		char rows[16], cols[16], need_r[16], need_c[16];
		snprintf(rows, sizeof rows, "%d", u->rows);
		snprintf(cols, sizeof cols, "%d", u->cols);
		snprintf(need_r, sizeof need_r, "%d", MIN_ROWS);
		snprintf(need_c, sizeof need_c, "%d", MIN_COLS);
		char *text = ui_trf(u, UI_S_TOO_SMALL, need_c, need_r, cols, rows, NULL);
		ui_rect r = {0, 0, u->rows, u->cols};
		ui_wrapped(u, &r, 0, UI_NORMAL, text);
		free(text);
	} else {
		ui_rect body = {2, 2, u->rows - 4, u->cols - 4};
		sc->ops->draw(sc, &body);   /* first: it may set the counts */
		draw_title(u, sc);
		ui_text(u, u->rows - 2, 2, u->cols - 4, u->msg_error ? UI_ERROR : UI_NORMAL, u->msg);
		draw_help_line(u, sc, u->rows - 1);
	}
	ui_term_show(u->term, u->cursor_y, u->cursor_x);
}

void ui_flush(ui *u)
{
	draw(u);
}

void ui_dump(ui *u, fv_buf *out)
{
	ui_term_dump(u->term, out);
}

void ui_resize(ui *u, int rows, int cols)
{
	ui_term_resize(u->term, rows, cols);
	ui_term_size(u->term, &u->rows, &u->cols);
	u->redraw = 1;
}

/* ------------------------------------------------------------------ */
/* The screen stack                                                    */

ui_screen *ui_top(ui *u)
{
	return &u->stack[u->depth - 1];
}

void ui_push(ui *u, const ui_screen_ops *ops, void *arg)
{
	if (u->depth == UI_STACK_MAX)
		abort();   /* a screen pushing screens in a loop: a bug */
	ui_screen *sc = &u->stack[u->depth++];
	sc->ops = ops;
	sc->u = u;
	sc->data = NULL;
	if (ops->open)
		ops->open(sc, arg);
	if (ops->load)
		ops->load(sc);
}

static void close_top(ui *u)
{
	ui_screen *sc = ui_top(u);
	if (sc->ops->close)
		sc->ops->close(sc);
	sc->data = NULL;
	u->depth--;
}

void ui_pop(ui *u)
{
	close_top(u);
	if (u->depth && ui_top(u)->ops->load)
		ui_top(u)->ops->load(ui_top(u));
}

void ui_replace(ui *u, const ui_screen_ops *ops, void *arg)
{
	close_top(u);
	ui_push(u, ops, arg);
}

/* ------------------------------------------------------------------ */
/* Store, lock, language, quit                                         */

void ui_set_lang(ui *u, ui_lang l, int save)
{
	fv_errors err;
	u->lang = l;
	if (!save)
		return;
	fv_errors_init(&err);
	char *name = ui_store_name(u->store_path ? u->store_path : "");
	if (ui_config_set_lang(u->config_path, name, l, &err) == FV_OK)
		ui_say(u, 0, UI_S_SET_LANG_SAVED, ui_tr(u, l == UI_ZH ? UI_S_LANG_ZH : UI_S_LANG_EN),
		       NULL);
	else
		ui_say(u, 1, UI_S_SET_SAVE_FAILED, err.n ? err.lines[0] : "", NULL);
	free(name);
	fv_errors_release(&err);
}

static fv_status open_store(ui *u, const char *path, const char *pass, fv_errors *err)
{
	fv_store *s;
	fv_status st = fv_store_open(path, pass, &s, err);
	if (st != FV_OK)
		return st;
	/* best effort, as the command line: a full disk must not keep the
	 * worker from reading her data */
	fv_errors aerr;
	fv_errors_init(&aerr);
	(void)!fv_store_audit_note(s, "unlock", NULL, NULL, &aerr);
	fv_errors_release(&aerr);
	u->store = s;
	/* the rule tables the supervisor sent down, when the store has them,
	 * else those of the assets folder loaded at start */
	fv_rules *r = NULL;
	fv_errors rerr;
	fv_errors_init(&rerr);
	if (fv_store_rules(s, &r, &rerr) == FV_OK && r) {
		fv_rules_free(u->rules);
		u->rules = r;
	}
	fv_errors_release(&rerr);
	if (!u->store_path || strcmp(u->store_path, path) != 0) {
		free(u->store_path);
		u->store_path = fv_xstrdup(path);
	}
	ui_lang l;
	char *name = ui_store_name(path);
	if (!u->lang_forced && ui_config_lang(u->config_path, name, &l))
		u->lang = l;
	free(name);
	u->redraw = 1;
	return FV_OK;
}

int ui_unlock(ui *u, const char *path, ui_field *pass)
{
	fv_errors err;
	if (!pass->len) {
		ui_say(u, 1, UI_S_UNLOCK_EMPTY, NULL);
		return 0;
	}
	ui_say(u, 0, UI_S_UNLOCK_OPENING, NULL);
	ui_flush(u);
	fv_store_prefetch(path);   /* while the key is derived */
	fv_errors_init(&err);
	fv_status st = open_store(u, path, pass->text, &err);
	ui_field_clear(pass);
	if (st == FV_OK)
		u->msg[0] = '\0';
	else if (st == FV_EPASS)
		ui_say(u, 1, UI_S_UNLOCK_WRONG, NULL);
	else if (st == FV_EBUSY)
		ui_say(u, 1, UI_S_UNLOCK_BUSY, NULL);
	else
		ui_say(u, 1, UI_S_UNLOCK_FAILED, err.n ? err.lines[0] : "", NULL);
	fv_errors_release(&err);
	return st == FV_OK;
}

void ui_lock(ui *u)
{
	if (!u->store)
		return;
	for (int i = 0; i < u->depth; i++)
		if (u->stack[i].ops->drop)
			u->stack[i].ops->drop(&u->stack[i]);
	fv_store_close(u->store);   /* wipes its keys */
	u->store = NULL;
	u->msg[0] = '\0';
	ui_push(u, &ui_scr_lock, NULL);
}

static void quit_now(ui *u)
{
	u->quit = 1;
}

/* q: quit, after a question when a screen holds work that is not
 * finished, or when quitting deletes the demo store. */
static void ask_quit(ui *u)
{
	static const ui_confirm_arg form = {UI_S_QUIT_FORM, quit_now};
	static const ui_confirm_arg demo = {UI_S_QUIT_DEMO, quit_now};
	for (int i = 0; i < u->depth; i++)
		if (u->stack[i].ops->busy && u->stack[i].ops->busy(&u->stack[i])) {
			ui_push(u, &ui_scr_confirm, (void *)&form);
			return;
		}
	if (u->demo)
		ui_push(u, &ui_scr_confirm, (void *)&demo);
	else
		u->quit = 1;
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */

static void dispatch(ui *u, int key)
{
	ui_screen *sc = ui_top(u);
	const ui_binding *b = ui_binding_for(sc->ops->id, key);
	ui_action act = b && ui_binding_shown(b, sc) ? b->action : UI_ACT_NONE;
	if (sc->ops->key(sc, key, act))
		return;
	switch (act) {
	case UI_ACT_QUIT: ask_quit(u); break;
	case UI_ACT_BACK:
		if (u->depth > 1)
			ui_pop(u);
		break;
	case UI_ACT_HELP: ui_push(u, &ui_scr_help, NULL); break;
	case UI_ACT_LOCK: ui_lock(u); break;
	/* the supervisor's screens, from Today (shown in a supervisor's
	 * store only: ui_binding_shown) */
	case UI_ACT_INBOX: ui_push(u, &ui_scr_inbox, NULL); break;
	case UI_ACT_REPORTS: ui_push(u, &ui_scr_reports, NULL); break;
	default: {
		char buf[16];
		if (key != UI_K_UNKNOWN)
			ui_say(u, 1, UI_S_KEY_UNKNOWN, ui_key_name(key, buf), NULL);
	}
	}
}

static void loop(ui *u)
{
	int lock_min = fv_rules_lock_minutes(u->rules);
	while (!u->quit && u->depth > 0) {
		draw(u);
		int key = u->input->next(u->input, u);
		if (key == UI_K_EOF)
			break;
		if (key == UI_K_RESIZE) {
			ui_term_size(u->term, &u->rows, &u->cols);
			u->redraw = 1;
			continue;
		}
		/* idle too long: lock first; the key that finds the screen
		 * locked is not applied to what was under it */
		double now = fv_clock_now();
		if (u->store && lock_min > 0 && now - u->last_key >= lock_min * 60.0) {
			char m[16];
			snprintf(m, sizeof m, "%d", lock_min);
			ui_lock(u);
			ui_say(u, 0, UI_S_LOCK_IDLE, m, NULL);
			u->last_key = now;
			continue;
		}
		if (key == UI_K_TICK)
			continue;
		u->last_key = now;
		u->msg[0] = '\0';
		dispatch(u, key);
	}
}

/* ------------------------------------------------------------------ */
/* The terminal as input; start and end                                */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static int term_next(ui_input *in, ui *u)
{
	(void)in;
	if (got_signal)
		return UI_K_EOF;
	int key = ui_term_key(u->term, 1000);
	return got_signal ? UI_K_EOF : key;
}

static ui_input term_input = {term_next};

static char *assets_sub(const ui_env *env, const char *sub)
{
	return env->assets ? fv_xasprintf("%s/%s", env->assets, sub) : fv_cli_assets_dir(sub);
}

static void release(ui *u)
{
	while (u->depth)
		close_top(u);
	fv_store_close(u->store);
	ui_term_close(u->term);
	fv_rules_free(u->rules);
	ui_catalog_free(u->cat);
	fv_cli_store_list_free(u->stores, u->nstores);
	free(u->store_dir);
	free(u->store_path);
	free(u->config_path);
	free(u->protocols);
}

int ui_run(const ui_env *env)
{
	ui U, *u = &U;
	fv_errors err;
	fv_status st;
	int rc = 0;

	memset(u, 0, sizeof *u);
	fv_errors_init(&err);
	char *dir = assets_sub(env, "i18n");
	st = ui_catalog_load(dir, &u->cat, &err);
	free(dir);
	if (st == FV_OK) {
		dir = assets_sub(env, "rules");
		st = fv_rules_load_dir(dir, &u->rules, &err);
		free(dir);
	}
	if (st != FV_OK) {
		rc = fv_cli_fail(FV_EIO, &err);
		goto out;
	}
	u->protocols = assets_sub(env, "protocols");
	u->demo = env->demo_pass != NULL;
	u->demo_pass = env->demo_pass;
	u->config_path = env->config_path ? fv_xstrdup(env->config_path) : ui_config_path();
	if (env->store) {
		struct stat sb;
		if (stat(env->store, &sb) != 0) {
			fv_cli_error("%s: %s", env->store,
				     errno == ENOENT ? "no such store" : strerror(errno));
			rc = 4;
			goto out;
		}
		u->stores = fv_xcalloc(1, sizeof *u->stores);
		u->stores[0] = fv_xstrdup(env->store);
		u->nstores = 1;
	} else {
		u->store_dir = env->store_dir ? fv_xstrdup(env->store_dir) : fv_cli_store_dir();
		fv_cli_store_list(u->store_dir, &u->stores, &u->nstores);
	}
	/* the language: --lang, else the one saved for the store (when there
	 * is one to open), else the last one chosen here, else Chinese */
	u->lang = UI_ZH;
	if (env->lang) {
		if (!ui_lang_parse(env->lang, &u->lang)) {
			fv_cli_error("--lang is zh or en, not '%s'", env->lang);
			rc = 2;
			goto out;
		}
		u->lang_forced = 1;
	} else {
		char *name = u->nstores == 1 ? ui_store_name(u->stores[0]) : NULL;
		if (!name || !ui_config_lang(u->config_path, name, &u->lang))
			ui_config_lang(u->config_path, NULL, &u->lang);
		free(name);
	}
	if (!(u->term = ui_term_open(env->rows, env->cols, &err))) {
		rc = fv_cli_fail(FV_EUSAGE, &err);
		goto out;
	}
	u->input = env->input ? env->input : &term_input;
	ui_term_size(u->term, &u->rows, &u->cols);
	u->last_key = fv_clock_now();
	ui_push(u, &ui_scr_unlock, NULL);
	loop(u);
out:
	release(u);
	fv_errors_release(&err);
	return rc;
}

int fv_ui_main(const fv_ui_opts *o)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction act, saved[sizeof sigs / sizeof sigs[0]];
	char *demo_dir = NULL, *demo_store = NULL;
	char pass[32];
	ui_env env;
	int rc;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fv_cli_error("the screens need a terminal, and standard input or output is not"
			     " one: give a command instead (see 'fieldvisit --help')");
		return 2;
	}
	/* the texts are UTF-8: under a locale that is not (LANG unset, C or
	 * POSIX) take C.UTF-8's character types, which every glibc has */
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");
	memset(&env, 0, sizeof env);
	env.store = o->store;
	env.lang = o->lang;
	if (o->demo) {
		const char *tmp = getenv("TMPDIR");
		fv_errors err;
		fv_status st;
		unsigned char r[8];
		demo_dir = fv_xasprintf("%s/fieldvisit-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (vault_init() != FV_OK || !mkdtemp(demo_dir)) {   /* mode 0700 */
			fv_cli_error("cannot make a private folder for the demo store: %s",
				     strerror(errno));
			free(demo_dir);
			return 4;
		}
		/* a passphrase easy to type from the screen: three groups of
		 * four digits */
		vault_random(r, sizeof r);
		snprintf(pass, sizeof pass, "%04u-%04u-%04u", (r[0] << 8 | r[1]) % 10000u,
			 (r[2] << 8 | r[3]) % 10000u, (r[4] << 8 | r[5]) % 10000u);
		fprintf(stderr, "fieldvisit: making a demo store of fictional people in %s\n",
			demo_dir);
		fv_errors_init(&err);
		st = ui_demo_create(demo_dir, "demo", pass, &demo_store, &err);
		if (st != FV_OK) {
			rc = fv_cli_fail(st, &err);
			fv_errors_release(&err);
			ui_demo_remove(demo_dir);
			free(demo_dir);
			return rc;
		}
		fv_errors_release(&err);
		env.store = demo_store;
		env.demo_pass = pass;
	}
	memset(&act, 0, sizeof act);
	sigemptyset(&act.sa_mask);
	act.sa_handler = on_signal;   /* no SA_RESTART: a signal ends the wait for a key */
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &act, &saved[i]);

	rc = ui_run(&env);

	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &saved[i], NULL);
	if (demo_dir) {
		vault_wipe(pass, sizeof pass);
		if (ui_demo_remove(demo_dir) != 0)
			fv_cli_error("%s: could not remove the demo store: %s", demo_dir,
				     strerror(errno));
		free(demo_dir);
		free(demo_store);
	}
	if (got_signal)
		raise(got_signal);   /* handlers are back: ends as the signal asked */
	return rc;
}
