/*
 * fieldvisit store: creating, opening and closing encrypted stores.
 *
 * Opening order matters (each step is a trap found the hard way):
 *   1. flock the database file: one process per store, told before Argon2;
 *   2. unlock the key file (Argon2id), derive the page key;
 *   3. open with the cipher VFS, PRAGMA locking_mode=EXCLUSIVE before
 *      anything touches the WAL (no -shm, wal-index in heap memory);
 *   4. a new file: page_size=4096, RESERVE_BYTES=40 before the first
 *      write, journal_mode=OFF then WAL (WAL directly needs a journal);
 *   5. read page 1: a wrong key or a damaged header shows here.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_internal.h"

/* The page cache of a store (KiB, as PRAGMA cache_size takes it). */
#define CACHE_KIB "-16000"

const char *fv_role_name(fv_role r)
{
	return r == FV_ROLE_SUPERVISOR ? "supervisor" : "worker";
}

int fv_role_parse(const char *s, fv_role *out)
{
	if (strcmp(s, "worker") == 0)
		*out = FV_ROLE_WORKER;
	else if (strcmp(s, "supervisor") == 0)
		*out = FV_ROLE_SUPERVISOR;
	else
		return 0;
	return 1;
}

char *fv_store_default_path(const char *name)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	if (xdg && *xdg == '/')
		return fv_xasprintf("%s/fieldvisit/%s.fv", xdg, name);
	return fv_xasprintf("%s/.local/share/fieldvisit/%s.fv", home && *home ? home : ".", name);
}

fv_status store_error(fv_store *s, int rc, const char *what, fv_errors *err)
{
	const char *msg = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	const char *path = s ? s->path : NULL;
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		fv_errors_add(err, path, 0, "store in use by another fieldvisit");
		return FV_EBUSY;
	case SQLITE_NOTADB:
		fv_errors_add(err, path, 0, "not a fieldvisit store, or its first page is damaged");
		return FV_EIO;
	case SQLITE_CORRUPT:
		fv_errors_add(err, path, 0, "the store is damaged (%s: %s)", what, msg);
		return FV_EIO;
	case SQLITE_FULL:
		fv_errors_add(err, path, 0, "disk full while %s; nothing was changed", what);
		return FV_EIO;
	case SQLITE_IOERR:
		if (rc == SQLITE_IOERR_DATA)
			fv_errors_add(err, path, 0, "the store is damaged: a page does not decrypt (%s)",
				      what);
		else
			fv_errors_add(err, path, 0, "input/output error while %s; nothing was changed",
				      what);
		return FV_EIO;
	case SQLITE_CONSTRAINT:
		fv_errors_add(err, path, 0, "%s: %s", what, msg);
		return FV_EINVAL;
	default:
		fv_errors_add(err, path, 0, "%s: %s", what, msg);
		return FV_EIO;
	}
}

fv_status store_exec(fv_store *s, const char *sql, fv_errors *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? FV_OK : store_error(s, rc, "writing", err);
}

sqlite3_stmt *store_prepare(fv_store *s, const char *sql, fv_errors *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		(void)store_error(s, rc, "reading", err);
		return NULL;
	}
	return st;
}

sqlite3_stmt *store_prepare_cached(fv_store *s, const char *sql, fv_errors *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	for (size_t i = 0; i < s->ncache; i++) {
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].st);
			sqlite3_clear_bindings(s->cache[i].st);
			return s->cache[i].st;
		}
	}
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		(void)store_error(s, rc, "reading", err);
		return NULL;
	}
	if (s->ncache == sizeof s->cache / sizeof s->cache[0]) {
		sqlite3_finalize(s->cache[0].st);
		memmove(s->cache, s->cache + 1, (s->ncache - 1) * sizeof s->cache[0]);
		s->ncache--;
	}
	s->cache[s->ncache].sql = sql;
	s->cache[s->ncache++].st = st;
	return st;
}

