/*
 * fieldvisit store: one person's encrypted database of people, households,
 * visits and their history.  The only module that includes sqlite3.h.
 *
 * Files of a store at PATH (by default $XDG_DATA_HOME/fieldvisit/NAME.fv):
 *   PATH            the database, every page sealed by the cipher VFS
 *   PATH-wal        its write-ahead log, every frame's page sealed
 *   PATH.keys       the key file (see vault.h), PATH.keys.bak its backup
 * Nothing else is written: no -shm (exclusive locking), no journals, no
 * temp files (temp_store=MEMORY).
 */
#ifndef FIELDVISIT_STORE_H
#define FIELDVISIT_STORE_H

#include <stdint.h>

#include "fieldvisit/core.h"
#include "fieldvisit/forms.h"
#include "fieldvisit/rules.h"
#include "fieldvisit/vault.h"

typedef struct fv_store fv_store;

typedef enum fv_role { FV_ROLE_WORKER, FV_ROLE_SUPERVISOR } fv_role;

const char *fv_role_name(fv_role r);   /* "worker", "supervisor" */
int fv_role_parse(const char *s, fv_role *out);

/* $XDG_DATA_HOME/fieldvisit/NAME.fv (or ~/.local/share/...); caller frees. */
char *fv_store_default_path(const char *name);

typedef struct fv_store_init {
	fv_role role;
	const char *name;            /* the user's name, shown on the unlock screen */
	const char *passphrase;      /* checked with vault_passphrase_problem */
	vault_pwcost cost;           /* Argon2id cost for the passphrase slot */
	const uint8_t *recovery_pk;  /* VAULT_BOX_PK_BYTES */
} fv_store_init;

/*
 * Create a new store at path: a new master key, the key file, the database
 * with the current schema, the shipped forms installed from forms_dir (NULL:
 * none).  Refuses when any file of the store exists already.  On failure
 * nothing is left behind.
 */
FV_MUST_CHECK fv_status fv_store_create(const char *path, const fv_store_init *init,
					const char *forms_dir, fv_store **out, fv_errors *err);

/*
 * Open an existing store.  FV_EPASS "wrong passphrase" (after the Argon2
 * time, nothing changed); FV_EBUSY "PATH: store in use by another
 * fieldvisit"; FV_EIO with a message naming the file when the store is
 * missing, damaged or not a fieldvisit store.  Never creates an empty store
 * in place of a missing one.  Upgrades an older schema (user_version).
 */
FV_MUST_CHECK fv_status fv_store_open(const char *path, const char *passphrase,
				      fv_store **out, fv_errors *err);
/* Open with the recovery secret key instead of the passphrase. */
FV_MUST_CHECK fv_status fv_store_open_recovery(const char *path,
					       const uint8_t sk[VAULT_BOX_SK_BYTES],
					       fv_store **out, fv_errors *err);
/* Checkpoint, close and wipe the keys.  NULL is fine. */
void fv_store_close(fv_store *s);
/*
 * Ask the system to read the files of the store at path into its cache,
 * in the background (posix_fadvise WILLNEED): called when a store is
 * about to be unlocked, so that its pages are read in large sequential
 * reads while the passphrase is typed and the key derived, rather than
 * one page at a time when the first screen needs them.  Only for a store
 * of at most FV_STORE_PREFETCH_MAX bytes, so that a big one does not push
 * the rest of the system out of memory; errors are ignored (it is only a
 * hint).  Reads only the encrypted bytes: nothing is decrypted.
 */
#define FV_STORE_PREFETCH_MAX (512LL << 20)
void fv_store_prefetch(const char *path);

/*
 * One transaction around many changes (a bulk load such as `fieldvisit
 * generate`, an import): begin, then any of the data functions below (each
 * is then a savepoint inside it: a refused change undoes only itself),
 * then commit to save all of it, or rollback to drop all of it.  Nothing
 * is durable before the commit.  Begin refuses a transaction already open
 * (FV_EINVAL); commit without one is FV_EINVAL too; a failed commit rolls
 * the whole transaction back.  rollback does nothing when none is open.
 */
FV_MUST_CHECK fv_status fv_store_begin(fv_store *s, fv_errors *err);
FV_MUST_CHECK fv_status fv_store_commit(fv_store *s, fv_errors *err);
void fv_store_rollback(fv_store *s);
/*
 * Begin a transaction that writes many rows (a bundle's import, an
 * export marking every visit sent): the page cache grows to
 * FV_STORE_BULK_CACHE_KIB for it, so that the indexes it updates stay in
 * memory instead of being written to the log, read back and decrypted
 * again; commit and rollback bring it back to its usual size.  64 MiB:
 * the laptops have 2-4 GB, and a supervisor's store of a year is larger
 * than any cache they can spare.
 */
#define FV_STORE_BULK_CACHE_KIB 65536
FV_MUST_CHECK fv_status fv_store_begin_bulk(fv_store *s, fv_errors *err);

/* Set a new passphrase (rewraps the master key only). */
FV_MUST_CHECK fv_status fv_store_passwd(fv_store *s, const char *passphrase,
					vault_pwcost cost, fv_errors *err);
/* PRAGMA integrity_check; every problem is added to err. */
FV_MUST_CHECK fv_status fv_store_integrity(fv_store *s, fv_errors *err);

