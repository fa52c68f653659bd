/*
 * fieldvisit bundle export --to DIR [--worker NAME]
 * fieldvisit bundle import FILE...
 * fieldvisit bundle inspect FILE [--open]
 * fieldvisit bundle log | conflicts
 * fieldvisit team invite NAME --to DIR [--village V]... | team list
 * fieldvisit review VISIT approve|return [--comment TEXT]
 *
 * The sync operations are src/sync/ (fieldvisit/sync.h); these commands
 * parse options, open the store and print.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/store.h"
#include "fieldvisit/sync.h"

static void bundle_usage(FILE *fp)
{
	fputs("Usage: fieldvisit bundle export --to DIR [--worker NAME]\n"
	      "       fieldvisit bundle import FILE...\n"
	      "       fieldvisit bundle inspect FILE [--open]\n"
	      "       fieldvisit bundle log\n"
	      "       fieldvisit bundle conflicts\n"
	      "\n"
	      "Move data between a worker and the supervisor as sealed, signed bundle\n"
	      "files (on a USB stick or any folder).  A worker's export writes one\n"
	      "up-bundle with every person and visit not yet acknowledged; a\n"
	      "supervisor's writes one down-bundle per worker with something to get\n"
	      "(receipts, reviews, roster, forms, rule tables).  Export prints the\n"
	      "paths of the files it wrote; import applies each bundle whole or not at\n"
	      "all and prints what it did; inspect shows a bundle's header and whether\n"
	      "its signature is valid (with --open, the contents counted, in the\n"
	      "recipient's store); log lists the bundles written and read; conflicts\n"
	      "lists records that came with other content under an id and version\n"
	      "already here.  See fieldvisit-bundle(5).\n"
	      "\n"
	      "  --to DIR               the folder to write into (it must exist)\n"
	      "  --worker NAME          a supervisor's export: this worker only\n"
	      "  --open                 inspect: open the contents with the store\n"
	      "  --store PATH           the store (default: the only one in\n"
	      "                         $XDG_DATA_HOME/fieldvisit)\n"
	      "  --passphrase-file FILE read the passphrase from the first line of FILE\n"
	      "  -h, --help             show this help\n",
	      fp);
}

/* Progress on a terminal only: a line that rewrites itself. */
static void progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
	static uint64_t last;
	(void)ctx;
	if (!isatty(2) || done - last < 4096)
		return;
	last = done;
	if (total)
		fprintf(stderr, "\r%s %llu / %llu ", phase, (unsigned long long)done,
			(unsigned long long)total);
	else
		fprintf(stderr, "\r%s %llu ", phase, (unsigned long long)done);
}

static void progress_end(void)
{
	if (isatty(2))
		fputs("\r\033[K", stderr);
}

/* The retention of the store's rule tables, else the shipped ones. */
static int retention_days(fv_store *s)
{
	fv_rules *r = NULL;
	fv_errors err;
	int days = -1;
	fv_errors_init(&err);
	if (fv_store_rules(s, &r, &err) == FV_OK && r) {
		days = fv_rules_retention_days(r);
	} else if (!r) {
		fv_errors_release(&err);
		fv_errors_init(&err);
		char *dir = fv_cli_assets_dir("rules");
		if (fv_rules_load_dir(dir, &r, &err) == FV_OK)
			days = fv_rules_retention_days(r);
		free(dir);
	}
	fv_rules_free(r);
	fv_errors_release(&err);
	return days;
}

/* Options every subcommand reads. */
typedef struct bopts {
	fv_cli_store_opts store;
	const char *to, *worker, *comment;
	const char **villages;
	size_t nvillages;
	int open;
} bopts;