fv_status store_cached_done(fv_store *s, sqlite3_stmt *st, const char *what, fv_errors *err)
{
	int rc;
	if (!st)
		return FV_EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? FV_OK : store_error(s, rc, what, err);
}

fv_status store_begin(fv_store *s, fv_errors *err)
{
	return store_exec(s, "BEGIN IMMEDIATE", err);
}

fv_status store_commit(fv_store *s, fv_errors *err)
{
	fv_status st = store_exec(s, "COMMIT", err);
	if (st != FV_OK)
		store_rollback(s);
	return st;
}

void store_rollback(fv_store *s)
{
	store_stage_discard(s);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Run a pragma that returns one text row, and compare the row. */
static int pragma_is(fv_store *s, const char *sql, const char *want)
{
	sqlite3_stmt *st;
	int okp = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		okp = v && strcmp(v, want) == 0;
		rc = sqlite3_step(st);
	}
	/* the row comes back even when the change failed: check the code too */
	okp = okp && rc == SQLITE_DONE;
	sqlite3_finalize(st);
	return okp;
}

/* Absolute path of a possibly not yet existing file (its folder must
 * exist). */
static char *absolute(const char *path, fv_errors *err)
{
	char *dir = fv_xstrdup(path), *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : path;
	char real[PATH_MAX];
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	if (!realpath(slash ? dir : ".", real)) {
		fv_errors_add(err, path, 0, "cannot use this folder: %s", strerror(errno));
		free(dir);
		return NULL;
	}
	char *abs = fv_xasprintf("%s%s%s", real, strcmp(real, "/") ? "/" : "", base);
	free(dir);
	return abs;
}

/* Create the folders of path (0700), for the default location. */
static void make_parents(const char *path)
{
	char *p = fv_xstrdup(path);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	free(p);
}

static fv_store *store_new(const char *abs)
{
	fv_store *s = fv_xcalloc(1, sizeof *s);
	s->path = fv_xstrdup(abs);
	s->keys_path = fv_xasprintf("%s.keys", abs);
	s->lock_fd = -1;
	return s;
}

/* Environment fault injection for tests of the real binary. */
static void faults_from_env(void)
{
	const char *f = getenv("FIELDVISIT_FAULT");
	int n;
	if (!f || !*f)
		return;
	if (sscanf(f, "write:%d", &n) == 1)
		fv_store_fault(n, 0, 0);
	else if (sscanf(f, "sync:%d", &n) == 1)
		fv_store_fault(0, n, 0);
	else if (sscanf(f, "full:%d", &n) == 1)
		fv_store_fault(0, 0, n);
}

/* Take the store's lock: an flock on the database file, held while open. */
static fv_status lock_store(fv_store *s, int create, fv_errors *err)
{
	s->lock_fd = open(s->path, O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0), 0600);
	if (s->lock_fd < 0) {
		if (!create && errno == ENOENT)
			fv_errors_add(err, s->path, 0, "no such store");
		else
			fv_errors_add(err, s->path, 0, "cannot open: %s", strerror(errno));
		return FV_EIO;
	}
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		fv_errors_add(err, s->path, 0, "store in use by another fieldvisit");
		return FV_EBUSY;
	}
	return FV_OK;
}

