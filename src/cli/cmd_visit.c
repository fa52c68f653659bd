/*
 * fieldvisit visit submit|list|show: visits, one form instance about one
 * person each.
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/store.h"

static void visit_usage(FILE *fp)
{
	fputs("Usage: fieldvisit visit submit FORM --person ID --answers FILE|-\n"
	      "                  [--checkin TIME] [--checkout TIME] [--services LIST] [--json]\n"
	      "       fieldvisit visit list [--person ID] [--state STATE]... [--json]\n"
	      "       fieldvisit visit list --due|--overdue [--date DATE] [--person ID] [--json]\n"
	      "       fieldvisit visit show ID [--json]\n"
	      "       fieldvisit visit correct ID [--answers FILE|-] [--checkin TIME]\n"
	      "                  [--checkout TIME] [--services LIST] [--json]\n"
	      "\n"
	      "submit  check the answers with FORM and save them as a submitted visit;\n"
	      "        prints the new visit's id, and on stderr each alert raised and the\n"
	      "        next visit the rules propose for the person.  FORM\n"
	      "        is the id of an installed form (phq9) or a form file (a path with\n"
	      "        a '/' or ending in .csv), which is installed into the store first.\n"
	      "        Invalid answers: every problem on stderr, exit 1, nothing saved.\n"
	      "list    the latest version of each visit, in order of check-in; with --due,\n"
	      "        the visits people are owed on a day (regular, make-up, festival,\n"
	      "        follow-up) and why, overdue first; with --overdue, only the late ones\n"
	      "show    one visit with its answers\n"
	      "correct a visit the supervisor returned: its next version, with the\n"
	      "        answers given changed (the others as they were; null clears one)\n"
	      "        and the times and services given, checked as a submit and\n"
	      "        submitted; prints the visit's id.  It travels in the next bundle\n"
	      "\n"
	      "  --person ID          the person's id (person list shows it)\n"
	      "  --answers FILE       a JSON object {\"name\": value} (- for standard input)\n"
	      "  --checkin TIME       when the visit began (YYYY-MM-DDTHH:MM)\n"
	      "  --checkout TIME      when it ended\n"
	      "  --services LIST      services given, separated by commas or spaces: meals,\n"
	      "                       cleaning, urgent, care, comfort, errands\n"
	      "  --state STATE        draft, submitted, sent, received, approved or\n"
	      "                       returned (repeat it, or separate states with commas)\n"
	      "  --due                the visits due or overdue (see fieldvisit-rules(5))\n"
	      "  --overdue            only the overdue ones\n"
	      "  --date DATE          the day to compute them for (YYYY-MM-DD; today)\n"
	      "  --json               print JSON (submit: {\"id\", \"score\", \"band\",\n"
	      "                       \"alerts\", \"next_visit\"}; correct: {\"id\",\n"
	      "                       \"version\", \"score\", \"band\", \"alerts\"}; list: an array; with\n"
	      "                       --due an array of people with their items; show: the\n"
	      "                       visit)\n"
	      "  --store PATH         the store (see 'fieldvisit --help')\n"
	      "  --passphrase-file F  read the passphrase from the first line of F\n"
	      "  -h, --help           show this help\n",
	      fp);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static json_t *opt_string(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* Space-separated words as an array. */
static json_t *words(const char *list)
{
	json_t *a = json_array();
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, " ");
		if (n)
			json_array_append_new(a, json_stringn(p, n));
		p += n;
		p += strspn(p, " ");
	}
	return a;
}

/* A score: null when none, an integer when it is one. */
static json_t *score_json(double d)
{
	if (isnan(d))
		return json_null();
	if (d == floor(d) && fabs(d) < 9007199254740992.0)
		return json_integer((json_int_t)d);
	return json_real(d);
}

