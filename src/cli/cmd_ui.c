/*
 * fieldvisit [--demo] [--lang zh|en] [--store PATH]
 *
 * No command: the screens (src/ui/), for a person at a terminal.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/ui.h"

int fv_cmd_ui(int argc, char **argv)
{
	static const struct option opts[] = {
		{"demo", no_argument, NULL, 'd'},
		{"lang", required_argument, NULL, 'l'},
		{"store", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	fv_ui_opts o = {NULL, NULL, 0};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o.demo = 1; break;
		case 'l': o.lang = optarg; break;
		case 's': o.store = optarg; break;
		default: return fv_cli_bad_option("fieldvisit", c, argv);
		}
	}
	if (optind < argc) {
		fv_cli_error("unexpected argument '%s': --demo, --lang and --store start the"
			     " screens (see 'fieldvisit --help')", argv[optind]);
		return 2;
	}
	if (o.lang && strcmp(o.lang, "zh") != 0 && strcmp(o.lang, "en") != 0) {
		fv_cli_error("--lang is zh or en, not '%s'", o.lang);
		return 2;
	}
	if (!o.store && !o.demo && getenv("FIELDVISIT_STORE") && *getenv("FIELDVISIT_STORE"))
		o.store = getenv("FIELDVISIT_STORE");
	if (o.demo && o.store) {
		fv_cli_error("--demo makes a store of its own: it takes no --store");
		return 2;
	}
	return fv_ui_main(&o);
}

int fv_cmd_ui_keys_man(int argc, char **argv)
{
	if (argc > 1)
		return fv_cli_unexpected("ui-keys-man", "", argv[1]);
	return fv_ui_man_keys(stdout);
}