fv_role fv_store_role(const fv_store *s);
const char *fv_store_name(const fv_store *s);
const char *fv_store_path(const fv_store *s);
/* This store's device id (UUID), the author of its records. */
const char *fv_store_device(const fv_store *s);

/*
 * Fault injection for tests (the seam under the cipher VFS): fail the Nth
 * write or the Nth fsync from now with EIO, or report the disk full (ENOSPC)
 * from the Nth write on.  0 turns a fault off.  The environment variable
 * FIELDVISIT_FAULT="write:N", "sync:N" or "full:N" sets the same at open,
 * for tests of the real binary.
 */
void fv_store_fault(int fail_write_at, int fail_sync_at, int full_at);

/* ================================================================== */
/* The data: installed forms, people, visits, the audit log            */
/*
 * Conventions of the functions below:
 *   - a function that can fail returns an fv_status and adds one line per
 *     problem to err: rejected input is FV_EINVAL with every problem found
 *     (each line says which field and why), a missing record FV_ENOTFOUND,
 *     a store failure FV_EIO (see store_error);
 *   - a change is one transaction (nested as a savepoint when the caller
 *     has one open): all of it is saved, or nothing;
 *   - ids are UUID v4 text; every person and visit row carries its id,
 *     version (1, then +1 on each change) and author (the device id of the
 *     store that made that version, fv_store_device);
 *   - a struct filled by a _get is released with its _release; a _list
 *     gives a malloc'ed array of n items freed with its _list_free(items,
 *     n); text fields are never NULL ("" when not set) unless said;
 *   - times are written by the store as fv_datetime_format(fv_clock_now()),
 *     "2026-11-23T10:00:00.000+08:00"; dates are "YYYY-MM-DD".
 */

#define FV_ID_BYTES 37   /* a UUID as text, with the NUL */

/* ---- installed forms ---- */

/*
 * Install the XLSForm CSV file at path: it must load with the forms engine
 * (every problem is added to err, FV_EINVAL); its text is stored under its
 * form_id and version.  Installing the same form_id and version again with
 * the same text does nothing; with other text it is refused.  Audited.
 */
FV_MUST_CHECK fv_status fv_store_form_install(fv_store *s, const char *path, fv_errors *err);
/*
 * Load the latest installed version of form_id (versions compare as
 * numbers when both are digits only, as pyxform's 2026112301, else as
 * text).  FV_ENOTFOUND "no form 'x' is installed".  The caller frees *out
 * with fv_form_free().
 */
FV_MUST_CHECK fv_status fv_store_form_load(fv_store *s, const char *form_id, fv_form **out,
					   fv_errors *err);
/* The same for one version (NULL: the latest), as a draft or a visit
 * records it. */
FV_MUST_CHECK fv_status fv_store_form_load_version(fv_store *s, const char *form_id,
						   const char *version, fv_form **out,
						   fv_errors *err);

/* ---- people served ---- */

/*
 * The fields of a person as given by a user.  For fv_person_add, NULL is
 * the same as "" ("not given"); for fv_person_edit, NULL keeps the field
 * as it is and "" clears an optional one.  Text is trimmed; names and
 * villages are at most 100 characters.
 */
typedef struct fv_person_input {
	const char *name;          /* required */
	const char *sex;           /* required: "female" or "male" */
	const char *birth;         /* required: a real date, not in the future */
	/* required: 18 characters, checked with fv_resident_id_check (a final
	 * x is taken as X); its birth date must be birth, its sequence digit
	 * must fit sex; unique in the store */
	const char *resident_id;
	const char *phone;         /* optional: 7 to 15 digits */
	const char *village;       /* required */
	/* optional: the household's id (letters, digits, '-', '_', at most
	 * 64); a household not yet known is created in the person's village */
	const char *household;
	/* optional: space-separated codes, each at most once: shidu (only
	 * child died), shangcan (only child disabled), gaoling (advanced age),
	 * zili (self-care), banshineng (partly disabled), shineng (disabled)
	 * -- at most one of these three care levels --, ec_user (emergency
	 * contraception), iud_user, migrant, newlywed.  Stored in this order;
	 * screen texts are data (assets/). */
	const char *categories;
	/* optional: the two contact persons (township and village cadre); a
	 * phone needs a name */
	const char *contact_name[2];
	const char *contact_phone[2];
	/* optional: the home address (at most 200 characters), kept on the
	 * person's household; a person with none gets a household of their
	 * own, its id the person's id.  Not a field of the person: not sent
	 * by sync. */
	const char *address;
} fv_person_input;

typedef struct fv_person {
	char *id;
	int version;
	char *author;
	char *name, *sex, *birth, *resident_id, *phone, *village, *household, *categories;
	char *contact_name[2], *contact_phone[2];
	char *status;          /* "active", "moved", "died" or "archived" */
	char *status_date;     /* the date of the archiving ("" while active) */
	char *status_reason;
	char *last_visit;      /* date of the last submitted visit, "" if none */
	char *created_at, *updated_at;
} fv_person;

/*
 * Register a new person (status active, version 1) and write the new id
 * into id.  Every problem of the input is reported, for example
 * "resident ID 110105194912310021: check digit should be X"; a resident
 * ID registered already is refused with "resident ID X is already
 * registered (person ID)".  Audited ("person.add").
 */
