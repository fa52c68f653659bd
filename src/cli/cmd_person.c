/*
 * fieldvisit person add|edit|archive|list|show: the people served.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/store.h"

static void person_usage(FILE *fp)
{
	fputs("Usage: fieldvisit person add --name NAME --id RESIDENT_ID --sex female|male\n"
	      "                  --birth YYYY-MM-DD --village NAME [--household ID]\n"
	      "                  [--phone PHONE] [--category CODE]... [--contact NAME:PHONE]...\n"
	      "                  [--json]\n"
	      "       fieldvisit person edit ID [the options of add, each optional]\n"
	      "       fieldvisit person archive ID --status moved|died|archived\n"
	      "                  --date YYYY-MM-DD --reason TEXT [--json]\n"
	      "       fieldvisit person list [--village NAME] [--status STATUS] [--name TEXT]\n"
	      "                  [--json]\n"
	      "       fieldvisit person show ID [--json]\n"
	      "\n"
	      "add      register a person; prints the new id\n"
	      "edit     change the fields given (\"\" clears an optional one; --category and\n"
	      "         --contact, when given, replace all categories or contacts)\n"
	      "archive  mark a person moved, died or archived (people are never deleted)\n"
	      "list     people sorted by village and name, with their last visit\n"
	      "show     every field of one person\n"
	      "\n"
	      "  --name NAME          full name (list: people whose name holds NAME)\n"
	      "  --id RESIDENT_ID     18-character resident identity number (also\n"
	      "                       --resident-id); must match --birth and --sex\n"
	      "  --sex SEX            female or male\n"
	      "  --birth DATE         birth date, YYYY-MM-DD\n"
	      "  --village NAME       village (list: the people of this village)\n"
	      "  --household ID       household id (letters, digits, '-', '_')\n"
	      "  --phone PHONE        7 to 15 digits\n"
	      "  --category CODE      shidu, shangcan, gaoling, zili, banshineng, shineng,\n"
	      "                       ec_user, iud_user, migrant, newlywed (repeat it, or\n"
	      "                       separate codes with commas)\n"
	      "  --contact NAME:PHONE a contact person (at most two; the phone is optional)\n"
	      "  --status STATUS      archive: moved, died or archived; list: also active\n"
	      "  --date DATE          the date of the move or death\n"
	      "  --reason TEXT        why (at most 200 characters)\n"
	      "  --json               print JSON (add: {\"id\": ...}; edit and archive: the\n"
	      "                       person; list: an array of people)\n"
	      "  --store PATH         the store (see 'fieldvisit --help')\n"
	      "  --passphrase-file F  read the passphrase from the first line of F\n"
	      "  -h, --help           show this help\n",
	      fp);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

/* Text from the store, which holds valid UTF-8 only (checked on the way in,
 * also on import): no need to check it again, once per field of thousands
 * of people. */
static json_t *text(const char *s)
{
	return json_string_nocheck(s);
}

/* A text field: null when not set. */
static json_t *opt_string(const char *s)
{
	return s && *s ? text(s) : json_null();
}

/* Space-separated codes as an array. */
static json_t *codes_array(const char *list)
{
	json_t *a = json_array();
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " ");
		if (n)
			json_array_append_new(a, json_stringn_nocheck(p, n));
		p += n;
		p += strspn(p, " ");
	}
	return a;
}

json_t *fv_cli_person_json(const fv_person *p)
{
	json_t *o = json_object(), *contacts = json_array();
	for (int k = 0; k < 2; k++) {
		if (!*p->contact_name[k] && !*p->contact_phone[k])
			continue;
		json_t *c = json_object();
		json_object_set_new_nocheck(c, "name", text(p->contact_name[k]));
		json_object_set_new_nocheck(c, "phone", opt_string(p->contact_phone[k]));
		json_array_append_new(contacts, c);
	}
	/* built field by field: json_pack's format parsing cost a third of
	 * `person list --json` over 10,000 people */
	json_object_set_new_nocheck(o, "id", text(p->id));
	json_object_set_new_nocheck(o, "version", json_integer(p->version));
	json_object_set_new_nocheck(o, "author", text(p->author));
	json_object_set_new_nocheck(o, "name", text(p->name));
	json_object_set_new_nocheck(o, "sex", text(p->sex));
	json_object_set_new_nocheck(o, "birth", text(p->birth));
	json_object_set_new_nocheck(o, "resident_id", text(p->resident_id));
	json_object_set_new_nocheck(o, "phone", opt_string(p->phone));
	json_object_set_new_nocheck(o, "village", text(p->village));
	json_object_set_new_nocheck(o, "household", opt_string(p->household));
	json_object_set_new_nocheck(o, "categories", codes_array(p->categories));
	json_object_set_new_nocheck(o, "contacts", contacts);
	json_object_set_new_nocheck(o, "status", text(p->status));
	json_object_set_new_nocheck(o, "status_date", opt_string(p->status_date));
	json_object_set_new_nocheck(o, "status_reason", opt_string(p->status_reason));
	json_object_set_new_nocheck(o, "last_visit", opt_string(p->last_visit));
	json_object_set_new_nocheck(o, "created_at", text(p->created_at));
	json_object_set_new_nocheck(o, "updated_at", text(p->updated_at));
	return o;
}

