/*
 * fieldvisit export --format csv|jsonl --to DIR [--bom]
 *
 * The one way data about people leaves the store unencrypted, so it is an
 * explicit command that warns, is audited, and writes files only the user
 * can read (0600), each atomically.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/store.h"
#include "fieldvisit/vault.h"

static void export_usage(FILE *fp)
{
	fputs("Usage: fieldvisit export --format csv|jsonl --to DIR [--bom]\n"
	      "\n"
	      "Write every person and the latest version of every visit, unencrypted,\n"
	      "to DIR/persons.csv and DIR/visits.csv (or .jsonl); DIR is created when\n"
	      "missing.  Prints the paths of the files.  Keep them safe and delete them\n"
	      "when done: they are not protected by the passphrase.\n"
	      "\n"
	      "  --format FORMAT      csv (RFC 4180, UTF-8, CRLF) or jsonl (one JSON object\n"
	      "                       per line, as 'person show --json' and 'visit show\n"
	      "                       --json' print them)\n"
	      "  --to DIR             the folder to write to\n"
	      "  --bom                csv: start with a UTF-8 byte order mark, so that\n"
	      "                       Excel and WPS read the Chinese text right\n"
	      "  --store PATH         the store (see 'fieldvisit --help')\n"
	      "  --passphrase-file F  read the passphrase from the first line of F\n"
	      "  -h, --help           show this help\n",
	      fp);
}

/* ------------------------------------------------------------------ */
/* CSV                                                                 */

enum { TEXT, NUMBER };

/*
 * One cell, RFC 4180: quoted when it holds a comma, a quote or a line
 * end, quotes doubled.  A text cell that a spreadsheet would take for a
 * formula (starting with = + - @, a tab or a carriage return) gets a
 * leading apostrophe, as OWASP advises against CSV injection: the names
 * and answers come from other people's laptops.
 */
static void csv_cell(fv_buf *b, const char *s, int kind, int first)
{
	int formula = kind == TEXT && s[0] && strchr("=+-@\t\r", s[0]);
	int quote = formula || strpbrk(s, ",\"\r\n") != NULL;
	if (!first)
		fv_buf_addc(b, ',');
	if (quote)
		fv_buf_addc(b, '"');
	if (formula)
		fv_buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			fv_buf_addc(b, '"');
		fv_buf_addc(b, *s);
	}
	if (quote)
		fv_buf_addc(b, '"');
}

static void csv_row(fv_buf *b, const char *const *cells, const int *kinds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		csv_cell(b, cells[i], kinds ? kinds[i] : TEXT, i == 0);
	fv_buf_adds(b, "\r\n");
}

static void persons_csv(fv_buf *b, const fv_person *people, size_t n)
{
	enum { NCOLS = 21 };
	static const char *const head[NCOLS] = {
		"id", "version", "author", "name", "sex", "birth", "resident_id", "phone",
		"village", "household", "categories", "contact1_name", "contact1_phone",
		"contact2_name", "contact2_phone", "status", "status_date", "status_reason",
		"last_visit", "created_at", "updated_at",
	};
	static const int kinds[NCOLS] = {[1] = NUMBER};
	csv_row(b, head, NULL, NCOLS);
	for (size_t i = 0; i < n; i++) {
		const fv_person *p = &people[i];
		char version[16];
		snprintf(version, sizeof version, "%d", p->version);
		const char *row[NCOLS] = {
			p->id, version, p->author, p->name, p->sex, p->birth, p->resident_id,
			p->phone, p->village, p->household, p->categories, p->contact_name[0],
			p->contact_phone[0], p->contact_name[1], p->contact_phone[1], p->status,
			p->status_date, p->status_reason, p->last_visit, p->created_at,
			p->updated_at,
		};
		csv_row(b, row, kinds, NCOLS);
	}
}

static void visits_csv(fv_buf *b, const fv_visit *visits, size_t n)
{
	enum { NCOLS = 19 };
	static const char *const head[NCOLS] = {
		"id", "version", "author", "person", "form_id", "form_version", "state",
		"visit_date", "checkin", "checkout", "duration", "services", "score", "band",
		"alerts", "answers", "created_at", "updated_at", "submitted_at",
	};
	static const int kinds[NCOLS] = {[1] = NUMBER, [10] = NUMBER, [12] = NUMBER};
	csv_row(b, head, NULL, NCOLS);
	for (size_t i = 0; i < n; i++) {
		const fv_visit *v = &visits[i];
		char version[16], duration[16] = "", score[32] = "";
		snprintf(version, sizeof version, "%d", v->version);
		if (v->duration >= 0)
			snprintf(duration, sizeof duration, "%d", v->duration);
		if (!isnan(v->score))
			snprintf(score, sizeof score, "%.15g", v->score);
		const char *row[NCOLS] = {
			v->id, version, v->author, v->person, v->form_id, v->form_version,
			fv_visit_state_name(v->state), v->visit_date, v->checkin, v->checkout,
			duration, v->services, score, v->band, v->alerts, v->answers, v->created_at,
			v->updated_at, v->submitted_at,
		};
		csv_row(b, row, kinds, NCOLS);
	}
}

/* ------------------------------------------------------------------ */
/* JSON Lines                                                          */

static void json_line(fv_buf *b, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!text) {
		fputs("fieldvisit: out of memory\n", stderr);
		exit(4);
	}
	fv_buf_adds(b, text);
	fv_buf_addc(b, '\n');
	vault_wipe(text, strlen(text));
	free(text);
}

/* ------------------------------------------------------------------ */
/* The command                                                         */