FV_MUST_CHECK fv_status fv_person_add(fv_store *s, const fv_person_input *in,
				      char id[FV_ID_BYTES], fv_errors *err);
/*
 * Change the fields given in in (see fv_person_input) of person id, with
 * the same checks as add over the result; version + 1 and author this
 * device when anything changed (nothing changed: nothing written).
 * Archived people can be corrected too.  Audited ("person.edit", with the
 * names of the changed fields).
 */
FV_MUST_CHECK fv_status fv_person_edit(fv_store *s, const char *id, const fv_person_input *in,
				       fv_errors *err);
/*
 * Archive person id: status "moved", "died" or "archived", on date (a real
 * date, not in the future, not before the birth), with a reason (required,
 * at most 200 characters).  People are never deleted.  A person archived
 * already is refused.  Version + 1.  Audited ("person.archive").
 */
FV_MUST_CHECK fv_status fv_person_archive(fv_store *s, const char *id, const char *status,
					  const char *date, const char *reason, fv_errors *err);
/* Read person id into *out (released with fv_person_release). */
FV_MUST_CHECK fv_status fv_person_get(fv_store *s, const char *id, fv_person *out,
				      fv_errors *err);
void fv_person_release(fv_person *p);

/* Which people fv_person_list gives; NULL fields do not filter. */
typedef struct fv_person_query {
	const char *village;   /* exactly this village */
	const char *status;    /* "active", "moved", "died" or "archived" */
	const char *name;      /* the name contains this text */
	const char *household; /* exactly this household */
} fv_person_query;

/*
 * The people matching q (NULL: everyone), sorted by village, then name,
 * each with the date of the last submitted visit.  One indexed query:
 * 10,000 people with 100,000 visits list in milliseconds.
 */
FV_MUST_CHECK fv_status fv_person_list(fv_store *s, const fv_person_query *q,
				       fv_person **out, size_t *n, fv_errors *err);
void fv_person_list_free(fv_person *items, size_t n);

/* ---- visits ---- */

/*
 * The life of a visit (DESIGN.md section 2):
 *   draft -> submitted -> sent -> received -> approved | returned
 *   returned -> draft (a new version, version + 1)
 * A version that left the draft state never changes again.
 */
typedef enum fv_visit_state {
	FV_VISIT_DRAFT,
	FV_VISIT_SUBMITTED,
	FV_VISIT_SENT,
	FV_VISIT_RECEIVED,
	FV_VISIT_APPROVED,
	FV_VISIT_RETURNED,
} fv_visit_state;
#define FV_VISIT_NSTATES 6

#define FV_VISIT_BIT(state) (1u << (state))   /* for fv_visit_query.states */

const char *fv_visit_state_name(fv_visit_state st);   /* "draft", ... */
/* Returns 1 and sets *out when s names a state. */
int fv_visit_state_parse(const char *s, fv_visit_state *out);

/* What a visit records besides the answers. */
typedef struct fv_visit_input {
	const char *person;     /* the person's id: registered and active */
	/* optional check-in and check-out, ISO date-times (or dates); the
	 * check-out not before the check-in */
	const char *checkin, *checkout;
	/* optional: space-separated codes of the services given, each at most
	 * once: meals, cleaning, urgent (urgent help, repairs), care (personal
	 * care), comfort (visit, chat, health advice), errands (blood pressure,
	 * shopping).  Stored in this order. */
	const char *services;
} fv_visit_input;

typedef struct fv_visit {
	char *id;
	int version;
	char *author;
	char *person;
	char *form_id, *form_version;
	fv_visit_state state;
	char *answers;        /* JSON object; NULL in fv_visit_list results */
	char *checkin, *checkout;
	int duration;         /* minutes from check-in to check-out; -1 unknown */
	char *services;
	double score;         /* the form's `score`; NAN when none */
	char *band;           /* the form's `band` */
	char *alerts;         /* kinds of the alerts the visit raised (any version), space-separated */
	char *visit_date;     /* the date of the visit ("" until submitted) */
	char *created_at, *updated_at, *submitted_at;
} fv_visit;

/*
 * Submit a new visit of form f (installed in the store) about in->person.
 * The answers always go through the forms engine (fv_instance_apply and
 * fv_instance_report): any problem refuses the visit with FV_EINVAL and
 * one line "name: message" per problem.  Saved in one transaction: the
 * values of the instance as a JSON object, score, band, an alert row for
 * each alert_<kind> raised, the duration, the visit date (the check-in's
 * date, else today), state submitted, version 1.  The new id is written
 * into id.  Audited ("visit.submit").
 */
FV_MUST_CHECK fv_status fv_visit_submit(fv_store *s, const fv_form *f,
					const fv_visit_input *in, const fv_answers *a,
					char id[FV_ID_BYTES], fv_errors *err);
/*
 * Save a draft, as often as wanted (after every answer): id "" creates a
 * new draft of form f and writes its id into id; a draft's id replaces
 * its answers, check-in, check-out and services (in->person must be NULL
 * or the draft's person; f must be the draft's form and version).
 * Answers are checked against their question types only: empty required
 * questions and false constraints are kept for later.  Not audited.
 */
FV_MUST_CHECK fv_status fv_visit_save_draft(fv_store *s, const fv_form *f,
					    const fv_visit_input *in, const fv_answers *a,
					    char id[FV_ID_BYTES], fv_errors *err);