/* ------------------------------------------------------------------ */
/* Options                                                             */

enum {
	O_NAME = 256, O_RID, O_SEX, O_BIRTH, O_VILLAGE, O_HOUSEHOLD, O_PHONE, O_CATEGORY,
	O_CONTACT, O_STATUS, O_DATE, O_REASON, O_JSON, O_STORE, O_PASSFILE,
};

/* Which options each subcommand takes. */
#define FIELD_OPTS                                                                   \
	{"name", required_argument, NULL, O_NAME},                                  \
	{"id", required_argument, NULL, O_RID},                                     \
	{"resident-id", required_argument, NULL, O_RID},                            \
	{"sex", required_argument, NULL, O_SEX},                                    \
	{"birth", required_argument, NULL, O_BIRTH},                                \
	{"village", required_argument, NULL, O_VILLAGE},                            \
	{"household", required_argument, NULL, O_HOUSEHOLD},                        \
	{"phone", required_argument, NULL, O_PHONE},                                \
	{"category", required_argument, NULL, O_CATEGORY},                          \
	{"contact", required_argument, NULL, O_CONTACT}
#define COMMON_OPTS                                                                  \
	{"json", no_argument, NULL, O_JSON},                                        \
	{"store", required_argument, NULL, O_STORE},                                \
	{"passphrase-file", required_argument, NULL, O_PASSFILE},                   \
	{"help", no_argument, NULL, 'h'},                                           \
	{NULL, 0, NULL, 0}

static const struct option edit_opts[] = {FIELD_OPTS, COMMON_OPTS};
static const struct option archive_opts[] = {
	{"status", required_argument, NULL, O_STATUS},
	{"date", required_argument, NULL, O_DATE},
	{"reason", required_argument, NULL, O_REASON},
	COMMON_OPTS,
};
static const struct option list_opts[] = {
	{"village", required_argument, NULL, O_VILLAGE},
	{"status", required_argument, NULL, O_STATUS},
	{"name", required_argument, NULL, O_NAME},
	COMMON_OPTS,
};
static const struct option show_opts[] = {COMMON_OPTS};

typedef struct args {
	fv_person_input in;
	fv_buf categories;
	int ncategories;
	char *contacts[2][2];   /* [k][0] name, [k][1] phone, malloc'ed */
	int ncontacts;
	int given;              /* fields given, for edit */
	const char *status, *date, *reason;
	int json;
	fv_cli_store_opts store;
	const char *id;         /* the positional ID */
} args;

static void args_release(args *a)
{
	fv_buf_release(&a->categories);
	for (int k = 0; k < 2; k++) {
		free(a->contacts[k][0]);
		free(a->contacts[k][1]);
	}
}

/* Split NAME:PHONE at its last colon (ASCII or the full-width one Chinese
 * input methods type); no colon: a name only. */
static void split_contact(const char *v, char **name, char **phone)
{
	static const char wide[] = "\xef\xbc\x9a";   /* U+FF1A FULLWIDTH COLON */
	const char *colon = strrchr(v, ':'), *w = NULL;
	size_t skip = 1;
	for (const char *p = strstr(v, wide); p; p = strstr(p + 1, wide))
		w = p;
	if (w && (!colon || w > colon)) {
		colon = w;
		skip = sizeof wide - 1;
	}
	if (!colon) {
		*name = fv_xstrdup(v);
		*phone = fv_xstrdup("");
		return;
	}
	*name = fv_xstrndup(v, (size_t)(colon - v));
	*phone = fv_xstrdup(colon + skip);
}

/*
 * Parse the options of `person SUB` (argv[0] is SUB) into a.  want_id: one
 * positional ID is required.  Returns -1 to go on, else the exit code.
 */
