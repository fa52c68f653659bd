/*
 * fieldvisit rules check [DIR]
 *
 * Load every rule table of DIR (default: the rules of the assets folder)
 * as the program does, and list them; or print every problem, one line
 * each, "FILE:LINE: message".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/rules.h"

static void rules_usage(FILE *fp)
{
	fputs("Usage: fieldvisit rules check [DIR]\n"
	      "\n"
	      "Check the rule tables of DIR (visit_frequency.csv, festivals.csv,\n"
	      "satisfaction.csv, callbacks.csv, services.csv, hotlines.csv and\n"
	      "settings.csv) as the program loads them: all or none.  Prints each\n"
	      "table with its version and effective date and exits 0, or one line per\n"
	      "problem and exits 1 (4 when a file cannot be read).\n"
	      "\n"
	      "DIR defaults to $FIELDVISIT_ASSETS_DIR/rules when that is set, else the\n"
	      "source tree's assets/rules for a program run from its build tree, else\n"
	      "the installed rules.  See fieldvisit-rules(5) for the tables.\n"
	      "\n"
	      "  -h, --help  show this help\n",
	      fp);
}

static int rules_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	fv_rules *r;
	fv_errors err;
	char *dir;
	int c, rc = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': rules_usage(stdout); return 0;
		default: return fv_cli_bad_option("rules check", c, argv);
		}
	}
	if (argc - optind > 1)
		return fv_cli_unexpected("rules check", "rules check", argv[optind + 1]);
	dir = optind < argc ? fv_xstrdup(argv[optind]) : fv_cli_assets_dir("rules");
	fv_errors_init(&err);
	fv_status st = fv_rules_load_dir(dir, &r, &err);
	if (st != FV_OK) {
		rc = fv_cli_fail(st, &err);
	} else {
		const char *cells[(FV_RULES_NTABLES + 1) * 3] = {"TABLE", "VERSION", "EFFECTIVE"};
		char effective[FV_RULES_NTABLES][16];
		for (int t = 0; t < FV_RULES_NTABLES; t++) {
			fv_date_format(fv_rules_effective(r, (fv_rules_table)t), effective[t]);
			cells[(t + 1) * 3] = fv_rules_table_name((fv_rules_table)t);
			cells[(t + 1) * 3 + 1] = fv_rules_version(r, (fv_rules_table)t);
			cells[(t + 1) * 3 + 2] = effective[t];
		}
		fv_cli_table(stdout, cells, FV_RULES_NTABLES + 1, 3);
	}
	fv_rules_free(r);
	fv_errors_release(&err);
	free(dir);
	return rc;
}

int fv_cmd_rules(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		rules_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "check") == 0)
		return rules_check(argc - 1, argv + 1);
	fv_cli_error("rules: unknown subcommand '%s' (check)", argv[1]);
	return 2;
}
