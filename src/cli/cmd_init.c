/*
 * fieldvisit init --role worker|supervisor --name NAME [--store PATH]
 *                 [--recovery-key FILE] [--passphrase-file FILE]
 * fieldvisit init --join FILE [--code CODE] [--to DIR] [--name NAME]
 *                 [--store PATH] [--passphrase-file FILE]
 *
 * Creates a store with the shipped forms.  A supervisor's store leads a
 * team: its recovery key pair is the team's, the secret half written to a
 * file kept away from the laptop.  A worker joins a team with the
 * supervisor's invitation: the store's recovery slot is sealed to the
 * team's recovery key, the invitation's forms, rule tables and roster are
 * installed, and a hello bundle for the supervisor is written.  A worker's
 * store made without an invitation gets a recovery key of its own.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/store.h"
#include "fieldvisit/sync.h"
#include "fieldvisit/vault.h"

#define NAME_MAX_CHARS 100

static void init_usage(FILE *fp)
{
	fputs("Usage: fieldvisit init --role worker|supervisor --name NAME [--store PATH]\n"
	      "                       [--recovery-key FILE] [--passphrase-file FILE]\n"
	      "       fieldvisit init --join FILE [--code CODE] [--to DIR] [--name NAME]\n"
	      "                       [--store PATH] [--passphrase-file FILE]\n"
	      "\n"
	      "Create your store: the encrypted database of the people you serve and\n"
	      "their visits, with the shipped forms installed, and a recovery key that\n"
	      "opens it if the passphrase is lost.  Asks for a new passphrase twice\n"
	      "(at least 8 characters) unless FIELDVISIT_PASSPHRASE or --passphrase-file\n"
	      "gives it.  Prints the paths of the files it wrote.\n"
	      "\n"
	      "A supervisor's store leads a team, and its recovery key is the team's.\n"
	      "With --join, a worker joins the team of the supervisor's invitation FILE\n"
	      "(opened with the code the supervisor told you): the store is sealed to the\n"
	      "team's recovery key, gets the invitation's forms, rule tables and roster,\n"
	      "and a hello bundle for the supervisor is written into DIR.  Compare the\n"
	      "fingerprints shown with the supervisor's screen.\n"
	      "\n"
	      "  --role ROLE             worker (collects data) or supervisor\n"
	      "  --name NAME             your name, shown when the store is opened\n"
	      "  --store PATH            where to create it (default:\n"
	      "                          $FIELDVISIT_STORE, else\n"
	      "                          $XDG_DATA_HOME/fieldvisit/NAME.fv)\n"
	      "  --recovery-key FILE     where to write the recovery key (default:\n"
	      "                          fieldvisit-recovery-NAME.key here); never\n"
	      "                          overwritten\n"
	      "  --passphrase-file FILE  read the passphrase from the first line of FILE\n"
	      "  --join FILE             join a team with this invitation\n"
	      "  --code CODE             the invitation's code (else\n"
	      "                          $FIELDVISIT_INVITE_CODE, else asked)\n"
	      "  --to DIR                where to write the hello bundle (default: .)\n"
	      "  -h, --help              show this help\n",
	      fp);
}

/* The user's name, trimmed and checked: shown on the unlock screen and
 * part of the default file names.  Returns a copy or NULL (error
 * printed). */
static char *check_name(const char *given)
{
	char *name = fv_trim(fv_xstrdup(given));
	const char *why = NULL;
	if (!*name)
		why = "is empty";
	else if (!fv_utf8_valid(name, strlen(name)))
		why = "is not valid UTF-8";
	else if (fv_utf8_len(name) > NAME_MAX_CHARS)
		why = "is longer than 100 characters";
	else if (strchr(name, '/') || name[0] == '.')
		why = "cannot hold '/' or start with '.' (it names files)";
	for (const char *p = name; !why && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			why = "holds a control character";
	if (!why)
		return name;
	fv_cli_error("init: the name %s", why);
	free(name);
	return NULL;
}

static int exists(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) == 0;
}

/* Refuse early, before the passphrase is asked, what would fail later. */
static int precheck(const char *store, const char *key)
{
	char *keys = fv_xasprintf("%s.keys", store);
	int found = exists(store) || exists(keys);
	free(keys);
	if (found) {
		fv_cli_error("%s: a store exists here already", store);
		return 1;
	}
	if (key && exists(key)) {
		fv_cli_error("%s: already exists (a recovery key is never overwritten)", key);
		return 1;
	}
	return 0;
}

static void print_paths(const fv_store *s, const char *key)
{
	char real[PATH_MAX];
	const char *path = fv_store_path(s);
	printf("%s\n%s.keys\n%s.keys.bak\n", path, path, path);
	if (key)
		printf("%s\n", realpath(key, real) ? real : key);
}