json_t *fv_cli_visit_json(const fv_visit *v)
{
	json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o,"
			      " s:o, s:o, s:o, s:s, s:s, s:o}",
			      "id", v->id, "version", v->version, "author", v->author,
			      "person", v->person, "form_id", v->form_id,
			      "form_version", v->form_version,
			      "state", fv_visit_state_name(v->state),
			      "visit_date", opt_string(v->visit_date),
			      "checkin", opt_string(v->checkin),
			      "checkout", opt_string(v->checkout),
			      "duration", v->duration >= 0 ? json_integer(v->duration) : json_null(),
			      "services", words(v->services), "score", score_json(v->score),
			      "band", opt_string(v->band), "alerts", words(v->alerts),
			      "created_at", v->created_at, "updated_at", v->updated_at,
			      "submitted_at", opt_string(v->submitted_at));
	if (v->answers) {
		json_t *a = json_loads(v->answers, JSON_REJECT_DUPLICATES, NULL);
		json_object_set_new(o, "answers", a ? a : json_string(v->answers));
	}
	return o;
}

/* ------------------------------------------------------------------ */
/* Options                                                             */

enum {
	O_PERSON = 256, O_ANSWERS, O_CHECKIN, O_CHECKOUT, O_SERVICES, O_STATE, O_JSON,
	O_STORE, O_PASSFILE, O_DUE, O_OVERDUE, O_DATE,
};

#define COMMON_OPTS                                                                  \
	{"json", no_argument, NULL, O_JSON},                                        \
	{"store", required_argument, NULL, O_STORE},                                \
	{"passphrase-file", required_argument, NULL, O_PASSFILE},                   \
	{"help", no_argument, NULL, 'h'},                                           \
	{NULL, 0, NULL, 0}

static const struct option submit_opts[] = {
	{"person", required_argument, NULL, O_PERSON},
	{"answers", required_argument, NULL, O_ANSWERS},
	{"checkin", required_argument, NULL, O_CHECKIN},
	{"checkout", required_argument, NULL, O_CHECKOUT},
	{"services", required_argument, NULL, O_SERVICES},
	COMMON_OPTS,
};
static const struct option list_opts[] = {
	{"person", required_argument, NULL, O_PERSON},
	{"state", required_argument, NULL, O_STATE},
	{"due", no_argument, NULL, O_DUE},
	{"overdue", no_argument, NULL, O_OVERDUE},
	{"date", required_argument, NULL, O_DATE},
	COMMON_OPTS,
};
static const struct option show_opts[] = {COMMON_OPTS};
static const struct option correct_opts[] = {
	{"answers", required_argument, NULL, O_ANSWERS},
	{"checkin", required_argument, NULL, O_CHECKIN},
	{"checkout", required_argument, NULL, O_CHECKOUT},
	{"services", required_argument, NULL, O_SERVICES},
	COMMON_OPTS,
};

typedef struct args {
	const char *cmd;          /* "visit submit" */
	const char *arg;          /* the positional FORM or ID */
	const char *person, *answers, *checkin, *checkout;
	char *services;           /* commas made spaces */
	unsigned states;
	int json;
	int due, overdue;         /* --due, --overdue */
	const char *date;         /* --date */
	fv_cli_store_opts store;
} args;

/* Parse `visit SUB` (argv[0] is SUB) into a; want_arg names the positional
 * argument required (NULL: none).  Returns -1 to go on, else the exit
 * code. */
static int parse(int argc, char **argv, const struct option *opts, const char *want_arg,
		 args *a)
{
	static char cmd[32];
	int c;

	snprintf(cmd, sizeof cmd, "visit %s", argv[0]);
	memset(a, 0, sizeof *a);
	a->cmd = cmd;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case O_PERSON: a->person = optarg; break;
		case O_ANSWERS: a->answers = optarg; break;
		case O_CHECKIN: a->checkin = optarg; break;
		case O_CHECKOUT: a->checkout = optarg; break;
		case O_SERVICES:
			free(a->services);
			a->services = fv_xstrdup(optarg);
			for (char *p = a->services; (p = strchr(p, ',')); p++)
				*p = ' ';
			break;
		case O_STATE: {
			char *list = fv_xstrdup(optarg), *save = NULL;
			for (char *w = strtok_r(list, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
				fv_visit_state st;
				if (!fv_visit_state_parse(w, &st)) {
					fv_cli_error("%s: no state '%s' (draft, submitted, sent,"
						     " received, approved, returned)", cmd, w);
					free(list);
					return 2;
				}
				a->states |= FV_VISIT_BIT(st);
			}
			free(list);
			break;
		}
		case O_JSON: a->json = 1; break;
		case O_DUE: a->due = 1; break;
		case O_OVERDUE: a->overdue = 1; break;
		case O_DATE: a->date = optarg; break;
		case O_STORE: a->store.store = optarg; break;
		case O_PASSFILE: a->store.passphrase_file = optarg; break;
		case 'h': visit_usage(stdout); return 0;
		default: return fv_cli_bad_option(cmd, c, argv);
		}
	}
	if (want_arg && optind < argc)
		a->arg = argv[optind++];
	if (want_arg && !a->arg) {
		fv_cli_error("%s: give the %s (see 'fieldvisit visit --help')", cmd, want_arg);
		return 2;
	}
	if (optind < argc)
		return fv_cli_unexpected(cmd, "visit", argv[optind]);
	return -1;
}

