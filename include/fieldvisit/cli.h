/*
 * fieldvisit command line: one file per command under src/cli/, a table of
 * commands in src/cli/cli.c that also prints --help.
 */
#ifndef FIELDVISIT_CLI_H
#define FIELDVISIT_CLI_H

#include <stdio.h>

#include "fieldvisit/core.h"

/* Run fieldvisit with its arguments; returns the process exit code
 * (0 ok, 1 rejected input, 2 usage, 3 wrong passphrase, 4 store or file). */
int fv_cli_main(int argc, char **argv);

/* Print "fieldvisit: " and the message to stderr. */
void fv_cli_error(const char *fmt, ...) FV_PRINTF(1, 2);
/* Print every line of err as an error; returns the number printed. */
size_t fv_cli_errors(const fv_errors *err);
/* Print the lines of err and return the exit code of st
 * (fv_status_exit). */
int fv_cli_fail(fv_status st, const fv_errors *err);

/*
 * The one-line error for what getopt_long returned when it did not take an
 * option: '?' (unknown option) or ':' (missing argument; the option
 * string must start with ':'), with opterr = 0.  cmd names the command
 * ("person add").  Prints "fieldvisit: CMD: unknown option '--x' (see
 * 'fieldvisit CMD --help')" or "...: option '--x' needs a value" and
 * returns 2.
 */
int fv_cli_bad_option(const char *cmd, int c, char **argv);
/* The one-line error for an argument a command does not take: prints
 * "fieldvisit: CMD: unexpected argument 'ARG' (see 'fieldvisit HELP --help')"
 * and returns 2. */
int fv_cli_unexpected(const char *cmd, const char *help, const char *arg);

/* Columns that UTF-8 text takes on a terminal (wcwidth: a Chinese
 * character takes two; invalid bytes and unknown characters one). */
size_t fv_cli_width(const char *s);
/*
 * Print a table of nrows rows of ncols cells (row-major; row 0 is the
 * header): each column padded to its widest cell by display width,
 * columns separated by two spaces, no trailing blanks.  Control characters
 * and bytes that are not UTF-8 are shown as \xNN (C1 controls as \uNNNN):
 * text from the store never drives the terminal.
 */
void fv_cli_table(FILE *fp, const char *const *cells, size_t nrows, size_t ncols);

struct json_t;
/* Print j on stdout, indented, keys in insertion order, and drop it. */
void fv_cli_print_json(struct json_t *j);
/* Print n items (each size bytes) as a JSON array, one element per line,
 * converting one at a time: a list of thousands never becomes one document
 * in memory. */
void fv_cli_print_json_items(const void *items, size_t n, size_t size,
			     struct json_t *(*to_json)(const void *item));

/* The commands (src/cli/cmd_*.c).  argv[0] is the command's own name;
 * each returns the exit code. */
int fv_cmd_form(int argc, char **argv);
int fv_cmd_init(int argc, char **argv);
int fv_cmd_person(int argc, char **argv);
int fv_cmd_visit(int argc, char **argv);
int fv_cmd_export(int argc, char **argv);
int fv_cmd_passwd(int argc, char **argv);
int fv_cmd_recover(int argc, char **argv);
int fv_cmd_generate(int argc, char **argv);
int fv_cmd_check(int argc, char **argv);
int fv_cmd_rules(int argc, char **argv);
int fv_cmd_alert(int argc, char **argv);
/* The terminal screens: `fieldvisit [--demo] [--lang zh|en] [--store PATH]`
 * (src/cli/cmd_ui.c); argv[0] is "fieldvisit". */
int fv_cmd_ui(int argc, char **argv);
/* Hidden: print the KEYS section of fieldvisit(1) from the screens' action
 * table (`make man-keys` splices it into man/fieldvisit.1). */
int fv_cmd_ui_keys_man(int argc, char **argv);
int fv_cmd_bundle(int argc, char **argv);   /* cmd_bundle.c */
int fv_cmd_team(int argc, char **argv);
int fv_cmd_review(int argc, char **argv);
int fv_cmd_report(int argc, char **argv);   /* cmd_report.c */