/* Open the database through the cipher VFS and set the pragmas. */
static fv_status open_db(fv_store *s, int create, fv_errors *err)
{
	int rc;
	s->page_key = vault_key_derive(s->master, 1, "fvpage01");
	if (store_vfs_register() != SQLITE_OK) {
		fv_errors_add(err, s->path, 0, "cannot set up the cipher layer");
		return FV_EIO;
	}
	store_vfs_add(s->path, s->page_key, s->store_id);
	/* A connection is used by one thread only (fieldvisit has no other):
	 * without its mutex, each sqlite3_column_* call of a scan of 10,000
	 * people does not lock and unlock it. */
	rc = sqlite3_open_v2(s->path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
			     STORE_VFS_NAME);
	if (rc != SQLITE_OK)
		return store_error(s, rc, "opening", err);
	sqlite3_extended_result_codes(s->db, 1);
	/* the triggers of the derived tables (schemas 9 and 10) call these */
	if ((rc = store_sql_functions(s->db)) != SQLITE_OK)
		return store_error(s, rc, "opening", err);
	if (!pragma_is(s, "PRAGMA locking_mode=EXCLUSIVE", "exclusive")) {
		fv_errors_add(err, s->path, 0, "cannot lock the store");
		return FV_EIO;
	}
	if (create) {
		int reserve = VAULT_PAGE_RESERVE;
		if (store_exec(s, "PRAGMA page_size=4096", err) != FV_OK)
			return FV_EIO;
		rc = sqlite3_file_control(s->db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
		if (rc != SQLITE_OK)
			return store_error(s, rc, "setting up pages", err);
		if (!pragma_is(s, "PRAGMA journal_mode=OFF", "off") ||
		    !pragma_is(s, "PRAGMA journal_mode=WAL", "wal")) {
			fv_errors_add(err, s->path, 0, "cannot turn on the write-ahead log");
			return FV_EIO;
		}
	} else {
		/* reading page 1 shows a wrong key or a damaged store */
		sqlite3_stmt *st;
		rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL);
		if (rc == SQLITE_OK) {
			rc = sqlite3_step(st);
			sqlite3_finalize(st);
			rc = rc == SQLITE_ROW ? SQLITE_OK : sqlite3_errcode(s->db);
		}
		if (rc != SQLITE_OK)
			return store_error(s, rc, "opening", err);
		if (!pragma_is(s, "PRAGMA journal_mode", "wal")) {
			fv_errors_add(err, s->path, 0, "not a fieldvisit store (no write-ahead log)");
			return FV_EIO;
		}
	}
	/* Defensive mode only now: it silently ignores journal_mode=OFF, which
	 * the switch to WAL of a new store needs. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	/* 16 MiB of decrypted pages, in memory only: lists of thousands of
	 * people need not decrypt the same pages twice. */
	const char *pragmas = "PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;"
			      "PRAGMA temp_store=MEMORY; PRAGMA trusted_schema=OFF;"
			      "PRAGMA foreign_keys=ON; PRAGMA cache_size=" CACHE_KIB ";";
	return store_exec(s, pragmas, err);
}

/* Read role, name and device from the meta table. */
static fv_status read_meta(fv_store *s, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT key, value FROM meta", err);
	int rc;
	if (!st)
		return FV_EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);
		if (!k || !v)
			continue;
		if (strcmp(k, "role") == 0)
			fv_role_parse(v, &s->role);
		else if (strcmp(k, "name") == 0) {
			free(s->name);
			s->name = fv_xstrdup(v);
		} else if (strcmp(k, "device") == 0)
			snprintf(s->device, sizeof s->device, "%s", v);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, rc, "reading the owner record", err);
	if (!s->name || !s->device[0]) {
		fv_errors_add(err, s->path, 0, "the store has no owner record (damaged?)");
		return FV_EIO;
	}
	return FV_OK;
}

static fv_status write_meta(fv_store *s, const fv_store_init *init, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s, "INSERT INTO meta(key, value) VALUES (?1, ?2)", err);
	const char *kv[][2] = {
		{"role", fv_role_name(init->role)},
		{"name", init->name},
		{"device", s->device},
	};
	if (!st)
		return FV_EIO;
	for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
		sqlite3_bind_text(st, 1, kv[i][0], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kv[i][1], -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return store_error(s, rc, "creating the store", err);
		}
	}
	sqlite3_finalize(st);
	return FV_OK;
}

static void store_free(fv_store *s)
{
	store_stage_discard(s);
	for (size_t i = 0; i < s->nforms; i++)
		fv_form_free(s->forms[i]);
	for (size_t i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	if (s->db) {
		sqlite3_close_v2(s->db);
		s->db = NULL;
	}
	if (s->page_key)
		store_vfs_remove(s->path);
	vault_key_free(s->page_key);
	vault_key_free(s->master);
	vault_wipe(s->store_id, sizeof s->store_id);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->path);
	free(s->keys_path);
	free(s->name);
	free(s);
}