/* ------------------------------------------------------------------ */
/* submit                                                              */

static int is_form_file(const char *form)
{
	size_t n = strlen(form);
	return strchr(form, '/') || (n >= 4 && strcmp(form + n - 4, ".csv") == 0);
}

/* The form to submit with, from the store.  file is the form file FORM
 * names, loaded already (NULL when FORM is a form id): it is installed
 * first, so that the visit's form_id and version always resolve. */
static fv_status submit_form(fv_store *s, const char *form, const fv_form *file, fv_form **f,
			     fv_errors *err)
{
	fv_status st;
	*f = NULL;
	if (!file)
		return fv_store_form_load(s, form, f, err);
	if ((st = fv_store_form_install(s, form, err)) != FV_OK)
		return st;
	return fv_store_form_load_version(s, file->id, file->version, f, err);
}

/* The answers of the command line: a JSON object from a file or stdin. */
static fv_status read_answers(const char *path, fv_answers *ans, fv_errors *err)
{
	int from_stdin = strcmp(path, "-") == 0;
	const char *name = from_stdin ? "<stdin>" : path;
	char *data = NULL;
	size_t len = 0;
	fv_status st = from_stdin ? fv_read_stream(stdin, name, &data, &len, err)
				  : fv_read_file(path, &data, &len, err);
	if (st == FV_OK)
		st = fv_answers_parse(name, data, len, ans, err);
	free(data);
	return st;
}

/* Tell about the alerts the visit raised: its kinds and the form's
 * messages. */
static void print_alerts(const fv_form *f, const fv_visit *v)
{
	for (const char *p = v->alerts; *p;) {
		size_t n = strcspn(p, " ");
		char *field = fv_xasprintf("alert_%.*s", (int)n, p);
		int i = fv_form_field_index(f, field);
		fv_cli_error("alert %.*s: %s", (int)n, p,
			     i >= 0 ? fv_text_get(f, &f->fields[i].label, f->default_lang) : "");
		free(field);
		p += n;
		p += strspn(p, " ");
	}
}

static int visit_submit(args *a)
{
	fv_answers ans = {0};
	fv_store *s = NULL;
	fv_form *f = NULL, *file = NULL;
	fv_errors err;
	fv_status st;
	fv_visit v = {0};
	char id[FV_ID_BYTES];
	int rc;

	if (!a->person || !a->answers) {
		fv_cli_error("visit submit: give --person and --answers"
			     " (see 'fieldvisit visit --help')");
		return 2;
	}
	fv_errors_init(&err);
	/* what can be checked without the store comes first */
	if ((st = read_answers(a->answers, &ans, &err)) != FV_OK) {
		rc = fv_cli_fail(st, &err);
		goto out;
	}
	if (is_form_file(a->arg) && (st = fv_form_load_file(a->arg, &file, &err)) != FV_OK) {
		rc = fv_cli_fail(st, &err);
		goto out;
	}
	if ((rc = fv_cli_open_store(&a->store, &s)) != 0)
		goto out;
	fv_visit_input in = {a->person, a->checkin, a->checkout, a->services};
	/* a form file is installed with the visit or not at all: a refused
	 * submit leaves the store as it was */
	if ((st = fv_store_begin(s, &err)) != FV_OK ||
	    (st = submit_form(s, a->arg, file, &f, &err)) != FV_OK ||
	    (st = fv_visit_submit(s, f, &in, &ans, id, &err)) != FV_OK ||
	    (st = fv_store_commit(s, &err)) != FV_OK ||
	    (st = fv_visit_get(s, id, 0, &v, &err)) != FV_OK) {
		fv_store_rollback(s);
		rc = fv_cli_fail(st, &err);
		goto out;
	}
	json_t *next = fv_cli_propose(s, v.person, v.visit_date);
	if (a->json) {
		fv_cli_print_json(json_pack("{s:s, s:o, s:o, s:o, s:o}", "id", id, "score",
					    score_json(v.score), "band", opt_string(v.band),
					    "alerts", words(v.alerts), "next_visit",
					    next ? json_incref(next) : json_null()));
	} else {
		puts(id);
	}
	print_alerts(f, &v);
	if (next && !a->json) {
		json_t *why = json_object_get(next, "for");
		fprintf(stderr, "next visit proposed: %s (%s)\n",
			json_string_value(json_object_get(next, "date")),
			json_string_value(json_object_get(why, "why")));
	}
	json_decref(next);
	rc = 0;
out:
	fv_visit_release(&v);
	fv_form_free(f);
	fv_form_free(file);
	fv_store_close(s);
	fv_answers_release(&ans);
	fv_errors_release(&err);
	return rc;
}