/* Parse options; returns -1 to go on, else the exit code. */
static int parse_opts(const char *cmd, const char *help, int argc, char **argv, bopts *o,
		      int *first)
{
	static const struct option opts[] = {
		{"to", required_argument, NULL, 't'},
		{"worker", required_argument, NULL, 'w'},
		{"village", required_argument, NULL, 'v'},
		{"comment", required_argument, NULL, 'c'},
		{"open", no_argument, NULL, 'o'},
		{"store", required_argument, NULL, 's'},
		{"passphrase-file", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	size_t cap = 0;
	memset(o, 0, sizeof *o);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 't': o->to = optarg; break;
		case 'w': o->worker = optarg; break;
		case 'c': o->comment = optarg; break;
		case 'o': o->open = 1; break;
		case 'v':
			o->villages = fv_xgrow(o->villages, &cap, o->nvillages + 1,
					       sizeof *o->villages);
			o->villages[o->nvillages++] = optarg;
			break;
		case 's': o->store.store = optarg; break;
		case 'p': o->store.passphrase_file = optarg; break;
		case 'h': return 0;
		default: return fv_cli_bad_option(cmd, c, argv);
		}
	}
	(void)help;
	*first = optind;
	return -1;
}

/* ------------------------------------------------------------------ */
/* bundle export                                                       */

static int bundle_export(int argc, char **argv)
{
	bopts o;
	fv_store *s;
	fv_errors err;
	fv_sync_file *files;
	size_t n;
	int first, rc = parse_opts("bundle export", "bundle", argc, argv, &o, &first);
	if (rc == 0)
		bundle_usage(stdout);
	if (rc >= 0)
		goto out;
	if (first < argc) {
		rc = fv_cli_unexpected("bundle export", "bundle", argv[first]);
		goto out;
	}
	if (!o.to) {
		fv_cli_error("bundle export: give --to DIR (see 'fieldvisit bundle --help')");
		rc = 2;
		goto out;
	}
	if ((rc = fv_cli_open_store(&o.store, &s)) != 0)
		goto out;
	fv_sync_options so = {progress, NULL, o.worker, -1, 0};
	fv_errors_init(&err);
	fv_status st = fv_sync_export(s, o.to, &so, &files, &n, &err);
	progress_end();
	if (st == FV_OK) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", files[i].path);
		if (!n)
			fv_cli_error("nothing to send: every record has been acknowledged");
		fv_sync_files_free(files, n);
		rc = 0;
	} else {
		rc = fv_cli_fail(st, &err);
	}
	fv_errors_release(&err);
	fv_store_close(s);
out:
	free(o.villages);
	return rc;
}

/* ------------------------------------------------------------------ */
/* bundle import                                                       */

typedef struct item {
	const char *path;
	int kind;
	char sender[17];
	uint64_t seq;
} item;

static int by_order(const void *a, const void *b)
{
	const item *x = a, *y = b;
	int c;
	if ((x->kind == FV_BUNDLE_HELLO) != (y->kind == FV_BUNDLE_HELLO))
		return x->kind == FV_BUNDLE_HELLO ? -1 : 1;
	if ((c = strcmp(x->sender, y->sender)) != 0)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Read the headers, to import hellos first, then each sender's bundles in
 * order (a file that is no bundle keeps its place and fails later). */
static void order(item *items, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		uint8_t head[FV_BUNDLE_HEADER_BYTES];
		FILE *fp = fopen(items[i].path, "rb");
		memset(head, 0, sizeof head);
		if (fp) {
			if (fread(head, 1, sizeof head, fp) != sizeof head)
				memset(head, 0, sizeof head);
			fclose(fp);
		}
		items[i].kind = head[10];
		for (int k = 0; k < 8; k++) {
			items[i].sender[2 * k] = hex[head[27 + k] >> 4];
			items[i].sender[2 * k + 1] = hex[head[27 + k] & 15];
		}
		items[i].sender[16] = '\0';
		items[i].seq = 0;
		for (int k = 7; k >= 0; k--)
			items[i].seq = items[i].seq << 8 | head[75 + k];
	}
	qsort(items, n, sizeof *items, by_order);
}