void fv_store_prefetch(const char *path)
{
	static const char *const suffix[] = {"", "-wal"};
	for (size_t i = 0; path && i < sizeof suffix / sizeof suffix[0]; i++) {
		char *p = fv_xasprintf("%s%s", path, suffix[i]);
		int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		struct stat st;
		free(p);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= FV_STORE_PREFETCH_MAX)
			(void)posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
		close(fd);
	}
}

void fv_store_close(fv_store *s)
{
	if (s)
		store_free(s);
}

static int exists(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) == 0;
}

fv_status fv_store_create(const char *path, const fv_store_init *init, const char *forms_dir,
			  fv_store **out, fv_errors *err)
{
	const char *problem = vault_passphrase_problem(init->passphrase);
	static const char *const suffixes[] = {"", "-wal", ".keys", ".keys.bak"};
	fv_status st;
	char *abs;

	*out = NULL;
	if (problem) {
		fv_errors_add(err, NULL, 0, "%s", problem);
		return FV_EINVAL;
	}
	if ((st = vault_init()) != FV_OK) {
		fv_errors_add(err, NULL, 0, "cannot start the cipher library");
		return st;
	}
	make_parents(path);
	if (!(abs = absolute(path, err)))
		return FV_EIO;
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		char *p = fv_xasprintf("%s%s", abs, suffixes[i]);
		int e = exists(p);
		free(p);
		if (e) {
			fv_errors_add(err, abs, 0, "a store exists here already");
			free(abs);
			return FV_EINVAL;
		}
	}
	fv_store *s = store_new(abs);
	free(abs);
	s->role = init->role;
	s->name = fv_xstrdup(init->name);
	vault_uuid(s->device);
	if ((st = lock_store(s, 1, err)) != FV_OK)
		goto fail;
	s->master = vault_key_random();
	vault_random(s->store_id, sizeof s->store_id);
	st = vault_keyfile_create(s->keys_path, s->master, s->store_id, init->passphrase,
				  init->cost, init->recovery_pk, err);
	if (st != FV_OK)
		goto fail;
	if ((st = open_db(s, 1, err)) != FV_OK)
		goto fail;
	if ((st = store_begin(s, err)) != FV_OK)
		goto fail;
	if ((st = store_schema_migrate(s, err)) != FV_OK ||
	    (st = write_meta(s, init, err)) != FV_OK ||
	    (st = store_forms_install_dir(s, forms_dir, err)) != FV_OK) {
		store_rollback(s);
		goto fail;
	}
	if ((st = store_commit(s, err)) != FV_OK)
		goto fail;
	*out = s;
	return FV_OK;
fail:
	{
		char *paths[4];
		for (size_t i = 0; i < 4; i++)
			paths[i] = fv_xasprintf("%s%s", s->path, suffixes[i]);
		int created = s->lock_fd >= 0;
		store_free(s);
		for (size_t i = 0; created && i < 4; i++)
			unlink(paths[i]);
		for (size_t i = 0; i < 4; i++)
			free(paths[i]);
	}
	return st;
}

/* Open after the master key is known (by passphrase or recovery). */
static fv_status finish_open(fv_store *s, fv_errors *err)
{
	fv_status st = open_db(s, 0, err);
	if (st == FV_OK)
		st = store_schema_migrate(s, err);
	if (st == FV_OK)
		st = read_meta(s, err);
	return st;
}

/* A database file cut short is a damaged store, found before anything
 * reads it.  Empty, it is never a new store (and SQLite would delete a
 * -wal lying next to it, all that is left of the data).  Not a whole
 * number of pages without a -wal: the last checkpoint synced every page
 * before the -wal went, so the file was cut.  (With a -wal, a power cut
 * in a checkpoint may leave the last page partly written; recovery
 * replays it from the -wal.) */