/* The answers of draft d (the questions' only: calculates are worked out
 * again) with those of changes put over them. */
static fv_status merged_answers(const fv_form *f, const fv_visit *d, const fv_answers *changes,
				fv_answers *out, fv_errors *err)
{
	fv_answers old = {0};
	fv_status st = fv_answers_parse(d->id, d->answers, strlen(d->answers), &old, err);
	for (size_t i = 0; st == FV_OK && i < old.n; i++) {
		int k = fv_form_field_index(f, old.items[i].name);
		int changed = 0;
		for (size_t j = 0; j < changes->n && !changed; j++)
			changed = strcmp(changes->items[j].name, old.items[i].name) == 0;
		if (!changed && (k < 0 || f->fields[k].type != FV_Q_CALCULATE))
			fv_answers_add(out, old.items[i].name, old.items[i].value);
	}
	for (size_t j = 0; st == FV_OK && j < changes->n; j++)
		fv_answers_add(out, changes->items[j].name, changes->items[j].value);
	fv_answers_release(&old);
	return st;
}

static int visit_correct(args *a)
{
	fv_answers changes = {0}, all = {0};
	fv_store *s = NULL;
	fv_form *f = NULL;
	fv_errors err;
	fv_status st = FV_OK;
	fv_visit v = {0}, d = {0};
	char id[FV_ID_BYTES];
	int rc;

	fv_errors_init(&err);
	if (a->answers && (st = read_answers(a->answers, &changes, &err)) != FV_OK) {
		rc = fv_cli_fail(st, &err);
		goto out;
	}
	if ((rc = fv_cli_open_store(&a->store, &s)) != 0)
		goto out;
	snprintf(id, sizeof id, "%s", a->arg);
	if ((st = fv_store_begin(s, &err)) != FV_OK || (st = fv_visit_get(s, id, 0, &v, &err)) != FV_OK)
		goto fail;
	/* returned: its next version; a correction begun on screen goes on */
	if (v.state == FV_VISIT_RETURNED)
		st = fv_visit_move(s, id, FV_VISIT_DRAFT, &err);
	else if (v.state != FV_VISIT_DRAFT || v.version < 2) {
		fv_errors_add(&err, NULL, 0, "visit %s is %s: only a visit returned by the supervisor"
			      " is corrected", id, fv_visit_state_name(v.state));
		st = FV_EINVAL;
	}
	if (st != FV_OK || (st = fv_visit_get(s, id, 0, &d, &err)) != FV_OK ||
	    (st = fv_store_form_load_version(s, d.form_id, d.form_version, &f, &err)) != FV_OK ||
	    (st = merged_answers(f, &d, &changes, &all, &err)) != FV_OK)
		goto fail;
	fv_visit_input in = {NULL, a->checkin ? a->checkin : (*d.checkin ? d.checkin : NULL),
			     a->checkout ? a->checkout : (*d.checkout ? d.checkout : NULL),
			     a->services ? a->services : d.services};
	fv_visit_release(&v);
	if ((st = fv_visit_save_draft(s, f, &in, &all, id, &err)) != FV_OK ||
	    (st = fv_visit_move(s, id, FV_VISIT_SUBMITTED, &err)) != FV_OK ||
	    (st = fv_store_commit(s, &err)) != FV_OK || (st = fv_visit_get(s, id, 0, &v, &err)) != FV_OK)
		goto fail;
	if (a->json)
		fv_cli_print_json(json_pack("{s:s, s:i, s:o, s:o, s:o}", "id", id, "version", v.version,
					    "score", score_json(v.score), "band", opt_string(v.band),
					    "alerts", words(v.alerts)));
	else
		puts(id);
	print_alerts(f, &v);
	rc = 0;
	goto out;
fail:
	fv_store_rollback(s);
	rc = fv_cli_fail(st, &err);
out:
	fv_visit_release(&v);
	fv_visit_release(&d);
	fv_form_free(f);
	fv_store_close(s);
	fv_answers_release(&changes);
	fv_answers_release(&all);
	fv_errors_release(&err);
	return rc;
}