/*
 * The folder of the data files assets/SUB ("demo", "rules"):
 * $FIELDVISIT_ASSETS_DIR/SUB when that variable is set, else the source
 * tree's assets/SUB when it exists (a program run from its build tree),
 * else the installed FV_DATADIR/assets/SUB.  The caller frees.
 */
char *fv_cli_assets_dir(const char *sub);
/* The folder of the shipped forms: $FIELDVISIT_FORMS_DIR, else the
 * installed FV_DATADIR/forms when it exists, else the source tree's
 * forms/.  A static string or the environment's: do not free. */
const char *fv_cli_forms_dir(void);

struct fv_store;
struct fv_person;
struct fv_visit;
struct vault_pwcost;
struct fv_rules;
struct fv_sched_item;

/*
 * The JSON form of a person (every field; optional fields not set are
 * null, categories an array of codes, contacts an array of {name, phone})
 * and of a visit (every field; answers, when v->answers is not NULL, as
 * the stored object).  `person show --json`, `visit show --json` and
 * `export --format jsonl` give these objects.  The caller owns the result.
 */
struct json_t *fv_cli_person_json(const struct fv_person *p);
struct json_t *fv_cli_visit_json(const struct fv_visit *v);

/* ---- schedules (cmd_due.c) ---- */

/* Load the rule tables into *out: those the store s holds (sent down by
 * the supervisor), else those of the assets dir (s NULL: the assets
 * dir); 0, or the exit code after printing every problem. */
int fv_cli_load_rules(struct fv_store *s, struct fv_rules **out);
/* A schedule item as JSON: type, state, from, due, needed, done, why
 * (in words), and what asks for it (category and rule_line, makeup_of,
 * festival, form_id, alert, source). */
struct json_t *fv_cli_sched_item_json(const struct fv_rules *r, const struct fv_sched_item *it);
/* `visit list --due|--overdue [--person ID] [--date D] [--json]` over the
 * open store s; returns the exit code. */
int fv_cli_visit_due(struct fv_store *s, const char *person, const char *date,
		     int overdue_only, int as_json);
/* The next visit proposed for person after a visit on visit_date, as
 * {"date", "for": item}, or NULL when the person has no rule (problems
 * reading the rules are printed; the visit stays submitted). */
struct json_t *fv_cli_propose(struct fv_store *s, const char *person, const char *visit_date);

/* The options of every command that opens a store. */
typedef struct fv_cli_store_opts {
	const char *store;            /* --store PATH */
	const char *passphrase_file;  /* --passphrase-file FILE */
} fv_cli_store_opts;

/*
 * The path of the store of o: --store PATH, else $FIELDVISIT_STORE, else
 * the only store (*.fv) in the default folder ($XDG_DATA_HOME/fieldvisit);
 * with several, "several stores in DIR (a, b): choose one with --store"
 * (exit 2); with none, "no store in DIR: ..." (exit 4).  *path is
 * malloc'ed.  Prints any error and returns the exit code.
 */
int fv_cli_store_path(const fv_cli_store_opts *o, char **path);

/*
 * The default folder of the stores, $XDG_DATA_HOME/fieldvisit (or
 * ~/.local/share/fieldvisit); the caller frees.  fv_cli_store_list gives
 * the stores in dir: the paths of its regular files NAME.fv, sorted by
 * name, *n of them (0 when dir cannot be read); free them with
 * fv_cli_store_list_free.
 */
char *fv_cli_store_dir(void);
void fv_cli_store_list(const char *dir, char ***paths, size_t *n);
void fv_cli_store_list_free(char **paths, size_t n);

/*
 * Open the store of o (fv_cli_store_path).  The passphrase comes from
 * --passphrase-file (its first line), else $FIELDVISIT_PASSPHRASE, else a
 * prompt on the terminal without echo; it is wiped after use.  The unlock
 * is audited.  Prints any error ("wrong passphrase": exit 3; "store in
 * use": exit 4) and returns the exit code (0: *out is open).
 */