static fv_status check_size(fv_store *s, fv_errors *err)
{
	struct stat sb, wal;
	char *wal_path;
	int has_wal;
	if (fstat(s->lock_fd, &sb) != 0) {
		fv_errors_add(err, s->path, 0, "cannot read: %s", strerror(errno));
		return FV_EIO;
	}
	if (sb.st_size == 0) {
		fv_errors_add(err, s->path, 0, "the database file is empty: the store is damaged");
		return FV_EIO;
	}
	wal_path = fv_xasprintf("%s-wal", s->path);
	has_wal = lstat(wal_path, &wal) == 0;
	free(wal_path);
	if (!has_wal && sb.st_size % STORE_PAGE_SIZE != 0) {
		fv_errors_add(err, s->path, 0,
			      "the database file is cut short (%lld bytes, not a whole number of"
			      " pages): the store is damaged", (long long)sb.st_size);
		return FV_EIO;
	}
	return FV_OK;
}

static fv_status open_common(const char *path, const char *passphrase, const uint8_t *sk,
			     fv_store **out, fv_errors *err)
{
	fv_status st;
	char *abs;
	*out = NULL;
	if ((st = vault_init()) != FV_OK) {
		fv_errors_add(err, NULL, 0, "cannot start the cipher library");
		return st;
	}
	if (!(abs = absolute(path, err)))
		return FV_EIO;
	fv_store *s = store_new(abs);
	free(abs);
	faults_from_env();
	if ((st = lock_store(s, 0, err)) != FV_OK)
		goto fail;
	if ((st = check_size(s, err)) != FV_OK)
		goto fail;
	if (passphrase)
		st = vault_keyfile_unlock(s->keys_path, passphrase, &s->master, s->store_id, err);
	else
		st = vault_keyfile_recover(s->keys_path, sk, &s->master, s->store_id, err);
	if (st != FV_OK)
		goto fail;
	if ((st = finish_open(s, err)) != FV_OK)
		goto fail;
	*out = s;
	return FV_OK;
fail:
	/* A failed open changes nothing.  Closing would checkpoint, and when
	 * the -wal's frames did not open with this key (another store's key
	 * file) recovery found none, so SQLite would delete the -wal and
	 * every commit in it. */
	if (s->db)
		sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	store_free(s);
	return st;
}

fv_status fv_store_open(const char *path, const char *passphrase, fv_store **out,
			fv_errors *err)
{
	return open_common(path, passphrase, NULL, out, err);
}

fv_status fv_store_open_recovery(const char *path, const uint8_t sk[VAULT_BOX_SK_BYTES],
				 fv_store **out, fv_errors *err)
{
	return open_common(path, NULL, sk, out, err);
}

/* Back to the usual page cache after a bulk transaction (shrinking it
 * frees the pages above the limit). */
static void end_bulk(fv_store *s)
{
	if (!s->bulk)
		return;
	s->bulk = 0;
	(void)sqlite3_exec(s->db, "PRAGMA cache_size=" CACHE_KIB, NULL, NULL, NULL);
}

void store_scan_cache(fv_store *s, int on)
{
	char sql[64];
	if (s->bulk)
		return;
	if (on)
		snprintf(sql, sizeof sql, "PRAGMA cache_size=-%d", FV_STORE_SCAN_CACHE_KIB);
	else
		snprintf(sql, sizeof sql, "PRAGMA cache_size=%s", CACHE_KIB);
	(void)sqlite3_exec(s->db, sql, NULL, NULL, NULL);
}

fv_status fv_store_begin(fv_store *s, fv_errors *err)
{
	if (!sqlite3_get_autocommit(s->db)) {
		fv_errors_add(err, s->path, 0, "a transaction is open already");
		return FV_EINVAL;
	}
	return store_begin(s, err);
}

fv_status fv_store_begin_bulk(fv_store *s, fv_errors *err)
{
	char sql[64];
	fv_status st;
	if (!sqlite3_get_autocommit(s->db)) {
		fv_errors_add(err, s->path, 0, "a transaction is open already");
		return FV_EINVAL;
	}
	snprintf(sql, sizeof sql, "PRAGMA cache_size=-%d", FV_STORE_BULK_CACHE_KIB);
	if ((st = store_exec(s, sql, err)) != FV_OK)
		return st;
	s->bulk = 1;
	if ((st = store_begin(s, err)) != FV_OK)
		end_bulk(s);
	return st;
}