int fv_cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"role", required_argument, NULL, 'r'},
		{"name", required_argument, NULL, 'n'},
		{"store", required_argument, NULL, 's'},
		{"recovery-key", required_argument, NULL, 'k'},
		{"passphrase-file", required_argument, NULL, 'p'},
		{"join", required_argument, NULL, 'j'},
		{"code", required_argument, NULL, 'c'},
		{"to", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *role_arg = NULL, *name_arg = NULL, *store_arg = NULL, *key_arg = NULL,
		   *pass_file = NULL, *env_store = getenv("FIELDVISIT_STORE"), *join = NULL,
		   *code_arg = NULL, *to = ".";
	char *name = NULL, *path = NULL, *key = NULL, *pass = NULL, *code = NULL, *hello = NULL;
	fv_invitation *inv = NULL;
	uint8_t pk[VAULT_BOX_PK_BYTES];
	fv_store_init init;
	fv_store *s = NULL;
	fv_errors err;
	fv_status st;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': role_arg = optarg; break;
		case 'n': name_arg = optarg; break;
		case 's': store_arg = optarg; break;
		case 'k': key_arg = optarg; break;
		case 'p': pass_file = optarg; break;
		case 'j': join = optarg; break;
		case 'c': code_arg = optarg; break;
		case 't': to = optarg; break;
		case 'h': init_usage(stdout); return 0;
		default: return fv_cli_bad_option("init", c, argv);
		}
	}
	if (optind < argc)
		return fv_cli_unexpected("init", "init", argv[optind]);
	memset(&init, 0, sizeof init);
	fv_errors_init(&err);
	if (join) {
		if (role_arg && strcmp(role_arg, "worker") != 0) {
			fv_cli_error("init: --join makes a worker's store");
			return 2;
		}
		if (key_arg) {
			fv_cli_error("init: --join seals the store to the team's recovery key: no"
				     " --recovery-key");
			return 2;
		}
		init.role = FV_ROLE_WORKER;
		if (code_arg)
			code = fv_xstrdup(code_arg);
		else if ((rc = fv_cli_passphrase(NULL, "--code", "FIELDVISIT_INVITE_CODE",
						 "Invitation code: ", &code)) != 0)
			return rc;
		st = fv_invitation_open(join, code, &inv, &err);
		if (code_arg)
			free(code);
		else
			fv_cli_passphrase_free(code);
		if (st != FV_OK) {
			rc = fv_cli_fail(st, &err);
			fv_errors_release(&err);
			return rc;
		}
		if (!name_arg)
			name_arg = fv_invitation_worker(inv);
	} else if (!role_arg || !name_arg) {
		fv_cli_error("init: give --role and --name, or --join (see 'fieldvisit init"
			     " --help')");
		return 2;
	} else if (code_arg) {
		fv_cli_error("init: --code goes with --join");
		return 2;
	}
	if (!join && !fv_role_parse(role_arg, &init.role)) {
		fv_cli_error("init: --role is worker or supervisor, not '%s'", role_arg);
		return 2;
	}
	if (!(name = check_name(name_arg))) {
		fv_invitation_free(inv);
		return 1;
	}
	if (store_arg)
		path = fv_xstrdup(store_arg);
	else if (env_store && *env_store)
		path = fv_xstrdup(env_store);
	else
		path = fv_store_default_path(name);
	key = key_arg ? fv_xstrdup(key_arg) : fv_xasprintf("fieldvisit-recovery-%s.key", name);
	if ((rc = precheck(path, join ? NULL : key)) != 0)
		goto out;
	if ((rc = fv_cli_new_passphrase(pass_file, "--passphrase-file", "FIELDVISIT_PASSPHRASE",
					"New passphrase for your store: ", &pass)) != 0)
		goto out;
	if ((rc = fv_cli_pwcost(&init.cost)) != 0)
		goto out;
	if (inv) {
		memcpy(pk, fv_invitation_recovery_pk(inv), sizeof pk);
	} else if ((st = vault_recovery_create(key, pk, &err)) != FV_OK) {
		rc = fv_cli_fail(st, &err);
		goto out;
	}
	init.name = name;
	init.passphrase = pass;
	init.recovery_pk = pk;
	st = fv_store_create(path, &init, fv_cli_forms_dir(), &s, &err);
	if (st == FV_OK)
		st = fv_store_audit_note(s, "init", NULL, fv_role_name(init.role), &err);
	if (st == FV_OK && init.role == FV_ROLE_SUPERVISOR)
		st = fv_sync_team_create(s, pk, &err);
	if (st == FV_OK && inv)
		st = fv_sync_join(s, inv, to, &hello, &err);
	if (st != FV_OK) {
		/* a store that failed is removed by fv_store_create, and a
		 * recovery key of no store is of no use */
		if (s) {
			char *files[] = {
				fv_xstrdup(fv_store_path(s)),
				fv_xasprintf("%s-wal", fv_store_path(s)),
				fv_xasprintf("%s.keys", fv_store_path(s)),
				fv_xasprintf("%s.keys.bak", fv_store_path(s)),
			};
			fv_store_close(s);
			s = NULL;
			for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
				unlink(files[i]);
				free(files[i]);
			}
		}
		if (!inv)
			unlink(key);
		rc = fv_cli_fail(st, &err);
		goto out;
	}
	print_paths(s, inv ? NULL : key);
	char fp[VAULT_FINGERPRINT_BYTES], sup[VAULT_FINGERPRINT_BYTES];
	if (fv_sync_fingerprint(s, fp, &err) != FV_OK)
		fp[0] = '\0';
	if (inv) {
		printf("%s\n", hello);
		fv_invitation_fingerprint(inv, sup);
		fv_cli_error("joined the team of %s (fingerprint %s); your fingerprint is %s:"
			     " compare both with %s's screen, then give %s the hello bundle",
			     fv_invitation_supervisor(inv), sup, fp, fv_invitation_supervisor(inv),
			     fv_invitation_supervisor(inv));
	} else {
		fv_cli_error("keep the recovery key %s on a separate USB stick, never with the"
			     " laptop: it opens this store without the passphrase", key);
		if (init.role == FV_ROLE_SUPERVISOR)
			fv_cli_error("your team is ready; your fingerprint is %s", fp);
	}
	rc = 0;
out:
	fv_store_close(s);
	fv_invitation_free(inv);
	free(hello);
	fv_cli_passphrase_free(pass);
	fv_errors_release(&err);
	free(name);
	free(path);
	free(key);
	return rc;
}
