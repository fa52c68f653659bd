/* fieldvisit store: what the files of src/store/ share.  Nothing outside
 * src/store/ includes this header (or sqlite3.h). */
#ifndef FV_STORE_INTERNAL_H
#define FV_STORE_INTERNAL_H

#include <sqlite3.h>

#include "fieldvisit/store.h"
#include "fieldvisit/vault.h"

#define STORE_PAGE_SIZE 4096
#define STORE_VFS_NAME "fvcipher"

struct fv_store {
	sqlite3 *db;
	char *path;          /* absolute path of the database file */
	char *keys_path;     /* PATH.keys */
	int lock_fd;         /* flock()ed while open: one process per store */
	vault_key *master;
	vault_key *page_key;
	uint8_t store_id[VAULT_STORE_ID_BYTES];
	fv_role role;
	char *name;
	char device[37];
	/* forms loaded by (form_id, version) for imports: loading a form
	 * compiles every expression, once per import is enough */
	fv_form *forms[16];
	size_t nforms;
	/* statements kept prepared for the record-by-record paths of sync
	 * (store_prepare_cached): compiling one, with the triggers it fires,
	 * costs more than running it */
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[16];
	size_t ncache;
	int bulk;   /* a transaction of fv_store_begin_bulk is open */
	/* visits of an import checked and not written yet (visit.c) */
	struct store_stage *stage;
};

/* ---- the cipher VFS (vfs.c) ---- */

/* Register the cipher VFS with SQLite (once; later calls do nothing). */
int store_vfs_register(void);
/* Make the page key and store id of the database at path (absolute) known to
 * the VFS before sqlite3_open_v2(..., STORE_VFS_NAME); remove it after close. */
void store_vfs_add(const char *path, const vault_key *page_key,
		   const uint8_t store_id[VAULT_STORE_ID_BYTES]);
void store_vfs_remove(const char *path);

/*
 * Simulated power loss, for tests: from the write numbered at_write on, the
 * VFS stops reaching the disk, and every write made since the last
 * successful fsync is undone or torn (seeded by seed), as a disk with a
 * volatile cache would leave it when the power goes.  0 turns it off.
 */
void store_vfs_powercut(int at_write, unsigned seed);

/* ---- helpers for the table code (store.c) ---- */

/* Add "PATH: what: sqlite message" to err and return the fv_status that
 * fits the SQLite error code (busy -> FV_EBUSY, corrupt/notadb/ioerr ->
 * FV_EIO, full -> FV_EIO "disk full", constraint -> FV_EINVAL). */
fv_status store_error(fv_store *s, int rc, const char *what, fv_errors *err);
/* Run SQL without results.  Errors as store_error. */
FV_MUST_CHECK fv_status store_exec(fv_store *s, const char *sql, fv_errors *err);
/* A read of every row of a big table (the schedule facts) reads each page
 * once: on, it caps the page cache at FV_STORE_SCAN_CACHE_KIB so that the
 * scan does not fill the usual cache with pages it will not read again;
 * off, the usual cache again.  Nothing while a bulk transaction is open. */
void store_scan_cache(fv_store *s, int on);
#define FV_STORE_SCAN_CACHE_KIB 2048
/* Prepare a statement; on error adds to err and returns NULL. */
sqlite3_stmt *store_prepare(fv_store *s, const char *sql, fv_errors *err);
/* A statement kept prepared for sql (a string literal: the cache is keyed
 * by its address), reset and with no bindings.  Never finalize it: reset
 * it when done (store_cached_done steps a write to its end and resets
 * it).  NULL on error, as store_prepare. */
sqlite3_stmt *store_prepare_cached(fv_store *s, const char *sql, fv_errors *err);
FV_MUST_CHECK fv_status store_cached_done(fv_store *s, sqlite3_stmt *st, const char *what,
					  fv_errors *err);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
FV_MUST_CHECK fv_status store_begin(fv_store *s, fv_errors *err);
FV_MUST_CHECK fv_status store_commit(fv_store *s, fv_errors *err);
void store_rollback(fv_store *s);
/* Drop the visits staged by an import (visit.c; fv_store_flush writes them). */
void store_stage_discard(fv_store *s);
/* Queue a receipt, staged inside an import's transaction (visit.c). */
FV_MUST_CHECK fv_status store_stage_receipt(fv_store *s, const char *peer, const char *tbl,
					    const char *id, int version, fv_errors *err);

/* ---- schema (schema.c) ---- */

/* The schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 10
/* Create the tables of a new store, or upgrade an older one step by step,
 * in one transaction.  A store newer than this build is refused. */
FV_MUST_CHECK fv_status store_schema_migrate(fv_store *s, fv_errors *err);

/* ---- SQL functions (sql.c) ---- */

/* Register the functions the schema's triggers call on connection db:
 * fv_day(text) (the day number of "YYYY-MM-DD...", NULL when none),
 * fv_time(text) (fv_datetime_parse, NULL when none) and fv_hash(text)
 * (FNV-1a 64 of the text's bytes, never 0).  Deterministic and harmless,
 * so the triggers of a schema that is not trusted may call them. */
int store_sql_functions(sqlite3 *db);
/* What fv_hash gives for n bytes of t (the report facts' answers hash). */
uint64_t store_sql_hash(const unsigned char *t, size_t n);
/* ---- schedule facts (facts.c) ---- */

/*
 * The SQL functions the triggers of sched_fact use (schema 10), for db
 * (store_sql_functions registers them too):
 * fv_span(date) is the span of 512 days of a visit date; fv_pack_one(date,
 * id, form_id, duration, followup_due) one visit's entry; fv_pack_put(
 * facts, entries) and fv_pack_del(facts, id) the facts with entries in or
 * a visit out; the aggregate fv_pack_agg(date, id, form_id, duration,
 * followup_due) the facts of a group.  SQLITE_OK or SQLite's error.
 */
int store_sched_functions(sqlite3 *db);
/* Ask the system to read ahead the pages of the b-trees of tables (by
 * name: tables or indexes) below their roots, found from their interior
 * pages; how many pages were asked for.  Never fails. */
size_t store_prefetch_tables(fv_store *s, const char *const *tables, size_t ntables);
/* Compare sched_fact with what visit_fact says it holds: one line in err
 * per kind of difference, FV_EIO when there is one. */
FV_MUST_CHECK fv_status store_check_sched(fv_store *s, fv_errors *err);

/* ---- installed forms (forms.c) ---- */

/* Install every *.csv form of dir (NULL: none) into the form table; each
 * is checked by the forms engine first.  Inside the caller's transaction. */
FV_MUST_CHECK fv_status store_forms_install_dir(fv_store *s, const char *dir, fv_errors *err);

#endif