static int parse(int argc, char **argv, const struct option *opts, int want_id, args *a)
{
	char cmd[32];
	int c;

	snprintf(cmd, sizeof cmd, "person %s", argv[0]);
	memset(a, 0, sizeof *a);
	fv_buf_init(&a->categories);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case O_NAME: a->in.name = optarg; a->given++; break;
		case O_RID: a->in.resident_id = optarg; a->given++; break;
		case O_SEX: a->in.sex = optarg; a->given++; break;
		case O_BIRTH: a->in.birth = optarg; a->given++; break;
		case O_VILLAGE: a->in.village = optarg; a->given++; break;
		case O_HOUSEHOLD: a->in.household = optarg; a->given++; break;
		case O_PHONE: a->in.phone = optarg; a->given++; break;
		case O_CATEGORY:
			fv_buf_addf(&a->categories, "%s%s", a->ncategories++ ? " " : "", optarg);
			for (char *p = a->categories.s; (p = strchr(p, ',')); p++)
				*p = ' ';
			a->given++;
			break;
		case O_CONTACT:
			if (a->ncontacts == 2) {
				fv_cli_error("%s: at most two --contact", cmd);
				return 2;
			}
			split_contact(optarg, &a->contacts[a->ncontacts][0],
				      &a->contacts[a->ncontacts][1]);
			a->ncontacts++;
			a->given++;
			break;
		case O_STATUS: a->status = optarg; break;
		case O_DATE: a->date = optarg; break;
		case O_REASON: a->reason = optarg; break;
		case O_JSON: a->json = 1; break;
		case O_STORE: a->store.store = optarg; break;
		case O_PASSFILE: a->store.passphrase_file = optarg; break;
		case 'h': person_usage(stdout); return 0;
		default: return fv_cli_bad_option(cmd, c, argv);
		}
	}
	if (want_id && optind < argc)
		a->id = argv[optind++];
	if (want_id && !a->id) {
		fv_cli_error("%s: give the person's id (see 'fieldvisit person --help')", cmd);
		return 2;
	}
	if (optind < argc)
		return fv_cli_unexpected(cmd, "person", argv[optind]);
	if (a->ncategories)
		a->in.categories = a->categories.s;
	/* given contacts replace both: the ones not given are cleared */
	for (int k = 0; a->ncontacts && k < 2; k++) {
		if (!a->contacts[k][0]) {
			a->contacts[k][0] = fv_xstrdup("");
			a->contacts[k][1] = fv_xstrdup("");
		}
		a->in.contact_name[k] = a->contacts[k][0];
		a->in.contact_phone[k] = a->contacts[k][1];
	}
	return -1;
}