/* ------------------------------------------------------------------ */
/* list and show                                                       */

typedef struct name_of {
	const char *id, *name;
} name_of;

static int by_id(const void *a, const void *b)
{
	return strcmp(((const name_of *)a)->id, ((const name_of *)b)->id);
}

static void print_visit_table(const fv_visit *visits, size_t n, const fv_person *people,
			      size_t npeople)
{
	enum { NCOLS = 7 };
	name_of *names = fv_xcalloc(npeople ? npeople : 1, sizeof *names);
	const char **cells = fv_xcalloc((n + 1) * NCOLS, sizeof *cells);
	char (*scores)[32] = fv_xcalloc(n ? n : 1, sizeof *scores);
	const char *head[NCOLS] = {"ID", "DATE", "PERSON", "FORM", "STATE", "SCORE", "BAND"};

	for (size_t i = 0; i < npeople; i++)
		names[i] = (name_of){people[i].id, people[i].name};
	qsort(names, npeople, sizeof *names, by_id);
	memcpy(cells, head, sizeof head);
	for (size_t i = 0; i < n; i++) {
		const fv_visit *v = &visits[i];
		name_of key = {v->person, NULL};
		const name_of *who = npeople ? bsearch(&key, names, npeople, sizeof *names, by_id)
					     : NULL;
		if (!isnan(v->score))
			snprintf(scores[i], sizeof scores[i], "%.15g", v->score);
		const char *row[NCOLS] = {v->id, v->visit_date, who ? who->name : v->person,
					  v->form_id, fv_visit_state_name(v->state), scores[i],
					  v->band};
		memcpy(cells + (i + 1) * NCOLS, row, sizeof row);
	}
	fv_cli_table(stdout, cells, n + 1, NCOLS);
	free(scores);
	free(cells);
	free(names);
}

static json_t *visit_json_item(const void *item)
{
	return fv_cli_visit_json(item);
}

static int visit_list(args *a)
{
	fv_visit_query q = {.person = a->person, .states = a->states};
	fv_visit *visits = NULL;
	fv_person *people = NULL;
	size_t n = 0, npeople = 0;
	fv_store *s;
	fv_errors err;
	fv_status st;
	int rc;

	if ((a->due || a->overdue) && a->states) {
		fv_cli_error("visit list: --state cannot go with --due or --overdue");
		return 2;
	}
	if (a->date && !a->due && !a->overdue) {
		fv_cli_error("visit list: --date goes with --due or --overdue");
		return 2;
	}
	if ((rc = fv_cli_open_store(&a->store, &s)) != 0)
		return rc;
	if (a->due || a->overdue) {
		rc = fv_cli_visit_due(s, a->person, a->date, !a->due, a->json);
		fv_store_close(s);
		return rc;
	}
	fv_errors_init(&err);
	if ((st = fv_visit_list(s, &q, &visits, &n, &err)) != FV_OK ||
	    (!a->json && n && (st = fv_person_list(s, NULL, &people, &npeople, &err)) != FV_OK)) {
		rc = fv_cli_fail(st, &err);
	} else if (a->json) {
		fv_cli_print_json_items(visits, n, sizeof *visits, visit_json_item);
	} else if (n) {
		print_visit_table(visits, n, people, npeople);
	}
	fv_person_list_free(people, npeople);
	fv_visit_list_free(visits, n);
	fv_errors_release(&err);
	fv_store_close(s);
	return rc;
}