static int bundle_import(int argc, char **argv)
{
	bopts o;
	fv_store *s;
	int first, rc = parse_opts("bundle import", "bundle", argc, argv, &o, &first), worst = 0;
	if (rc == 0)
		bundle_usage(stdout);
	if (rc >= 0)
		goto out;
	if (first >= argc) {
		fv_cli_error("bundle import: give the bundle files (see 'fieldvisit bundle --help')");
		rc = 2;
		goto out;
	}
	if ((rc = fv_cli_open_store(&o.store, &s)) != 0)
		goto out;
	size_t n = (size_t)(argc - first);
	item *items = fv_xcalloc(n, sizeof *items);
	for (size_t i = 0; i < n; i++)
		items[i].path = argv[first + (int)i];
	order(items, n);
	fv_sync_options so = {progress, NULL, NULL, retention_days(s), 0};
	for (size_t i = 0; i < n; i++) {
		fv_sync_report rep;
		fv_errors err;
		fv_errors_init(&err);
		fv_status st = fv_sync_import(s, items[i].path, &so, &rep, &err);
		progress_end();
		if (st == FV_OK) {
			fv_cli_errors(&rep.notes);
			if (rep.kind == FV_BUNDLE_HELLO)
				printf("%s: enrolled %s, fingerprint %s: compare it with the one on %s's"
				       " screen\n", items[i].path, rep.sender, rep.fingerprint,
				       rep.sender);
			else
				printf("%s: %s %llu from %s: %zu records, %zu new, %zu here already,"
				       " %zu older, %zu conflicts, %zu receipts, %zu reviews%s\n",
				       items[i].path, fv_bundle_kind_name(rep.kind),
				       (unsigned long long)rep.seq, rep.sender, rep.records, rep.added,
				       rep.same, rep.older, rep.conflicts, rep.receipts, rep.reviews,
				       rep.pruned ? "" : "");
			if (rep.pruned)
				fv_cli_error("%zu visits acknowledged long ago no longer keep their"
					     " answers here (retention)", rep.pruned);
		} else {
			int code = fv_cli_fail(st, &err);
			if (code > worst)
				worst = code;
		}
		fv_sync_report_release(&rep);
		fv_errors_release(&err);
	}
	free(items);
	fv_store_close(s);
	rc = worst;
out:
	free(o.villages);
	return rc;
}

/* ------------------------------------------------------------------ */
/* bundle inspect                                                      */

static int bundle_inspect(int argc, char **argv)
{
	bopts o;
	fv_store *s = NULL;
	fv_errors err;
	fv_sync_inspection in;
	char when[40];
	int first, rc = parse_opts("bundle inspect", "bundle", argc, argv, &o, &first);
	if (rc == 0)
		bundle_usage(stdout);
	if (rc >= 0)
		goto out;
	if (first != argc - 1) {
		if (first < argc - 1)
			rc = fv_cli_unexpected("bundle inspect", "bundle", argv[first + 1]);
		else {
			fv_cli_error("bundle inspect: give one bundle file");
			rc = 2;
		}
		goto out;
	}
	if (o.open && (rc = fv_cli_open_store(&o.store, &s)) != 0)
		goto out;
	fv_errors_init(&err);
	fv_status st = fv_sync_inspect(s, argv[first], &in, &err);
	if (st == FV_OK || in.info.size) {
		const fv_bundle_header *h = &in.info.h;
		time_t t = (time_t)h->created;
		struct tm tm;
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
		printf("file: %s\nkind: %s\nsender: %s%s%s%s\nrecipient: %s\nsequence: %llu\n"
		       "created: %s\nsize: %llu bytes\nsignature: %s\n", argv[first],
		       fv_bundle_kind_name(h->kind), in.sender_fp, in.sender_name ? " (" : "",
		       in.sender_name ? in.sender_name : "", in.sender_name ? ")" : "",
		       in.recipient_fp, (unsigned long long)h->seq, when,
		       (unsigned long long)in.info.size, in.info.sig_ok ? "valid" : "NOT VALID");
		for (int t2 = 0; in.opened && t2 < FV_REC_NTABLES; t2++)
			if (in.counts[t2])
				printf("%s: %zu\n", fv_record_table_name((fv_record_table)t2),
				       in.counts[t2]);
		for (size_t i = 0; i < in.nforms; i++)
			printf("form %s\n", in.forms[i]);
	}
	rc = st == FV_OK ? (in.info.sig_ok ? 0 : 1) : fv_cli_fail(st, &err);
	fv_sync_inspection_release(&in);
	fv_errors_release(&err);
	fv_store_close(s);
out:
	free(o.villages);
	return rc;
}