/*
 * The same from an instance of f the caller filled already (the screens'
 * form runner: every value was checked against its type when it was set),
 * so that a save after each answer does not fill the whole form again:
 * its values are stored as fv_visit_save_draft stores a filling of the
 * same answers.
 */
FV_MUST_CHECK fv_status fv_visit_save_draft_instance(fv_store *s, const fv_form *f,
						     const fv_visit_input *vi,
						     const fv_instance *in, char id[FV_ID_BYTES],
						     fv_errors *err);
/*
 * Move the latest version of visit id to state to.  Allowed: draft ->
 * submitted (the whole check of fv_visit_submit, with the form version the
 * draft was made with), submitted -> sent, sent -> received, received ->
 * approved or returned, returned -> draft (a new version + 1 with the same
 * answers, authored by this device).  Anything else is refused with
 * "visit ID: cannot go from sent to draft" (FV_EINVAL).  Audited
 * ("visit.submit" or "visit.state").
 */
FV_MUST_CHECK fv_status fv_visit_move(fv_store *s, const char *id, fv_visit_state to,
				      fv_errors *err);
/* Read version version of visit id (0: the latest) into *out, answers
 * included (released with fv_visit_release). */
FV_MUST_CHECK fv_status fv_visit_get(fv_store *s, const char *id, int version, fv_visit *out,
				     fv_errors *err);
void fv_visit_release(fv_visit *v);

/* Which visits fv_visit_list gives; 0 / NULL fields do not filter. */
typedef struct fv_visit_query {
	const char *person;    /* about this person */
	unsigned states;       /* FV_VISIT_BIT(state) | ...: in one of these */
	const char *form;      /* made with this form (its id) */
	/* dated (visit_date) from and to these days, both included
	 * (YYYY-MM-DD; drafts have no date and are left out by either) */
	const char *from, *to;
	int alerts;            /* 1: only visits that raised an alert (any version) */
	size_t limit;          /* at most this many, the latest dated first */
} fv_visit_query;

/*
 * The latest version of each visit matching q (NULL: all), without the
 * answers, in the order of check-in (or creation when there is none).
 * With q->limit, the q->limit most recently dated of them, in that
 * order.
 */
FV_MUST_CHECK fv_status fv_visit_list(fv_store *s, const fv_visit_query *q, fv_visit **out,
				      size_t *n, fv_errors *err);
/*
 * How many visits match q, whatever their state, in each state:
 * counts[state] for every fv_visit_state (q->states and q->limit are not
 * used).
 */
FV_MUST_CHECK fv_status fv_visit_count(fv_store *s, const fv_visit_query *q,
				       size_t counts[FV_VISIT_NSTATES], fv_errors *err);
void fv_visit_list_free(fv_visit *items, size_t n);

/* ---- what schedules need ---- */

/*
 * The facts fv_schedule_person (rules.h) needs, for every person (person
 * NULL) or one: each person's categories, status and registration date
 * (its `since` is the earlier of the registration date and the first visit
 * read), the visits dated since or later that count (the latest version of
 * each, submitted or past it, not returned), each with its length and the
 * form's followup_due, and the alerts not closed.  One pass over the
 * visits: 10,000 people with 100,000 visits read in tens of
 * milliseconds.  Released with fv_schedule_facts_release.
 */
typedef struct fv_schedule_facts {
	size_t n;
	fv_sched_person *people;   /* sorted by village, then name */
	char **names, **villages;  /* of people[i] */
	/* the storage people[i] points into */
	fv_sched_visit *visits;
	size_t nvisits;
	fv_sched_alert *alerts;
	size_t nalerts;
	char **strings;
	size_t nstrings;
} fv_schedule_facts;

FV_MUST_CHECK fv_status fv_store_schedule_facts(fv_store *s, const char *person, int32_t since,
						fv_schedule_facts *out, fv_errors *err);
void fv_schedule_facts_release(fv_schedule_facts *f);

/* ---- drafts that belong to no one yet ---- */

/*
 * A filling that cannot be a visit draft because its person does not exist
 * yet (registering a person): its answers are kept under name (a short
 * word, e.g. "register"), encrypted in the store like everything else, so
 * that a killed program or a flat battery loses none of them.  put with
 * a NULL or empty a removes it.  get sets *out to the answers kept (empty
 * when none).  Not audited (like drafts).
 */
FV_MUST_CHECK fv_status fv_store_pending_put(fv_store *s, const char *name, const fv_answers *a,
					     fv_errors *err);
FV_MUST_CHECK fv_status fv_store_pending_get(fv_store *s, const char *name, fv_answers *out,
					     fv_errors *err);

/* ---- alerts and referrals ---- */

/*
 * An alert is raised by a submitted visit (a calculate alert_<kind> that
 * is true, see fieldvisit-forms(5)): open, then referred when the worker
 * records what was done and where the person was referred, then closed
 * after a follow-up visit.  A referral is one such record.
 */
typedef struct fv_alert {
	char *id;
	int version;
	char *author;
	char *visit;          /* the visit that raised it ... */
	int visit_version;    /* ... in this version */
	char *person;
	char *kind;           /* "item9", "emergency", "adverse", ... */
	char *message;        /* the form's message, in the language of the filling */
	char *state;          /* "open", "referred" or "closed" */
	char *raised_at, *closed_at;   /* closed_at "" while not closed */
} fv_alert;

