/*
 * fieldvisit check [--store PATH] [--passphrase-file FILE]
 *
 * Open the store and run SQLite's integrity check over every page: a page
 * that does not decrypt or a damaged b-tree is reported, one line each.
 */
#include <getopt.h>
#include <stdio.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/store.h"

static void check_usage(FILE *fp)
{
	fputs("Usage: fieldvisit check [--store PATH] [--passphrase-file FILE]\n"
	      "\n"
	      "Check the integrity of a store: every page is read, decrypted and checked.\n"
	      "Prints 'ok' and exits 0, or one line per problem and exits 4.\n"
	      "\n"
	      "  --store PATH            the store (see 'fieldvisit --help')\n"
	      "  --passphrase-file FILE  the passphrase (first line of FILE)\n"
	      "  -h, --help              show this help\n",
	      fp);
}

enum { O_STORE = 256, O_PASSFILE };

int fv_cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"store", required_argument, NULL, O_STORE},
		{"passphrase-file", required_argument, NULL, O_PASSFILE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	fv_cli_store_opts so = {NULL, NULL};
	fv_store *s;
	fv_errors err;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case O_STORE: so.store = optarg; break;
		case O_PASSFILE: so.passphrase_file = optarg; break;
		case 'h': check_usage(stdout); return 0;
		default: return fv_cli_bad_option("check", c, argv);
		}
	}
	if (optind < argc)
		return fv_cli_unexpected("check", "check", argv[optind]);
	if ((rc = fv_cli_open_store(&so, &s)) != 0)
		return rc;
	fv_errors_init(&err);
	fv_status st = fv_store_integrity(s, &err);
	if (st == FV_OK)
		puts("ok");
	else
		rc = fv_cli_fail(st, &err);
	fv_errors_release(&err);
	fv_store_close(s);
	return rc;
}