/* ------------------------------------------------------------------ */
/* bundle log, bundle conflicts                                        */

static int bundle_list(int argc, char **argv, int conflicts)
{
	bopts o;
	fv_store *s;
	fv_errors err;
	const char *cmd = conflicts ? "bundle conflicts" : "bundle log";
	int first, rc = parse_opts(cmd, "bundle", argc, argv, &o, &first);
	if (rc == 0)
		bundle_usage(stdout);
	if (rc >= 0)
		goto out;
	if (first < argc) {
		rc = fv_cli_unexpected(cmd, "bundle", argv[first]);
		goto out;
	}
	if ((rc = fv_cli_open_store(&o.store, &s)) != 0)
		goto out;
	fv_errors_init(&err);
	if (conflicts) {
		fv_conflict *c;
		size_t n;
		fv_status st = fv_store_sync_conflicts(s, &c, &n, &err);
		if (st == FV_OK) {
			const char **cells = fv_xcalloc((n + 1) * 6, sizeof *cells);
			char **vers = fv_xcalloc(n + 1, sizeof *vers);
			const char *head[] = {"WHEN", "TABLE", "ID", "VERSION", "FROM", "WHY"};
			memcpy(cells, head, sizeof head);
			for (size_t i = 0; i < n; i++) {
				vers[i] = fv_xasprintf("%d", c[i].version);
				const char *row[] = {c[i].logged_at, c[i].tbl, c[i].id, vers[i],
						     c[i].sender, c[i].reason};
				memcpy(cells + (i + 1) * 6, row, sizeof row);
			}
			if (n)
				fv_cli_table(stdout, cells, n + 1, 6);
			for (size_t i = 0; i < n; i++)
				free(vers[i]);
			free(vers);
			free(cells);
			fv_conflict_list_free(c, n);
		} else {
			rc = fv_cli_fail(st, &err);
		}
	} else {
		fv_bundle_log *l;
		size_t n;
		fv_status st = fv_store_bundle_log_list(s, &l, &n, &err);
		if (st == FV_OK) {
			const char **cells = fv_xcalloc((n + 1) * 6, sizeof *cells);
			char **seqs = fv_xcalloc(n + 1, sizeof *seqs);
			const char *head[] = {"WHEN", "DIRECTION", "KIND", "SEQ", "PEER", "STATE"};
			memcpy(cells, head, sizeof head);
			for (size_t i = 0; i < n; i++) {
				seqs[i] = fv_xasprintf("%lld", (long long)l[i].sender_seq);
				const char *state = strcmp(l[i].direction, "read") == 0 ? "imported"
						    : l[i].acked ? "acknowledged" : "written";
				const char *row[] = {l[i].logged_at, l[i].direction, l[i].kind, seqs[i],
						     l[i].peer, state};
				memcpy(cells + (i + 1) * 6, row, sizeof row);
			}
			if (n)
				fv_cli_table(stdout, cells, n + 1, 6);
			for (size_t i = 0; i < n; i++)
				free(seqs[i]);
			free(seqs);
			free(cells);
			fv_bundle_log_list_free(l, n);
		} else {
			rc = fv_cli_fail(st, &err);
		}
	}
	fv_errors_release(&err);
	fv_store_close(s);
out:
	free(o.villages);
	return rc;
}

int fv_cmd_bundle(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		bundle_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "export") == 0)
		return bundle_export(argc - 1, argv + 1);
	if (strcmp(argv[1], "import") == 0)
		return bundle_import(argc - 1, argv + 1);
	if (strcmp(argv[1], "inspect") == 0)
		return bundle_inspect(argc - 1, argv + 1);
	if (strcmp(argv[1], "log") == 0)
		return bundle_list(argc - 1, argv + 1, 0);
	if (strcmp(argv[1], "conflicts") == 0)
		return bundle_list(argc - 1, argv + 1, 1);
	fv_cli_error("bundle: unknown subcommand '%s' (export, import, inspect, log or"
		     " conflicts)", argv[1]);
	return 2;
}