int fv_cli_open_store(const fv_cli_store_opts *o, struct fv_store **out);

/*
 * Passphrases.  The buffer given in *out holds the passphrase as a string;
 * free it with fv_cli_passphrase_free (which wipes it).  Each prints any
 * error and returns the exit code.
 *
 * fv_cli_passphrase: from file (the first line, without its line end) when
 * not NULL, else the environment variable env when set and not empty,
 * else the terminal (/dev/tty, echo off, the terminal restored on every
 * path, signals included) after prompt.  No terminal and no other source:
 * "no passphrase: set ENV or use OPTION" (exit 2; option names the
 * option that gives file).
 *
 * fv_cli_new_passphrase: the same, but on the terminal it is asked twice
 * and both must match (exit 1); checked with vault_passphrase_problem
 * (exit 1 with the reason).
 */
int fv_cli_passphrase(const char *file, const char *option, const char *env,
		      const char *prompt, char **out);
int fv_cli_new_passphrase(const char *file, const char *option, const char *env,
			  const char *prompt, char **out);
void fv_cli_passphrase_free(char *p);

/*
 * The Argon2id cost of a new passphrase slot: vault_pw_calibrate(0.5 s,
 * 64 MiB), or vault_pw_fast() when FIELDVISIT_TEST_FAST_KDF=1, with a
 * warning on stderr.  Starts the vault (vault_init); returns the exit
 * code.
 */
int fv_cli_pwcost(struct vault_pwcost *out);
/* The same choice without starting the vault or printing anything (for the
 * screens): returns 1 when FIELDVISIT_TEST_FAST_KDF=1 chose the cheapest
 * cost, else 0.  vault_init must have run. */
int fv_cli_pwcost_pick(struct vault_pwcost *out);

/*
 * Whether pass opens the key file of the open store s (the full Argon2
 * time): FV_OK, FV_EPASS "wrong passphrase", or FV_EIO as
 * vault_keyfile_unlock.  For asking the current passphrase again before
 * changing it.
 */
FV_MUST_CHECK fv_status fv_cli_check_passphrase(const struct fv_store *s, const char *pass,
						fv_errors *err);
/*
 * Set the new passphrase pass (checked already with
 * vault_passphrase_problem) on the open store s with cost, then audit it
 * as action ("passwd").  *changed is 1 when the key file now holds the new
 * passphrase -- even when the audit then failed (FV_EIO): the old
 * passphrase no longer works and the user must be told.  `passwd`,
 * `recover` and the settings screen go through here.
 */
FV_MUST_CHECK fv_status fv_cli_set_passphrase(struct fv_store *s, const char *pass,
					      const struct vault_pwcost *cost,
					      const char *action, int *changed, fv_errors *err);

/*
 * Fictional demo data (src/cli/cmd_generate.c).  fv_cli_demo_load reads
 * the names and villages of assets/demo/ (every bad line is an error);
 * free with fv_cli_demo_free.  fv_cli_generate adds persons people and
 * visits past visits (PHQ-9 and GAD-7, as installed in s) to the open
 * store s in one transaction (all or nothing), the same from the same seed
 * and day; show_progress prints a percentage on stderr.  *out says what
 * was made.
 */
typedef struct fv_cli_demo fv_cli_demo;
typedef struct fv_cli_generated {
	size_t villages;     /* villages that got people */
	size_t phq9, gad7;   /* visits of each form */
	size_t alerts;       /* visits that raised an alert */
} fv_cli_generated;
FV_MUST_CHECK fv_status fv_cli_demo_load(fv_cli_demo **out, fv_errors *err);
void fv_cli_demo_free(fv_cli_demo *d);
FV_MUST_CHECK fv_status fv_cli_generate(struct fv_store *s, const fv_cli_demo *d,
					long persons, long visits, long seed,
					int show_progress, fv_cli_generated *out,
					fv_errors *err);

#endif
