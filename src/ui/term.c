/*
 * fieldvisit screens: the terminal.  The only file of the program that
 * includes curses.h: it starts ncursesw on the terminal (or on no terminal,
 * for the tests), puts text in cells, reads keys and reads the screen back.
 */
#include "config.h"

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui_internal.h"

struct ui_term {
	SCREEN *screen;
	FILE *out, *in;     /* headless: /dev/null both ways */
	int color;
};

enum { PAIR_TITLE = 1, PAIR_SELECTED, PAIR_ERROR };

ui_term *ui_term_open(int rows, int cols, fv_errors *err)
{
	ui_term *t = fv_xcalloc(1, sizeof *t);
	const char *no_color = getenv("NO_COLOR");

	if (rows > 0) {
		t->out = fopen("/dev/null", "w");
		t->in = fopen("/dev/null", "r");
		if (t->out && t->in)
			t->screen = newterm("xterm", t->out, t->in);
	} else {
		t->screen = newterm(NULL, stdout, stdin);
	}
	if (!t->screen) {
		const char *term = getenv("TERM");
		fv_errors_add(err, NULL, 0, "cannot use the terminal (TERM=%s)",
			      rows > 0 ? "xterm" : term ? term : "");
		ui_term_close(t);
		return NULL;
	}
	if (rows > 0)
		resize_term(rows, cols);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	/* colour is a help, never needed: NO_COLOR (https://no-color.org)
	 * turns it off, and the tests compare text only */
	if (rows == 0 && has_colors() && !(no_color && *no_color) && start_color() == OK) {
		use_default_colors();
		init_pair(PAIR_TITLE, COLOR_WHITE, COLOR_BLUE);
		init_pair(PAIR_SELECTED, COLOR_BLACK, COLOR_CYAN);
		init_pair(PAIR_ERROR, COLOR_RED, -1);
		t->color = 1;
	}
	return t;
}

void ui_term_close(ui_term *t)
{
	if (!t)
		return;
	if (t->screen) {
		endwin();
		delscreen(t->screen);
	}
	if (t->out)
		fclose(t->out);
	if (t->in)
		fclose(t->in);
	free(t);
}

void ui_term_size(ui_term *t, int *rows, int *cols)
{
	(void)t;
	getmaxyx(stdscr, *rows, *cols);
}

void ui_term_resize(ui_term *t, int rows, int cols)
{
	(void)t;
	resize_term(rows, cols);
}

void ui_term_clear(ui_term *t, int all)
{
	(void)t;
	erase();
	if (all)
		clearok(curscr, TRUE);
}

static void set_attr(ui_term *t, ui_attr a)
{
	attr_t at = A_NORMAL;
	short pair = 0;
	switch (a) {
	case UI_NORMAL: break;
	case UI_TITLE: at = t->color ? A_BOLD : A_REVERSE; pair = PAIR_TITLE; break;
	case UI_SELECTED: at = t->color ? A_NORMAL : A_REVERSE; pair = PAIR_SELECTED; break;
	case UI_KEY: at = A_BOLD; break;
	case UI_ERROR: at = A_BOLD; pair = PAIR_ERROR; break;
	case UI_DIM: at = A_DIM; break;
	case UI_HEADING: at = A_BOLD; break;
	}
	attr_set(at, t->color ? pair : 0, NULL);
}

void ui_term_put(ui_term *t, int y, int x, const char *s, size_t n, ui_attr a)
{
	wchar_t buf[256];
	size_t k = 0;
	set_attr(t, a);
	move(y, x);
	while (n) {
		uint32_t cp;
		size_t len = fv_utf8_decode(s, n, &cp);
		int w = ui_cp_width(cp);
		s += len;
		n -= len;
		if (w == 0)
			continue;
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0xFFFD || wcwidth((wchar_t)cp) < 0)
			cp = '?';
		buf[k++] = (wchar_t)cp;
		if (k == sizeof buf / sizeof buf[0] - 1) {
			addnwstr(buf, (int)k);
			k = 0;
		}
	}
	if (k)
		addnwstr(buf, (int)k);
	attr_set(A_NORMAL, 0, NULL);
}

void ui_term_fill(ui_term *t, int y, int x, int n, ui_attr a)
{
	static const char blanks[] = "                                ";
	while (n > 0) {
		int k = n < (int)sizeof blanks - 1 ? n : (int)sizeof blanks - 1;
		ui_term_put(t, y, x, blanks, (size_t)k, a);
		x += k;
		n -= k;
	}
}

void ui_term_show(ui_term *t, int cursor_y, int cursor_x)
{
	(void)t;
	if (cursor_y >= 0) {
		move(cursor_y, cursor_x);
		curs_set(1);
	} else {
		curs_set(0);
	}
	refresh();
}

int ui_term_key(ui_term *t, int wait_ms)
{
	wint_t ch;
	(void)t;
	timeout(wait_ms);
	int r = get_wch(&ch);
	if (r == ERR)
		return UI_K_TICK;
	if (r == KEY_CODE_YES) {
		switch (ch) {
		case KEY_RESIZE: return UI_K_RESIZE;
		case KEY_ENTER: return UI_K_ENTER;
		case KEY_BTAB: return UI_K_BTAB;
		case KEY_BACKSPACE: return UI_K_BACKSPACE;
		case KEY_DC: return UI_K_DELETE;
		case KEY_UP: return UI_K_UP;
		case KEY_DOWN: return UI_K_DOWN;
		case KEY_LEFT: return UI_K_LEFT;
		case KEY_RIGHT: return UI_K_RIGHT;
		case KEY_HOME: return UI_K_HOME;
		case KEY_END: return UI_K_END;
		case KEY_PPAGE: return UI_K_PGUP;
		case KEY_NPAGE: return UI_K_PGDN;
		default:
			if (ch >= (wint_t)KEY_F(1) && ch <= (wint_t)KEY_F(12))
				return UI_K_F((int)(ch - KEY_F0));
			return UI_K_UNKNOWN;
		}
	}
	switch (ch) {
	case '\r': case '\n': return UI_K_ENTER;
	case 27: return UI_K_ESC;
	case '\t': return UI_K_TAB;
	case 127: case 8: return UI_K_BACKSPACE;
	default: return (int)ch;
	}
}

void ui_term_dump(ui_term *t, fv_buf *out)
{
	int rows, cols;
	(void)t;
	getmaxyx(curscr, rows, cols);
	cchar_t *cells = fv_xcalloc((size_t)cols + 1, sizeof *cells);
	for (int y = 0; y < rows; y++) {
		size_t start = out->len;
		memset(cells, 0, ((size_t)cols + 1) * sizeof *cells);
		if (mvwin_wchnstr(curscr, y, 0, cells, cols) == ERR)
			cells[0] = cells[cols];   /* an empty line */
		/* the cells hold each double-width character once: the text
		 * is as wide as the screen */
		for (int x = 0; x < cols; x++) {
			wchar_t wch[CCHARW_MAX + 1];
			attr_t attrs;
			short pair;
			if (getcchar(&cells[x], wch, &attrs, &pair, NULL) == ERR || !wch[0])
				break;
			for (wchar_t *w = wch; *w; w++)
				fv_utf8_put(out, (uint32_t)*w);
		}
		while (out->len > start && out->s[out->len - 1] == ' ')
			out->len--;
		out->s[out->len] = '\0';
		fv_buf_addc(out, '\n');
	}
	free(cells);
}