/* ------------------------------------------------------------------ */
/* team                                                                */

static void team_usage(FILE *fp)
{
	fputs("Usage: fieldvisit team invite NAME --to DIR [--village VILLAGE]...\n"
	      "       fieldvisit team list\n"
	      "\n"
	      "A supervisor's team.  invite writes DIR/invite-NAME.fvi for a new worker:\n"
	      "the team, your public keys, the recovery public key, the installed forms,\n"
	      "the rule tables and the roster (the people of the villages given).  The\n"
	      "file is sealed with a code printed on standard error: tell it to the\n"
	      "worker in person, it is written nowhere.  The worker runs\n"
	      "'fieldvisit init --join FILE' and brings back a hello bundle to import.\n"
	      "Prints the path of the file.  list shows the team's members with their\n"
	      "fingerprints and the state of their bundles.\n"
	      "\n"
	      "  --to DIR               the folder to write into (it must exist)\n"
	      "  --village VILLAGE      a village of the worker's roster (repeat it)\n"
	      "  --store PATH           the store\n"
	      "  --passphrase-file FILE read the passphrase from the first line of FILE\n"
	      "  -h, --help             show this help\n",
	      fp);
}

static int team_invite(int argc, char **argv)
{
	bopts o;
	fv_store *s;
	fv_rules *rules = NULL;
	fv_errors err;
	char code[FV_INVITE_CODE_BYTES], *path;
	int first, rc = parse_opts("team invite", "team", argc, argv, &o, &first);
	if (rc == 0)
		team_usage(stdout);
	if (rc >= 0)
		goto out;
	if (first != argc - 1 || !o.to) {
		if (first < argc - 1)
			rc = fv_cli_unexpected("team invite", "team", argv[first + 1]);
		else {
			fv_cli_error("team invite: give NAME and --to DIR (see 'fieldvisit team"
				     " --help')");
			rc = 2;
		}
		goto out;
	}
	if ((rc = fv_cli_open_store(&o.store, &s)) != 0)
		goto out;
	if ((rc = fv_cli_load_rules(s, &rules)) != 0) {
		fv_store_close(s);
		goto out;
	}
	fv_buf villages;
	fv_buf_init(&villages);
	for (size_t i = 0; i < o.nvillages; i++)
		fv_buf_addf(&villages, "%s%s", i ? " " : "", o.villages[i]);
	fv_errors_init(&err);
	fv_status st = fv_sync_invite(s, argv[first], villages.s, rules, o.to, &path, code, &err);
	if (st == FV_OK) {
		char fp[VAULT_FINGERPRINT_BYTES];
		printf("%s\n", path);
		if (fv_sync_fingerprint(s, fp, &err) == FV_OK)
			fv_cli_error("invitation code for %s: %s (tell it in person; your"
				     " fingerprint is %s)", argv[first], code, fp);
		vault_wipe(code, sizeof code);
		free(path);
		rc = 0;
	} else {
		rc = fv_cli_fail(st, &err);
	}
	fv_buf_release(&villages);
	fv_errors_release(&err);
	fv_store_close(s);
out:
	fv_rules_free(rules);
	free(o.villages);
	return rc;
}