/* Print person id of the open store as JSON. */
static int print_person(fv_store *s, const char *id)
{
	fv_person p;
	fv_errors err;
	fv_errors_init(&err);
	fv_status st = fv_person_get(s, id, &p, &err);
	int rc = 0;
	if (st == FV_OK)
		fv_cli_print_json(fv_cli_person_json(&p));
	else
		rc = fv_cli_fail(st, &err);
	fv_person_release(&p);
	fv_errors_release(&err);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The subcommands (the store is open)                                 */

static int person_add(fv_store *s, args *a, fv_errors *err)
{
	char id[FV_ID_BYTES];
	fv_status st = fv_person_add(s, &a->in, id, err);
	if (st != FV_OK)
		return fv_cli_fail(st, err);
	if (a->json)
		fv_cli_print_json(json_pack("{s:s}", "id", id));
	else
		puts(id);
	return 0;
}

static int person_edit(fv_store *s, args *a, fv_errors *err)
{
	fv_status st = fv_person_edit(s, a->id, &a->in, err);
	if (st != FV_OK)
		return fv_cli_fail(st, err);
	return a->json ? print_person(s, a->id) : 0;
}

static int person_archive(fv_store *s, args *a, fv_errors *err)
{
	fv_status st = fv_person_archive(s, a->id, a->status, a->date, a->reason, err);
	if (st != FV_OK)
		return fv_cli_fail(st, err);
	return a->json ? print_person(s, a->id) : 0;
}

static json_t *person_json_item(const void *item)
{
	return fv_cli_person_json(item);
}

static int person_list(fv_store *s, args *a, fv_errors *err)
{
	fv_person_query q = {.village = a->in.village, .status = a->status, .name = a->in.name};
	fv_person *people;
	size_t n;
	fv_status st = fv_person_list(s, &q, &people, &n, err);
	if (st != FV_OK)
		return fv_cli_fail(st, err);
	if (a->json) {
		fv_cli_print_json_items(people, n, sizeof *people, person_json_item);
	} else if (n) {
		enum { NCOLS = 7 };
		const char **cells = fv_xcalloc((n + 1) * NCOLS, sizeof *cells);
		const char *head[NCOLS] = {"ID", "NAME", "SEX", "BIRTH", "VILLAGE", "STATUS",
					   "LAST VISIT"};
		memcpy(cells, head, sizeof head);
		for (size_t i = 0; i < n; i++) {
			const fv_person *p = &people[i];
			const char *row[NCOLS] = {p->id, p->name, p->sex, p->birth, p->village,
						  p->status, p->last_visit};
			memcpy(cells + (i + 1) * NCOLS, row, sizeof row);
		}
		fv_cli_table(stdout, cells, n + 1, NCOLS);
		free(cells);
	}
	fv_person_list_free(people, n);
	return 0;
}

static int person_show(fv_store *s, args *a, fv_errors *err)
{
	fv_person p;
	fv_status st = fv_person_get(s, a->id, &p, err);
	if (st != FV_OK) {
		fv_person_release(&p);
		return fv_cli_fail(st, err);
	}
	if (a->json) {
		fv_cli_print_json(fv_cli_person_json(&p));
	} else {
		char *contact[2], *version = fv_xasprintf("%d", p.version);
		for (int k = 0; k < 2; k++)
			contact[k] = fv_xasprintf("%s%s%s", p.contact_name[k],
						  *p.contact_phone[k] ? " " : "", p.contact_phone[k]);
		const char *rows[][2] = {
			{"id", p.id}, {"name", p.name}, {"sex", p.sex}, {"birth", p.birth},
			{"resident ID", p.resident_id}, {"phone", p.phone}, {"village", p.village},
			{"household", p.household}, {"categories", p.categories},
			{"contact 1", contact[0]}, {"contact 2", contact[1]}, {"status", p.status},
			{"status date", p.status_date}, {"status reason", p.status_reason},
			{"last visit", p.last_visit}, {"version", version}, {"author", p.author},
			{"created", p.created_at}, {"updated", p.updated_at},
		};
		fv_cli_table(stdout, &rows[0][0], sizeof rows / sizeof rows[0], 2);
		free(contact[0]);
		free(contact[1]);
		free(version);
	}
	fv_person_release(&p);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Checks of the command line, before the store is opened (-1: fine)   */

static int check_add(const args *a)
{
	const char *missing = !a->in.name ? "--name" : !a->in.resident_id ? "--id"
			    : !a->in.sex ? "--sex" : !a->in.birth ? "--birth"
			    : !a->in.village ? "--village" : NULL;
	if (!missing)
		return -1;
	fv_cli_error("person add: %s is required (see 'fieldvisit person --help')", missing);
	return 2;
}

static int check_edit(const args *a)
{
	if (a->given)
		return -1;
	fv_cli_error("person edit: give a field to change (see 'fieldvisit person --help')");
	return 2;
}

static int check_archive(const args *a)
{
	if (a->status && a->date && a->reason)
		return -1;
	fv_cli_error("person archive: give --status, --date and --reason");
	return 2;
}

static int check_list(const args *a)
{
	static const char *const statuses[] = {"active", "moved", "died", "archived"};
	for (size_t k = 0; a->status && k < sizeof statuses / sizeof statuses[0]; k++)
		if (strcmp(a->status, statuses[k]) == 0)
			return -1;
	if (!a->status)
		return -1;
	fv_cli_error("person list: --status is active, moved, died or archived, not '%s'",
		     a->status);
	return 2;
}

static int check_none(const args *a)
{
	(void)a;
	return -1;
}

static const struct sub {
	const char *name;
	const struct option *opts;
	int want_id;
	int (*check)(const args *a);
	int (*run)(fv_store *s, args *a, fv_errors *err);
} subs[] = {
	{"add", edit_opts, 0, check_add, person_add},
	{"edit", edit_opts, 1, check_edit, person_edit},
	{"archive", archive_opts, 1, check_archive, person_archive},
	{"list", list_opts, 0, check_list, person_list},
	{"show", show_opts, 1, check_none, person_show},
};

int fv_cmd_person(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		person_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		if (strcmp(argv[1], subs[i].name) != 0)
			continue;
		args a;
		fv_store *s;
		fv_errors err;
		int rc = parse(argc - 1, argv + 1, subs[i].opts, subs[i].want_id, &a);
		if (rc < 0)
			rc = subs[i].check(&a);
		if (rc < 0 && (rc = fv_cli_open_store(&a.store, &s)) == 0) {
			fv_errors_init(&err);
			rc = subs[i].run(s, &a, &err);
			fv_errors_release(&err);
			fv_store_close(s);
		}
		args_release(&a);
		return rc;
	}
	fv_cli_error("person: unknown subcommand '%s' (add, edit, archive, list or show)",
		     argv[1]);
	return 2;
}
