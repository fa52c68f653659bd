/*
 * fieldvisit screens: the terminal program field workers see (ncurses,
 * src/ui/).  The only module that includes curses.h.  It reaches the store,
 * the forms and the rules through their headers only.
 */
#ifndef FIELDVISIT_UI_H
#define FIELDVISIT_UI_H

#include <stdio.h>

typedef struct fv_ui_opts {
	/* the store to open; NULL: the stores of the default folder
	 * ($XDG_DATA_HOME/fieldvisit), listed on the unlock screen */
	const char *store;
	/* "zh" or "en"; NULL: the language saved for the store, else the last
	 * one chosen on this laptop, else Chinese */
	const char *lang;
	/* 1: a throwaway store of fictional people in a new private folder,
	 * its passphrase shown on the unlock screen, removed on exit */
	int demo;
} fv_ui_opts;

/*
 * Run the screens on the terminal until the user quits.  Standard input
 * and output must be a terminal: otherwise prints "fieldvisit: the screens
 * need a terminal ..." and returns 2.  Data files that cannot be read (the
 * rule tables, the screen texts of assets/i18n/) are reported before the
 * screen starts.  Returns the exit code: 0, 2 (no usable terminal, a bad
 * option value), 4 (data files, the demo store).
 */
int fv_ui_main(const fv_ui_opts *o);

/*
 * Print the KEYS section of fieldvisit(1) (roff, from ".SH KEYS" to the
 * end of the section) made from the screens' action table and the English
 * texts.  Returns the exit code (4 when the texts cannot be read).
 */
int fv_ui_man_keys(FILE *fp);

#endif