typedef struct fv_referral {
	char *id;
	int version;
	char *author;
	char *person, *alert;         /* alert "" for none */
	char *referred_to;            /* where, to whom */
	char *referred_on;            /* the date */
	char *follow_up_on;           /* the next follow-up date, "" none */
	char *outcome;                /* what was done, what came of it */
	char *state;                  /* "open" or "closed" */
	char *created_at, *updated_at;
} fv_referral;

/* The alerts about person (NULL: everyone), not closed ones only when
 * open_only, newest first. */
FV_MUST_CHECK fv_status fv_alert_list(fv_store *s, const char *person, int open_only,
				      fv_alert **out, size_t *n, fv_errors *err);
void fv_alert_list_free(fv_alert *items, size_t n);

/* What a worker records about an alert: where the person was referred
 * (required, at most 200 characters), on which date (a real date, not in
 * the future, not before the alert), the next follow-up date (optional,
 * not before referred_on) and what was done (required, at most 1000
 * characters). */
typedef struct fv_referral_input {
	const char *referred_to, *referred_on, *follow_up_on, *outcome;
} fv_referral_input;

/*
 * Record a referral for alert id: a new referral row (its id written into
 * ref_id), the alert becomes "referred" (version + 1).  A closed alert is
 * refused.  Every problem of the input is reported.  Audited
 * ("alert.refer"; no personal text in the log).
 */
FV_MUST_CHECK fv_status fv_alert_refer(fv_store *s, const char *id, const fv_referral_input *in,
				       char ref_id[FV_ID_BYTES], fv_errors *err);
/*
 * Close alert id: only after what was done is recorded (a referral) and a
 * follow-up, a submitted visit of the person dated after the day the alert
 * was raised ("alert ID: no follow-up visit after 2026-11-20 yet").  Its
 * open referrals are closed with it.  Version + 1.  Audited
 * ("alert.close").  A closed alert is refused.
 */
FV_MUST_CHECK fv_status fv_alert_close(fv_store *s, const char *id, fv_errors *err);
/* The referrals about person (NULL: everyone), newest first. */
FV_MUST_CHECK fv_status fv_referral_list(fv_store *s, const char *person, fv_referral **out,
					 size_t *n, fv_errors *err);
void fv_referral_list_free(fv_referral *items, size_t n);

/*
 * The supervisor's latest decision on version version of visit id (0: on
 * any version, the newest -- a returned visit's new draft shows the
 * comment on the version returned): *decision "approved" or "returned"
 * and *comment (the caller frees both); FV_ENOTFOUND when there is none.
 */
FV_MUST_CHECK fv_status fv_visit_review_get(fv_store *s, const char *id, int version,
					char **decision, char **comment, fv_errors *err);

/* ---- the audit log ---- */

typedef struct fv_audit_entry {
	int64_t seq;           /* 1, 2, ... in the order written */
	char *at;              /* when */
	char *device, *actor;  /* this store's device id and user name */
	char *action;          /* "person.add", "visit.submit", "unlock", ... */
	char *subject;         /* the id of what it touched ("" for none) */
	char *detail;
} fv_audit_entry;

/*
 * Append one entry to the audit log for what a caller did outside the
 * functions above (which audit their own changes): "init", "unlock",
 * "recover", "passwd", "export".  subject is the id of what it touched
 * (NULL for none); detail must hold no personal data (NULL for none).  Its
 * own transaction, or a savepoint in the caller's.  FV_EINVAL for an
 * empty action.
 */
FV_MUST_CHECK fv_status fv_store_audit_note(fv_store *s, const char *action,
					    const char *subject, const char *detail,
					    fv_errors *err);

/* The audit log, oldest first; only the entries about subject when it is
 * not NULL. */
FV_MUST_CHECK fv_status fv_store_audit_list(fv_store *s, const char *subject,
					    fv_audit_entry **out, size_t *n, fv_errors *err);
void fv_store_audit_list_free(fv_audit_entry *items, size_t n);

/* ---- reviews ---- */

/* A supervisor's decision on one version of a visit. */
typedef struct fv_review {
	char *id;
	int version;
	char *author;
	char *visit;
	int visit_version;
	char *decision;       /* "approved" or "returned" */
	char *comment;
	char *reviewed_at;
} fv_review;

void fv_review_release(fv_review *r);

/*
 * Review the latest version of visit id (a supervisor's store; the visit
 * received): decision "approved" or "returned" (a return needs a
 * comment, at most 500 characters).  The visit moves to that state, the
 * review is kept and queued for the worker who made the visit (it travels
 * in the next down-bundle).  FV_EUSAGE in a worker's store, FV_EINVAL for
 * a visit that is not received or a bad decision.  Audited
 * ("visit.review").  The new review's id goes into id.
 */
FV_MUST_CHECK fv_status fv_visit_review(fv_store *s, const char *id, const char *decision,
					const char *comment, char rid[FV_ID_BYTES],
					fv_errors *err);
/* The reviews of visit id, oldest first. */
FV_MUST_CHECK fv_status fv_review_list(fv_store *s, const char *visit, fv_review **out,
				       size_t *n, fv_errors *err);
void fv_review_list_free(fv_review *items, size_t n);