/* Wipe and release a buffer of plaintext about people. */
static void buf_wipe(fv_buf *b)
{
	vault_wipe(b->s, b->cap);
	fv_buf_release(b);
}

/* Every visit, latest version, with its answers. */
static fv_status read_visits(fv_store *s, fv_visit **out, size_t *n, fv_errors *err)
{
	fv_status st = fv_visit_list(s, NULL, out, n, err);
	for (size_t i = 0; st == FV_OK && i < *n; i++) {
		fv_visit full;
		if ((st = fv_visit_get(s, (*out)[i].id, (*out)[i].version, &full, err)) == FV_OK) {
			fv_visit_release(&(*out)[i]);
			(*out)[i] = full;
		} else {
			fv_visit_release(&full);
		}
	}
	return st;
}

/* Write one file and print its path. */
static fv_status write_out(const char *dir, const char *name, const fv_buf *b, fv_errors *err)
{
	char *path = fv_xasprintf("%s/%s", dir, name);
	fv_status st = fv_write_atomic(path, b->s, b->len, 0600, err);
	if (st == FV_OK)
		puts(path);
	free(path);
	return st;
}

static int run_export(fv_store *s, int csv, int bom, const char *dir)
{
	fv_person *people = NULL;
	fv_visit *visits = NULL;
	size_t npeople = 0, nvisits = 0;
	fv_buf pb, vb;
	fv_errors err;
	fv_status st;
	int rc;

	fv_errors_init(&err);
	fv_buf_init(&pb);
	fv_buf_init(&vb);
	if ((st = fv_person_list(s, NULL, &people, &npeople, &err)) != FV_OK ||
	    (st = read_visits(s, &visits, &nvisits, &err)) != FV_OK) {
		rc = fv_cli_fail(st, &err);
		goto out;
	}
	fv_cli_error("warning: writing unencrypted data about people to %s; keep it safe and"
		     " delete it when done", dir);
	/* audited before anything is written: no export without its record */
	char *detail = fv_xasprintf("%s to %s: %zu people, %zu visits", csv ? "csv" : "jsonl",
				    dir, npeople, nvisits);
	st = fv_store_audit_note(s, "export", NULL, detail, &err);
	free(detail);
	if (st != FV_OK) {
		rc = fv_cli_fail(st, &err);
		goto out;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fv_cli_error("%s: cannot create: %s", dir, strerror(errno));
		rc = 4;
		goto out;
	}
	if (csv) {
		if (bom) {
			fv_buf_adds(&pb, "\xef\xbb\xbf");
			fv_buf_adds(&vb, "\xef\xbb\xbf");
		}
		persons_csv(&pb, people, npeople);
		visits_csv(&vb, visits, nvisits);
	} else {
		for (size_t i = 0; i < npeople; i++)
			json_line(&pb, fv_cli_person_json(&people[i]));
		for (size_t i = 0; i < nvisits; i++)
			json_line(&vb, fv_cli_visit_json(&visits[i]));
	}
	if ((st = write_out(dir, csv ? "persons.csv" : "persons.jsonl", &pb, &err)) != FV_OK ||
	    (st = write_out(dir, csv ? "visits.csv" : "visits.jsonl", &vb, &err)) != FV_OK) {
		rc = fv_cli_fail(st, &err);
		goto out;
	}
	rc = 0;
out:
	buf_wipe(&pb);
	buf_wipe(&vb);
	fv_person_list_free(people, npeople);
	fv_visit_list_free(visits, nvisits);
	fv_errors_release(&err);
	return rc;
}

int fv_cmd_export(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_TO, O_BOM, O_STORE, O_PASSFILE };
	static const struct option opts[] = {
		{"format", required_argument, NULL, O_FORMAT},
		{"to", required_argument, NULL, O_TO},
		{"bom", no_argument, NULL, O_BOM},
		{"store", required_argument, NULL, O_STORE},
		{"passphrase-file", required_argument, NULL, O_PASSFILE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	fv_cli_store_opts so = {NULL, NULL};
	const char *format = NULL, *to = NULL;
	int c, bom = 0, csv, rc;
	fv_store *s;
	struct stat sb;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT: format = optarg; break;
		case O_TO: to = optarg; break;
		case O_BOM: bom = 1; break;
		case O_STORE: so.store = optarg; break;
		case O_PASSFILE: so.passphrase_file = optarg; break;
		case 'h': export_usage(stdout); return 0;
		default: return fv_cli_bad_option("export", c, argv);
		}
	}
	if (optind < argc)
		return fv_cli_unexpected("export", "export", argv[optind]);
	if (!format || !to || !*to) {
		fv_cli_error("export: give --format and --to (see 'fieldvisit export --help')");
		return 2;
	}
	if (strcmp(format, "csv") != 0 && strcmp(format, "jsonl") != 0) {
		fv_cli_error("export: --format is csv or jsonl, not '%s'", format);
		return 2;
	}
	csv = strcmp(format, "csv") == 0;
	if (bom && !csv) {
		fv_cli_error("export: --bom is for --format csv only");
		return 2;
	}
	/* a folder that cannot be one is refused before the passphrase */
	if (stat(to, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
		fv_cli_error("%s: not a folder", to);
		return 4;
	}
	char *dir = fv_xstrdup(to);
	for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
		dir[n - 1] = '\0';
	if ((rc = fv_cli_open_store(&so, &s)) == 0) {
		rc = run_export(s, csv, bom, dir);
		fv_store_close(s);
	}
	free(dir);
	return rc;
}
