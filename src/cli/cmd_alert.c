/*
 * fieldvisit alert list|refer|close: the alerts raised by visits, the
 * referral recorded for each, and closing them after a follow-up.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/store.h"

static void alert_usage(FILE *fp)
{
	fputs("Usage: fieldvisit alert list [--person ID] [--all] [--json]\n"
	      "       fieldvisit alert refer ID --to WHERE --on DATE --done TEXT\n"
	      "                              [--follow-up DATE]\n"
	      "       fieldvisit alert close ID\n"
	      "\n"
	      "list   the alerts not closed (with --all, every alert), newest first\n"
	      "refer  record what was done about alert ID and where the person was\n"
	      "       referred; prints the referral's id.  The alert becomes referred.\n"
	      "close  close alert ID once a referral is recorded and the person was\n"
	      "       visited again after the alert\n"
	      "\n"
	      "  --person ID          the alerts about this person\n"
	      "  --all                closed alerts too\n"
	      "  --to WHERE           where, or to whom, the person was referred\n"
	      "  --on DATE            the date of the referral (YYYY-MM-DD)\n"
	      "  --follow-up DATE     the next follow-up date agreed\n"
	      "  --done TEXT          what was done\n"
	      "  --json               print JSON (list: an array of alerts with their\n"
	      "                       referrals)\n"
	      "  --store PATH         the store (see 'fieldvisit --help')\n"
	      "  --passphrase-file F  read the passphrase from the first line of F\n"
	      "  -h, --help           show this help\n",
	      fp);
}

enum { O_PERSON = 256, O_ALL, O_TO, O_ON, O_FOLLOW, O_DONE, O_JSON, O_STORE, O_PASSFILE };

typedef struct args {
	const char *id, *person;
	int all, json;
	fv_referral_input ref;
	fv_cli_store_opts store;
} args;

static json_t *opt_string(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *referral_json(const fv_referral *r)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "id", r->id, "referred_to",
			 r->referred_to, "referred_on", r->referred_on, "follow_up_on",
			 opt_string(r->follow_up_on), "outcome", r->outcome, "state", r->state,
			 "created_at", r->created_at);
}

static int alert_list(args *a, fv_store *s)
{
	fv_alert *al = NULL;
	fv_referral *rf = NULL;
	size_t n = 0, nr = 0;
	fv_errors err;
	fv_status st;
	int rc = 0;

	fv_errors_init(&err);
	if ((st = fv_alert_list(s, a->person, !a->all, &al, &n, &err)) != FV_OK ||
	    (st = fv_referral_list(s, a->person, &rf, &nr, &err)) != FV_OK) {
		rc = fv_cli_fail(st, &err);
	} else if (a->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *refs = json_array();
			for (size_t k = 0; k < nr; k++)
				if (strcmp(rf[k].alert, al[i].id) == 0)
					json_array_append_new(refs, referral_json(&rf[k]));
			json_array_append_new(arr,
				json_pack("{s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:o, s:o}",
					  "id", al[i].id, "version", al[i].version, "person",
					  al[i].person, "visit", al[i].visit, "visit_version",
					  al[i].visit_version, "kind", al[i].kind, "message",
					  al[i].message, "state", al[i].state, "raised_at",
					  al[i].raised_at, "closed_at", opt_string(al[i].closed_at),
					  "referrals", refs));
		}
		fv_cli_print_json(arr);
	} else if (n) {
		enum { NCOLS = 5 };
		const char **cells = fv_xcalloc((n + 1) * NCOLS, sizeof *cells);
		char (*raised)[11] = fv_xcalloc(n, sizeof *raised);
		const char *head[NCOLS] = {"ID", "RAISED", "KIND", "STATE", "PERSON"};
		memcpy(cells, head, sizeof head);
		for (size_t i = 0; i < n; i++) {
			snprintf(raised[i], sizeof raised[i], "%.10s", al[i].raised_at);
			const char *row[NCOLS] = {al[i].id, raised[i], al[i].kind, al[i].state,
						  al[i].person};
			memcpy(cells + (i + 1) * NCOLS, row, sizeof row);
		}
		fv_cli_table(stdout, cells, n + 1, NCOLS);
		free(raised);
		free(cells);
	}
	fv_alert_list_free(al, n);
	fv_referral_list_free(rf, nr);
	fv_errors_release(&err);
	return rc;
}

static int alert_refer(args *a, fv_store *s)
{
	char id[FV_ID_BYTES];
	fv_errors err;
	int rc = 0;
	fv_errors_init(&err);
	fv_status st = fv_alert_refer(s, a->id, &a->ref, id, &err);
	if (st == FV_OK)
		puts(id);
	else
		rc = fv_cli_fail(st, &err);
	fv_errors_release(&err);
	return rc;
}

static int alert_close(args *a, fv_store *s)
{
	fv_errors err;
	int rc = 0;
	fv_errors_init(&err);
	fv_status st = fv_alert_close(s, a->id, &err);
	if (st != FV_OK)
		rc = fv_cli_fail(st, &err);
	fv_errors_release(&err);
	return rc;
}

int fv_cmd_alert(int argc, char **argv)
{
	static const struct option opts[] = {
		{"person", required_argument, NULL, O_PERSON},
		{"all", no_argument, NULL, O_ALL},
		{"to", required_argument, NULL, O_TO},
		{"on", required_argument, NULL, O_ON},
		{"follow-up", required_argument, NULL, O_FOLLOW},
		{"done", required_argument, NULL, O_DONE},
		{"json", no_argument, NULL, O_JSON},
		{"store", required_argument, NULL, O_STORE},
		{"passphrase-file", required_argument, NULL, O_PASSFILE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const struct sub {
		const char *name;
		int takes_id;
		unsigned allowed;   /* bit per option: O_PERSON.. */
		int (*run)(args *a, fv_store *s);
	} subs[] = {
#define BIT(o) (1u << ((o) - O_PERSON))
		{"list", 0, BIT(O_PERSON) | BIT(O_ALL) | BIT(O_JSON), alert_list},
		{"refer", 1, BIT(O_TO) | BIT(O_ON) | BIT(O_FOLLOW) | BIT(O_DONE), alert_refer},
		{"close", 1, 0, alert_close},
	};
	const struct sub *sub = NULL;
	char cmd[32];
	args a;
	int c;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		alert_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			sub = &subs[i];
	if (!sub) {
		fv_cli_error("alert: unknown subcommand '%s' (list, refer or close)", argv[1]);
		return 2;
	}
	snprintf(cmd, sizeof cmd, "alert %s", sub->name);
	memset(&a, 0, sizeof a);
	argc--;
	argv++;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c >= O_PERSON && c <= O_DONE && c != O_JSON && !(sub->allowed & BIT(c))) {
			const char *name = "";
			for (size_t k = 0; opts[k].name; k++)
				if (opts[k].val == c)
					name = opts[k].name;
			fv_cli_error("%s: --%s does not go with this subcommand (see 'fieldvisit"
				     " alert --help')", cmd, name);
			return 2;
		}
		if (c == O_JSON && !(sub->allowed & BIT(O_JSON))) {
			fv_cli_error("%s: --json does not go with this subcommand", cmd);
			return 2;
		}
		switch (c) {
		case O_PERSON: a.person = optarg; break;
		case O_ALL: a.all = 1; break;
		case O_TO: a.ref.referred_to = optarg; break;
		case O_ON: a.ref.referred_on = optarg; break;
		case O_FOLLOW: a.ref.follow_up_on = optarg; break;
		case O_DONE: a.ref.outcome = optarg; break;
		case O_JSON: a.json = 1; break;
		case O_STORE: a.store.store = optarg; break;
		case O_PASSFILE: a.store.passphrase_file = optarg; break;
		case 'h': alert_usage(stdout); return 0;
		default: return fv_cli_bad_option(cmd, c, argv);
		}
	}
#undef BIT
	if (sub->takes_id && optind < argc)
		a.id = argv[optind++];
	if (sub->takes_id && !a.id) {
		fv_cli_error("%s: give the alert's id (see 'fieldvisit alert list')", cmd);
		return 2;
	}
	if (optind < argc)
		return fv_cli_unexpected(cmd, "alert", argv[optind]);
	fv_store *s;
	int rc = fv_cli_open_store(&a.store, &s);
	if (rc != 0)
		return rc;
	rc = sub->run(&a, s);
	fv_store_close(s);
	return rc;
}