/* ================================================================== */
/* What sync needs (src/store/sync.c); the operations are in sync.h.   */
/*
 * Tables of schema 4: sync_self (this store's keys; the secret halves
 * live only here, inside the encrypted database), team, peer (the other
 * members this store exchanges bundles with: for a supervisor its
 * workers, invited or enrolled; for a worker its supervisor), sync_outbox
 * (a supervisor's queue of what each worker is to get), sync_receipt (a
 * worker's receipts from its supervisor), sync_conflict (records that came
 * with other content under an (id, version) already here), and
 * bundle_log (schema 1).
 */

/* This store's sync keys.  Released with fv_sync_self_release (which
 * frees the secret keys). */
typedef struct fv_sync_self {
	vault_key *sign_seed;
	vault_key *box_sk;
	uint8_t sign_pk[VAULT_SIGN_PK_BYTES];
	uint8_t box_pk[VAULT_BOX_PK_BYTES];
	uint8_t key_id[VAULT_KEY_ID_BYTES];
} fv_sync_self;

FV_MUST_CHECK fv_status fv_store_sync_self(fv_store *s, fv_sync_self *out, fv_errors *err);
void fv_sync_self_release(fv_sync_self *k);

/* The team this store belongs to.  FV_ENOTFOUND "this store is in no team
 * ..." when none. */
typedef struct fv_team {
	char id[FV_ID_BYTES];
	uint8_t recovery_pk[VAULT_BOX_PK_BYTES];
} fv_team;
FV_MUST_CHECK fv_status fv_store_team_get(fv_store *s, fv_team *out, fv_errors *err);
/* Set the team (once: FV_EINVAL "this store is in a team already"). */
FV_MUST_CHECK fv_status fv_store_team_set(fv_store *s, const fv_team *t, fv_errors *err);

/* A member of the team this store exchanges bundles with. */
typedef struct fv_peer {
	char id[FV_ID_BYTES];        /* the enrolment's id */
	char *name;
	fv_role role;
	int enrolled;                /* 0: invited, no keys yet */
	uint8_t key_id[VAULT_KEY_ID_BYTES];
	uint8_t sign_pk[VAULT_SIGN_PK_BYTES];
	uint8_t box_pk[VAULT_BOX_PK_BYTES];
	char *device;                /* its device id ("" until enrolled) */
	char *villages;              /* a worker's villages (its roster), space-separated */
	uint8_t invite_key[VAULT_KEY_BYTES];   /* an invited worker's code key */
	int64_t seq_in;              /* the highest of its bundles imported (0: none) */
	uint8_t hash_in[VAULT_HASH512_BYTES];  /* the hash of that bundle */
	int64_t seq_out;             /* our last bundle to it */
	uint8_t hash_out[VAULT_HASH512_BYTES];
	int64_t acked_out;           /* the last of ours it says it imported */
	int64_t ack_sent;            /* the seq_in we last told it */
} fv_peer;

void fv_peer_release(fv_peer *p);
void fv_peer_list_free(fv_peer *items, size_t n);
/* All peers, by name. */
FV_MUST_CHECK fv_status fv_store_peer_list(fv_store *s, fv_peer **out, size_t *n,
					   fv_errors *err);
/* The enrolled peer with this key id: FV_ENOTFOUND when none. */
FV_MUST_CHECK fv_status fv_store_peer_by_key(fv_store *s,
					     const uint8_t key_id[VAULT_KEY_ID_BYTES],
					     fv_peer *out, fv_errors *err);
/* The peer with this enrolment id: FV_ENOTFOUND when none. */
FV_MUST_CHECK fv_status fv_store_peer_get(fv_store *s, const char *id, fv_peer *out,
					  fv_errors *err);
/*
 * Add a peer.  An invited worker (p->enrolled 0) needs a name not used by
 * another peer (FV_EINVAL "a worker named X is in the team already"), its
 * villages and invite key; an enrolled one its keys and device too.
 */
FV_MUST_CHECK fv_status fv_store_peer_add(fv_store *s, const fv_peer *p, fv_errors *err);
/* Enrol invited peer id with the keys and device of its hello; the invite
 * key is wiped.  FV_EINVAL when enrolled already with other keys. */
FV_MUST_CHECK fv_status fv_store_peer_enrol(fv_store *s, const char *id,
					    const uint8_t sign_pk[VAULT_SIGN_PK_BYTES],
					    const uint8_t box_pk[VAULT_BOX_PK_BYTES],
					    const char *device, fv_errors *err);
/* Record the chains of peer id: a bundle of it imported (seq_in and
 * hash_in move only forward), a bundle to it written (seq_out, hash_out,
 * ack_sent), its acknowledgement of ours (acked_out moves only forward). */
FV_MUST_CHECK fv_status fv_store_peer_in(fv_store *s, const char *id, int64_t seq,
					 const uint8_t hash[VAULT_HASH512_BYTES], fv_errors *err);
FV_MUST_CHECK fv_status fv_store_peer_out(fv_store *s, const char *id, int64_t seq,
					  const uint8_t hash[VAULT_HASH512_BYTES],
					  int64_t ack_sent, fv_errors *err);
FV_MUST_CHECK fv_status fv_store_peer_acked(fv_store *s, const char *id, int64_t seq,
					    fv_errors *err);

/* ---- the bundle log ---- */

