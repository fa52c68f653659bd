/* fieldvisit store: what the data layer of src/store/ (schema, forms,
 * person, visit, audit) shares.  Included only by files of src/store/. */
#ifndef FV_STORE_DATA_INTERNAL_H
#define FV_STORE_DATA_INTERNAL_H

#include "store_internal.h"

/* ---- schema (schema.c) ---- */

/* The schema version of the open store (PRAGMA user_version). */
FV_MUST_CHECK fv_status store_schema_version(fv_store *s, int *version, fv_errors *err);
/*
 * Upgrade the store step by step from its version up to version (at most
 * STORE_SCHEMA_VERSION), inside the caller's transaction or, when none is
 * open, in one of its own: all steps or none.  A store at version or past
 * it is left as it is; a store newer than this build is refused ("PATH:
 * this store was made by a newer fieldvisit (schema N)", FV_EIO).
 */
FV_MUST_CHECK fv_status store_schema_migrate_to(fv_store *s, int version, fv_errors *err);
/*
 * For tests of migrations: make store_schema_migrate() (and so
 * fv_store_create and fv_store_open) stop at version, to build a store as
 * an older fieldvisit made it; 0 goes back to STORE_SCHEMA_VERSION.
 */
void store_schema_pin(int version);

/* ---- installed forms (forms.c) ---- */

/* *yes = 1 when form form_id version version is installed. */
FV_MUST_CHECK fv_status store_forms_installed(fv_store *s, const char *form_id,
					      const char *version, int *yes, fv_errors *err);

/* The form (form_id, version) installed, loaded once per open store and
 * kept (owned by the store). */
FV_MUST_CHECK fv_status store_form_cached(fv_store *s, const char *form_id,
					  const char *version, const fv_form **out,
					  fv_errors *err);
/* Rows (id, version) of sql, ordered by id: the latest version of each id
 * (versions compared as forms compare them). */
FV_MUST_CHECK fv_status store_latest_versions(fv_store *s, const char *sql, char ***ids,
					      char ***versions, size_t *n, fv_errors *err);

/* ---- records from bundles (person.c, visit.c, sync.c) ---- */

/* Check and write an incoming person / visit (fv_store_apply_person,
 * fv_store_apply_visit); *why is the reason of a conflict (static). */
FV_MUST_CHECK fv_status store_person_import(fv_store *s, const fv_person *p, fv_apply *out,
					    const char **why, char **other, fv_errors *err);
/* here: what store_visit_here said of v, or -1 to ask it. */
FV_MUST_CHECK fv_status store_visit_import(fv_store *s, const fv_visit *v, fv_visit_state state,
					   int here, fv_apply *out, const char **why,
					   fv_errors *err);
/* Is the visit (id, version) of v here: *here 0 no, 1 with the same
 * content, 2 with other content. */
FV_MUST_CHECK fv_status store_visit_here(fv_store *s, const fv_visit *v, int *here,
					 fv_errors *err);
FV_MUST_CHECK fv_status store_review_import(fv_store *s, const fv_review *r, fv_apply *out,
					    const char **why, fv_errors *err);
/* Call fn for every visit version (answers included) matching where (SQL
 * over the alias v; ?1 is this store's device), in order of submission;
 * fn returns non-zero to stop.  *count grows by the visits given.  The
 * visits are what a record line needs: state as the row holds it (a sent
 * mark not read) and no alerts. */
FV_MUST_CHECK fv_status store_visit_each(fv_store *s, const char *where, fv_visit_fn fn,
					 void *ctx, size_t *count, fv_errors *err);
/* Move a visit version on one step (the state machine's triggers allow
 * it): no audit, for receipts and reviews from bundles. */
FV_MUST_CHECK fv_status store_visit_set_state(fv_store *s, const char *id, int version,
					      fv_visit_state to, fv_errors *err);

/* ---- audit (audit.c) ---- */

/*
 * Append one line to the audit log: now, this device, the store's user,
 * action ("unlock", "person.add", "visit.submit", ...), the id of what it
 * touched (NULL or "" for none) and a detail without personal data (NULL
 * for none).  In the caller's transaction when one is open.
 */
FV_MUST_CHECK fv_status store_audit(fv_store *s, const char *action, const char *subject,
				    const char *detail, fv_errors *err);

/* ---- statements and units of work (sql.c) ---- */

/* Now (fv_clock_now), as the store writes times: fv_datetime_format. */
void store_sql_now(char out[static 40]);
/* Today's date, days since the epoch (local wall clock). */
int32_t store_sql_today(void);
/* A copy of text column col of the current row; "" for NULL. */
char *store_sql_text(sqlite3_stmt *st, int col);
/* Bind text, or NULL when v is NULL or "". */
void store_sql_bind_opt(sqlite3_stmt *st, int i, const char *v);
/* Step st to its end (a write), then finalize it; st NULL (the prepare
 * failed, err has the reason) gives FV_EIO.  Errors as store_error. */
FV_MUST_CHECK fv_status store_sql_done(fv_store *s, sqlite3_stmt *st, const char *what,
				       fv_errors *err);
/*
 * A unit of work: store_sql_begin opens a SAVEPOINT (its own transaction
 * when none is open, a nested one inside the caller's); store_sql_end
 * releases it when st is FV_OK (committing when it was the outermost) and
 * rolls it back otherwise.  Returns st, or the error of the commit.
 */
FV_MUST_CHECK fv_status store_sql_begin(fv_store *s, fv_errors *err);
FV_MUST_CHECK fv_status store_sql_end(fv_store *s, fv_status st, fv_errors *err);

/* ---- checks of input fields (check.c) ---- */

/*
 * Check a text field: NULL or blank is "" (refused with "WHAT is required"
 * when required); else trimmed, valid UTF-8, no control characters, at most
 * max characters.  On success *out is a copy (caller frees); on failure a
 * line "WHAT: reason" is added to err and *out is NULL.  Returns 1 on
 * success.
 */
int store_check_text(const char *what, const char *in, int required, size_t max, char **out,
		     fv_errors *err);
/*
 * Check a set of codes: space-separated words, each in known (nknown
 * entries); duplicates are dropped and the result, in the order of known,
 * is appended to out.  An unknown word adds "unknown WHAT 'x' (a, b, ...)".
 * Returns 1 when every word is known.
 */
int store_check_codes(const char *what, const char *in, const char *const *known,
		      size_t nknown, fv_buf *out, fv_errors *err);
/* Check a date "YYYY-MM-DD" that is real and not after today: "WHAT is
 * required" (NULL or empty), "WHAT 'x' is not a date (YYYY-MM-DD)",
 * "WHAT 2031-01-01 is in the future". */
int store_check_date(const char *what, const char *in, int32_t *days, fv_errors *err);

#endif