static void print_visit_text(const fv_visit *v, const char *person_name)
{
	char *version = fv_xasprintf("%d", v->version);
	char *person = fv_xasprintf("%s%s%s%s", v->person, *person_name ? " (" : "", person_name,
				    *person_name ? ")" : "");
	char *form = fv_xasprintf("%s version %s", v->form_id, v->form_version);
	char *duration = v->duration >= 0 ? fv_xasprintf("%d min", v->duration) : fv_xstrdup("");
	char score[32] = "";
	if (!isnan(v->score))
		snprintf(score, sizeof score, "%.15g", v->score);
	const char *rows[][2] = {
		{"id", v->id}, {"version", version}, {"state", fv_visit_state_name(v->state)},
		{"person", person}, {"form", form}, {"visit date", v->visit_date},
		{"check-in", v->checkin}, {"check-out", v->checkout}, {"duration", duration},
		{"services", v->services}, {"score", score}, {"band", v->band},
		{"alerts", v->alerts}, {"author", v->author}, {"created", v->created_at},
		{"updated", v->updated_at}, {"submitted", v->submitted_at},
	};
	fv_cli_table(stdout, &rows[0][0], sizeof rows / sizeof rows[0], 2);

	/* the answers, in form order, as the store keeps them */
	json_t *answers = json_loads(v->answers ? v->answers : "{}", 0, NULL);
	if (json_object_size(answers)) {
		size_t n = json_object_size(answers), i = 0;
		/* an empty first column indents the answers */
		const char **cells = fv_xcalloc(n * 3, sizeof *cells);
		const char *key;
		json_t *value;
		puts("answers:");
		json_object_foreach(answers, key, value) {
			cells[i * 3] = "";
			cells[i * 3 + 1] = key;
			cells[i * 3 + 2] = json_is_string(value) ? json_string_value(value) : "";
			i++;
		}
		fv_cli_table(stdout, cells, n, 3);
		free(cells);
	}
	json_decref(answers);
	free(version);
	free(person);
	free(form);
	free(duration);
}

static int visit_show(args *a)
{
	fv_visit v = {0};
	fv_person p = {0};
	fv_store *s;
	fv_errors err;
	fv_status st;
	int rc = fv_cli_open_store(&a->store, &s);

	if (rc != 0)
		return rc;
	fv_errors_init(&err);
	if ((st = fv_visit_get(s, a->arg, 0, &v, &err)) != FV_OK) {
		rc = fv_cli_fail(st, &err);
	} else if (a->json) {
		fv_cli_print_json(fv_cli_visit_json(&v));
	} else {
		/* the name is a courtesy: a visit whose person cannot be read
		 * still shows */
		fv_errors quiet;
		fv_errors_init(&quiet);
		if (fv_person_get(s, v.person, &p, &quiet) != FV_OK)
			fv_person_release(&p);
		print_visit_text(&v, p.name ? p.name : "");
		fv_errors_release(&quiet);
	}
	fv_person_release(&p);
	fv_visit_release(&v);
	fv_errors_release(&err);
	fv_store_close(s);
	return rc;
}

int fv_cmd_visit(int argc, char **argv)
{
	static const struct sub {
		const char *name;
		const struct option *opts;
		const char *arg;
		int (*run)(args *a);
	} subs[] = {
		{"submit", submit_opts, "form", visit_submit},
		{"list", list_opts, NULL, visit_list},
		{"show", show_opts, "visit's id", visit_show},
		{"correct", correct_opts, "visit's id", visit_correct},
	};
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		visit_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		if (strcmp(argv[1], subs[i].name) != 0)
			continue;
		args a;
		int rc = parse(argc - 1, argv + 1, subs[i].opts, subs[i].arg, &a);
		if (rc < 0)
			rc = subs[i].run(&a);
		free(a.services);
		return rc;
	}
	fv_cli_error("visit: unknown subcommand '%s' (submit, list, show or correct)", argv[1]);
	return 2;
}