typedef struct fv_bundle_log {
	int64_t seq;
	char *bundle_id;             /* hex */
	char *direction;             /* "written" or "read" */
	char *kind;                  /* "hello", "up", "down" */
	char *sender, *recipient;    /* key ids, hex */
	int64_t sender_seq;
	char *prev_hash, *hash;      /* hex */
	char *path;
	char *result;                /* "written", "imported", ... */
	char *logged_at;
	int acked;                   /* written, and acknowledged by the recipient */
	char *peer;                  /* the other side's name ("" when unknown) */
} fv_bundle_log;

FV_MUST_CHECK fv_status fv_store_bundle_log_add(fv_store *s, const fv_bundle_log *e,
						fv_errors *err);
/* The log, oldest first. */
FV_MUST_CHECK fv_status fv_store_bundle_log_list(fv_store *s, fv_bundle_log **out, size_t *n,
						 fv_errors *err);
void fv_bundle_log_list_free(fv_bundle_log *items, size_t n);
/* When the bundle with this hash (hex) was imported here: *when is the
 * time (malloc'ed), or NULL when never. */
FV_MUST_CHECK fv_status fv_store_bundle_imported(fv_store *s, const char *hash, char **when,
						 fv_errors *err);

/* The hash (hex) of bundle seq of sender (key id, hex) imported here,
 * or NULL in *hash when none was. */
FV_MUST_CHECK fv_status fv_store_bundle_hash_at(fv_store *s, const char *sender, int64_t seq,
						char **hash, fv_errors *err);

/* ---- records going out ---- */

/* A worker's persons and visits with no receipt: the persons made or
 * changed by this device whose version has no receipt, then the visits by
 * this device that are submitted or sent (each version), answers
 * included.  fn returns 0 to go on. */
typedef int (*fv_person_fn)(void *ctx, const fv_person *p);
typedef int (*fv_visit_fn)(void *ctx, const fv_visit *v);
FV_MUST_CHECK fv_status fv_store_unreceipted(fv_store *s, fv_person_fn pf, fv_visit_fn vf,
					     void *ctx, size_t *count, fv_errors *err);
/* Write the visits an import checked and staged (fv_store_apply_visit
 * writes them 32 at a time); fv_store_commit does it too, a rollback
 * drops them.  Call it before anything that reads what was imported. */
FV_MUST_CHECK fv_status fv_store_flush(fv_store *s, fv_errors *err);
/* Mark every submitted visit of this device sent, by bundle seq: the
 * mark is kept beside the visit (visit_sent), and the visit reads as
 * sent from then on. */
FV_MUST_CHECK fv_status fv_store_mark_sent(fv_store *s, int64_t seq, fv_errors *err);

/* An item of a supervisor's queue for a worker. */
typedef struct fv_outbox_item {
	char *tbl;      /* "receipt", "review", "person", "form", "rule" */
	char *ref;      /* receipt: "person" or "visit"; form/rule: the version */
	char *id;
	int version;
} fv_outbox_item;
void fv_outbox_list_free(fv_outbox_item *items, size_t n);
/*
 * Queue for worker peer what it does not have: the latest version of every
 * person of its villages not made by it, every installed form's latest
 * version, every rule table's latest version; then list what is queued
 * and not acknowledged (carried by no bundle, or by one after its
 * acked_out), in the order a worker applies them (forms, rules, people,
 * receipts, reviews).
 */
FV_MUST_CHECK fv_status fv_store_outbox(fv_store *s, const fv_peer *peer,
					fv_outbox_item **out, size_t *n, fv_errors *err);
/* Mark the pending items of peer as carried by its bundle seq. */
FV_MUST_CHECK fv_status fv_store_outbox_sent(fv_store *s, const char *peer, int64_t seq,
					     fv_errors *err);
/* Queue a receipt of (tbl, id, version) for peer. */
FV_MUST_CHECK fv_status fv_store_outbox_receipt(fv_store *s, const char *peer,
						const char *tbl, const char *id, int version,
						fv_errors *err);
/* A review by id (FV_ENOTFOUND). */
FV_MUST_CHECK fv_status fv_review_get(fv_store *s, const char *id, fv_review *out,
				      fv_errors *err);
/* The CSV text of form (id, version) or of rule table (id, version). */
FV_MUST_CHECK fv_status fv_store_form_text(fv_store *s, const char *form_id,
					   const char *version, char **csv, fv_errors *err);
FV_MUST_CHECK fv_status fv_store_rule_text(fv_store *s, const char *table,
					   const char *version, char **csv, fv_errors *err);
/* The latest installed version of each form, by form id. */
FV_MUST_CHECK fv_status fv_store_form_latest(fv_store *s, char ***ids, char ***versions,
					     size_t *n, fv_errors *err);
/* The latest stored version of each rule table (NULL names: none), by
 * table name. */
FV_MUST_CHECK fv_status fv_store_rule_latest(fv_store *s, char ***tables, char ***versions,
					     size_t *n, fv_errors *err);

/* ---- records coming in ---- */

typedef enum fv_apply {
	FV_APPLY_ADDED,      /* new here: written */
	FV_APPLY_SAME,       /* here already with the same content: nothing done */
	FV_APPLY_OLDER,      /* an older version of a person here in a newer one */
	FV_APPLY_CONFLICT,   /* here with other content: kept as a conflict */
} fv_apply;