static int team_list(int argc, char **argv)
{
	bopts o;
	fv_store *s;
	fv_errors err;
	fv_peer *p;
	size_t n;
	int first, rc = parse_opts("team list", "team", argc, argv, &o, &first);
	if (rc == 0)
		team_usage(stdout);
	if (rc >= 0)
		goto out;
	if (first < argc) {
		rc = fv_cli_unexpected("team list", "team", argv[first]);
		goto out;
	}
	if ((rc = fv_cli_open_store(&o.store, &s)) != 0)
		goto out;
	fv_errors_init(&err);
	if (fv_store_peer_list(s, &p, &n, &err) == FV_OK) {
		const char **cells = fv_xcalloc((n + 1) * 6, sizeof *cells);
		char (*fps)[VAULT_FINGERPRINT_BYTES] = fv_xcalloc(n + 1, sizeof *fps);
		char **in = fv_xcalloc(n + 1, sizeof *in), **outs = fv_xcalloc(n + 1, sizeof *outs);
		const char *head[] = {"NAME", "ROLE", "FINGERPRINT", "VILLAGES", "IMPORTED", "SENT"};
		memcpy(cells, head, sizeof head);
		for (size_t i = 0; i < n; i++) {
			if (p[i].enrolled)
				vault_fingerprint(p[i].key_id, fps[i]);
			else
				snprintf(fps[i], sizeof fps[i], "(invited)");
			in[i] = fv_xasprintf("%lld", (long long)p[i].seq_in);
			outs[i] = fv_xasprintf("%lld (%lld acknowledged)", (long long)p[i].seq_out,
					       (long long)p[i].acked_out);
			const char *row[] = {p[i].name, fv_role_name(p[i].role), fps[i], p[i].villages,
					     in[i], outs[i]};
			memcpy(cells + (i + 1) * 6, row, sizeof row);
		}
		if (n)
			fv_cli_table(stdout, cells, n + 1, 6);
		for (size_t i = 0; i < n; i++) {
			free(in[i]);
			free(outs[i]);
		}
		free(in);
		free(outs);
		free(fps);
		free(cells);
		fv_peer_list_free(p, n);
	} else {
		rc = fv_cli_fail(FV_EIO, &err);
	}
	fv_errors_release(&err);
	fv_store_close(s);
out:
	free(o.villages);
	return rc;
}

int fv_cmd_team(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		team_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "invite") == 0)
		return team_invite(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return team_list(argc - 1, argv + 1);
	fv_cli_error("team: unknown subcommand '%s' (invite or list)", argv[1]);
	return 2;
}

/* ------------------------------------------------------------------ */
/* review                                                              */

static void review_usage(FILE *fp)
{
	fputs("Usage: fieldvisit review VISIT approve|return [--comment TEXT]\n"
	      "\n"
	      "A supervisor's decision on the latest version of a received visit: approve\n"
	      "it, or return it to the worker with a comment saying why (required).  The\n"
	      "review travels to the worker in the next down-bundle.  Prints the review's\n"
	      "id.\n"
	      "\n"
	      "  --comment TEXT         why (at most 500 characters)\n"
	      "  --store PATH           the store\n"
	      "  --passphrase-file FILE read the passphrase from the first line of FILE\n"
	      "  -h, --help             show this help\n",
	      fp);
}

int fv_cmd_review(int argc, char **argv)
{
	bopts o;
	fv_store *s;
	fv_errors err;
	char rid[FV_ID_BYTES];
	int first, rc = parse_opts("review", "review", argc, argv, &o, &first);
	const char *decision;
	if (rc == 0)
		review_usage(stdout);
	if (rc >= 0)
		goto out;
	if (argc - first != 2) {
		if (argc - first > 2)
			rc = fv_cli_unexpected("review", "review", argv[first + 2]);
		else {
			fv_cli_error("review: give VISIT and approve or return (see 'fieldvisit"
				     " review --help')");
			rc = 2;
		}
		goto out;
	}
	if (strcmp(argv[first + 1], "approve") == 0)
		decision = "approved";
	else if (strcmp(argv[first + 1], "return") == 0)
		decision = "returned";
	else {
		fv_cli_error("review: approve or return, not '%s'", argv[first + 1]);
		rc = 2;
		goto out;
	}
	if ((rc = fv_cli_open_store(&o.store, &s)) != 0)
		goto out;
	fv_errors_init(&err);
	fv_status st = fv_visit_review(s, argv[first], decision, o.comment, rid, &err);
	if (st == FV_OK) {
		printf("%s\n", rid);
		rc = 0;
	} else {
		rc = fv_cli_fail(st, &err);
	}
	fv_errors_release(&err);
	fv_store_close(s);
out:
	free(o.villages);
	return rc;
}