fv_status fv_store_commit(fv_store *s, fv_errors *err)
{
	fv_status st;
	if (sqlite3_get_autocommit(s->db)) {
		fv_errors_add(err, s->path, 0,
			      "no transaction is open (none was begun, or an error ended it)");
		end_bulk(s);
		return FV_EINVAL;
	}
	st = fv_store_flush(s, err);
	if (st == FV_OK)
		st = store_commit(s, err);
	else
		store_rollback(s);
	end_bulk(s);
	return st;
}

void fv_store_rollback(fv_store *s)
{
	store_rollback(s);
	end_bulk(s);
}

fv_status fv_store_passwd(fv_store *s, const char *passphrase, vault_pwcost cost,
			  fv_errors *err)
{
	const char *problem = vault_passphrase_problem(passphrase);
	if (problem) {
		fv_errors_add(err, NULL, 0, "%s", problem);
		return FV_EINVAL;
	}
	return vault_keyfile_rewrap(s->keys_path, s->master, passphrase, cost, err);
}

/* visit_tally (schema 8) against the visits it counts: the number of
 * groups (state, date, form) whose count differs. */
static fv_status tally_check(fv_store *s, fv_errors *err)
{
	static const char sql[] =
		/* grouped in the order of the index visit_latest: no sort */
		"WITH real AS (SELECT state, coalesce(visit_date, '') AS d, form_id, count(*) AS n"
		"  FROM visit WHERE superseded = 0 GROUP BY state, visit_date, form_id),"
		" kept AS (SELECT state, visit_date AS d, form_id, n FROM visit_tally WHERE n <> 0)"
		" SELECT count(*) FROM ("
		"  SELECT state, d, form_id FROM (SELECT * FROM real EXCEPT SELECT * FROM kept)"
		"  UNION SELECT state, d, form_id FROM (SELECT * FROM kept EXCEPT SELECT * FROM real))";
	sqlite3_stmt *st = store_prepare(s, sql, err);
	if (!st)
		return FV_EIO;
	int rc = sqlite3_step(st);
	sqlite3_int64 bad = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_error(s, rc, "checking the visit counts", err);
	if (bad == 0)
		return FV_OK;
	fv_errors_add(err, s->path, 0, "integrity: the visit counts differ from the visits in %lld"
		      " group%s (state, date, form)", (long long)bad, bad == 1 ? "" : "s");
	return FV_EIO;
}

fv_status fv_store_integrity(fv_store *s, fv_errors *err)
{
	sqlite3_stmt *st = store_prepare(s, "PRAGMA integrity_check", err);
	size_t before = err->n;
	int rc;
	if (!st)
		return FV_EIO;
	/* an undecryptable page is reported in the text, with rc OK */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		if (v && strcmp(v, "ok") != 0) {
			/* a row may hold several lines: errors are one line each */
			char *one = fv_xstrdup(v);
			for (char *p = one; *p; p++)
				if (*p == '\n' || *p == '\r')
					*p = ' ';
			fv_errors_add(err, s->path, 0, "integrity: %s", one);
			free(one);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, rc, "checking", err);
	/* the pages are sound: do the derived counts and schedule facts match? */
	if (err->n == before) {
		fv_status cs = tally_check(s, err);
		if (cs == FV_OK)
			cs = store_check_sched(s, err);
		if (cs != FV_OK)
			return cs;
	}
	return err->n == before ? FV_OK : FV_EIO;
}

fv_role fv_store_role(const fv_store *s)
{
	return s->role;
}

const char *fv_store_name(const fv_store *s)
{
	return s->name;
}

const char *fv_store_path(const fv_store *s)
{
	return s->path;
}

const char *fv_store_device(const fv_store *s)
{
	return s->device;
}