/*
 * Apply one record from a bundle, inside the caller's transaction.  Every
 * record is checked by the code that checks input on screen: a person as
 * person add checks it (and its status as archive does), a visit by the
 * forms engine as a submit (the form version installed here, the person
 * here), a review as fv_visit_review.  Problems are FV_EINVAL, one line
 * each.  The same (id, version) with the same content is FV_APPLY_SAME;
 * with other content the record is kept in sync_conflict (once) with why,
 * FV_APPLY_CONFLICT, and nothing else is written.  sender is the sending
 * peer, line the record as it came (kept with a conflict).
 *
 * A person: a newer version replaces the one here; an older one is
 * FV_APPLY_OLDER.  A person whose resident ID another person holds here
 * is a conflict.  A visit is written as received (a supervisor's store)
 * or as it was (a worker's store never gets visits).  A supervisor's
 * store queues a receipt for the sender.
 */
FV_MUST_CHECK fv_status fv_store_apply_person(fv_store *s, const fv_peer *sender,
					      const fv_person *p, const char *line,
					      const char *bundle, fv_apply *out, fv_errors *err);
FV_MUST_CHECK fv_status fv_store_apply_visit(fv_store *s, const fv_peer *sender,
					     const fv_visit *v, const char *line,
					     const char *bundle, fv_apply *out, fv_errors *err);
/* A worker's store: a review from the supervisor moves the visit to its
 * decision (received first, when the receipt did not come). */
FV_MUST_CHECK fv_status fv_store_apply_review(fv_store *s, const fv_peer *sender,
					      const fv_review *rv, const char *line,
					      const char *bundle, fv_apply *out, fv_errors *err);
/* A worker's store: the supervisor received (tbl, id, version); a visit
 * moves on to received. */
FV_MUST_CHECK fv_status fv_store_apply_receipt(fv_store *s, const char *tbl, const char *id,
					       int version, fv_apply *out, fv_errors *err);
/* Install a form's CSV text (checked by the forms engine), as
 * fv_store_form_install; *out FV_APPLY_SAME when installed already. */
FV_MUST_CHECK fv_status fv_store_form_install_text(fv_store *s, const char *name,
						   const char *csv, size_t len, fv_apply *out,
						   fv_errors *err);
/* Keep a rule table's text (the caller checked it with the rules module):
 * the same (table, version) with other text is refused. */
FV_MUST_CHECK fv_status fv_store_rule_install(fv_store *s, const char *table,
					      const char *version, const char *csv,
					      fv_apply *out, fv_errors *err);
/* The store's rule tables as a set (fv_rules_parse_table of each latest
 * version); *out NULL when the store holds none. */
FV_MUST_CHECK fv_status fv_store_rules(fv_store *s, fv_rules **out, fv_errors *err);

/* A record kept as a conflict. */
typedef struct fv_conflict {
	int64_t seq;
	char *tbl, *id;
	int version;
	char *sender;        /* the sender's name */
	char *bundle_id, *reason, *record, *logged_at;
} fv_conflict;
FV_MUST_CHECK fv_status fv_store_sync_conflicts(fv_store *s, fv_conflict **out, size_t *n,
						fv_errors *err);
void fv_conflict_list_free(fv_conflict *items, size_t n);

/*
 * A worker's store: drop the answers of its visits received or approved
 * more than days days ago (by their receipt), keeping what schedules read
 * (the person, date, length, form, follow-up date, score and band); *n
 * visits dropped.  Audited ("visit.prune") when any.
 */
FV_MUST_CHECK fv_status fv_store_prune(fv_store *s, int days, size_t *n, fv_errors *err);
/* ================================================================== */
/* Reports (fieldvisit report; the computation is in report.h)         */

struct fv_report_facts;

/*
 * Gather the facts of the reports (fv_report_needs tells need, from and
 * to): always every person (sorted by village, name, id, with the worker
 * they belong to); with FV_NEED_SCHEDULE each person's schedule facts
 * (fv_store_schedule_facts from two calendar years before from); with
 * FV_NEED_VISITS the visits that count (the latest version of each, past
 * the draft, not returned) dated from..to (their check-in, check-out and
 * submission times with FV_NEED_TIMES, else NAN), with FV_NEED_ANSWERS a hash of
 * each one's answers, with FV_NEED_LEVELS the satisfaction form's level
 * counts (n_<level> of r's levels), its `visited` answer and, when that is
 * no, the person's latest other visit on or before it; FV_NEED_ALERTS
 * every alert with the person's first visit after it; FV_NEED_CALLBACKS
 * every callback row.  out->team is fv_store_team.  Released with
 * fv_report_facts_release (also after a failure).
 */
FV_MUST_CHECK fv_status fv_store_report_facts(fv_store *s, const fv_rules *r, unsigned need,
					      int32_t from, int32_t to,
					      struct fv_report_facts *out, fv_errors *err);
void fv_report_facts_release(struct fv_report_facts *f);
/* The name of the worker whose device id is author: the team roster's name
 * for that device (peer), else the device id itself.  The caller frees. */
char *fv_store_worker_name(fv_store *s, const char *author);
/* The id that seeds the team's callback samples: the team's id when the
 * store belongs to a team, else this store's device id.  The caller
 * frees. */
char *fv_store_team(fv_store *s);

#endif
