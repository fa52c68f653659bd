/*
 * fieldvisit passwd [--store PATH] [--passphrase-file FILE]
 *                   [--new-passphrase-file FILE]
 * fieldvisit recover --recovery-key FILE [--store PATH]
 *                    [--new-passphrase-file FILE]
 *
 * Both end by rewrapping the master key with a new passphrase: the data
 * is not touched.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/store.h"
#include "fieldvisit/vault.h"

static void passwd_usage(FILE *fp)
{
	fputs("Usage: fieldvisit passwd [--store PATH] [--passphrase-file FILE]\n"
	      "                         [--new-passphrase-file FILE]\n"
	      "\n"
	      "Change the passphrase of a store.  Asks for the current passphrase\n"
	      "(FIELDVISIT_PASSPHRASE or --passphrase-file give it), then for the new one\n"
	      "twice (FIELDVISIT_NEW_PASSPHRASE or --new-passphrase-file give it once).\n"
	      "The old passphrase stops working.  Prints the paths of the key files.\n"
	      "\n"
	      "  --store PATH                the store (see 'fieldvisit --help')\n"
	      "  --passphrase-file FILE      the current passphrase (first line of FILE)\n"
	      "  --new-passphrase-file FILE  the new passphrase (first line of FILE)\n"
	      "  -h, --help                  show this help\n",
	      fp);
}

static void recover_usage(FILE *fp)
{
	fputs("Usage: fieldvisit recover --recovery-key FILE [--store PATH]\n"
	      "                          [--new-passphrase-file FILE]\n"
	      "\n"
	      "Open a store whose passphrase is lost with its recovery key (the file\n"
	      "'fieldvisit init' wrote), and set a new passphrase: asked twice, or given\n"
	      "once by FIELDVISIT_NEW_PASSPHRASE or --new-passphrase-file.  Prints the\n"
	      "paths of the key files.\n"
	      "\n"
	      "  --recovery-key FILE         the recovery key\n"
	      "  --store PATH                the store (see 'fieldvisit --help')\n"
	      "  --new-passphrase-file FILE  the new passphrase (first line of FILE)\n"
	      "  -h, --help                  show this help\n",
	      fp);
}

fv_status fv_cli_set_passphrase(fv_store *s, const char *pass, const vault_pwcost *cost,
				const char *action, int *changed, fv_errors *err)
{
	fv_status st = fv_store_passwd(s, pass, *cost, err);
	*changed = st == FV_OK;
	if (st == FV_OK)
		st = fv_store_audit_note(s, action, NULL, NULL, err);
	return st;
}

/* Set a new passphrase on the open store s and audit it as action.
 * Returns the exit code. */
static int set_passphrase(fv_store *s, const char *new_file, const char *action)
{
	vault_pwcost cost;
	fv_errors err;
	fv_status st;
	char *pass = NULL;
	int changed;
	int rc = fv_cli_new_passphrase(new_file, "--new-passphrase-file",
				       "FIELDVISIT_NEW_PASSPHRASE", "New passphrase: ", &pass);
	if (rc == 0)
		rc = fv_cli_pwcost(&cost);
	if (rc != 0) {
		fv_cli_passphrase_free(pass);
		return rc;
	}
	fv_errors_init(&err);
	st = fv_cli_set_passphrase(s, pass, &cost, action, &changed, &err);
	fv_cli_passphrase_free(pass);
	if (changed)
		printf("%s.keys\n%s.keys.bak\n", fv_store_path(s), fv_store_path(s));
	if (st != FV_OK) {
		rc = fv_cli_fail(st, &err);
		/* the passphrase has changed whatever happens now: say so */
		if (changed)
			fv_cli_error("the passphrase was changed, but the audit log could not record it");
	}
	fv_errors_release(&err);
	return rc;
}

enum { O_STORE = 256, O_PASSFILE, O_NEWFILE, O_RECOVERY };

int fv_cmd_passwd(int argc, char **argv)
{
	static const struct option opts[] = {
		{"store", required_argument, NULL, O_STORE},
		{"passphrase-file", required_argument, NULL, O_PASSFILE},
		{"new-passphrase-file", required_argument, NULL, O_NEWFILE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	fv_cli_store_opts so = {NULL, NULL};
	const char *new_file = NULL;
	fv_store *s;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case O_STORE: so.store = optarg; break;
		case O_PASSFILE: so.passphrase_file = optarg; break;
		case O_NEWFILE: new_file = optarg; break;
		case 'h': passwd_usage(stdout); return 0;
		default: return fv_cli_bad_option("passwd", c, argv);
		}
	}
	if (optind < argc)
		return fv_cli_unexpected("passwd", "passwd", argv[optind]);
	if ((rc = fv_cli_open_store(&so, &s)) != 0)
		return rc;
	rc = set_passphrase(s, new_file, "passwd");
	fv_store_close(s);
	return rc;
}

int fv_cmd_recover(int argc, char **argv)
{
	static const struct option opts[] = {
		{"recovery-key", required_argument, NULL, O_RECOVERY},
		{"store", required_argument, NULL, O_STORE},
		{"new-passphrase-file", required_argument, NULL, O_NEWFILE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	fv_cli_store_opts so = {NULL, NULL};
	const char *new_file = NULL, *key = NULL;
	uint8_t sk[VAULT_BOX_SK_BYTES], pk[VAULT_BOX_PK_BYTES];
	fv_store *s = NULL;
	fv_errors err;
	fv_status st;
	char *path = NULL;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case O_RECOVERY: key = optarg; break;
		case O_STORE: so.store = optarg; break;
		case O_NEWFILE: new_file = optarg; break;
		case 'h': recover_usage(stdout); return 0;
		default: return fv_cli_bad_option("recover", c, argv);
		}
	}
	if (optind < argc)
		return fv_cli_unexpected("recover", "recover", argv[optind]);
	if (!key) {
		fv_cli_error("recover: give --recovery-key (see 'fieldvisit recover --help')");
		return 2;
	}
	if ((rc = fv_cli_store_path(&so, &path)) != 0)
		return rc;
	if (vault_init() != FV_OK) {
		fv_cli_error("cannot start the cipher library");
		free(path);
		return 4;
	}
	fv_errors_init(&err);
	st = vault_recovery_load(key, sk, pk, &err);
	if (st == FV_OK)
		st = fv_store_open_recovery(path, sk, &s, &err);
	vault_wipe(sk, sizeof sk);
	if (st == FV_OK)
		st = fv_store_audit_note(s, "recover", NULL, NULL, &err);
	if (st != FV_OK)
		rc = fv_cli_fail(st, &err);
	else
		rc = set_passphrase(s, new_file, "passwd");
	fv_store_close(s);
	fv_errors_release(&err);
	free(path);
	return rc;
}
