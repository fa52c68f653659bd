/*
 * bench_store: what the encryption of the store costs (`make bench`).
 *
 * Builds a store of 10,000 people and 100,000 visits with `fieldvisit
 * generate` itself (fv_cmd_generate, seed 1; Argon2 at vault_pw_fast(), so
 * that opening measures the store and not the KDF).  Then copies its rows,
 * table by table in the same order, into a new store and into a plain
 * SQLite file with the same schema and the same pragmas (page size 4096,
 * WAL, exclusive locking, synchronous=FULL, secure_delete,
 * temp_store=MEMORY, foreign keys, a 16 MiB cache): the two copies differ
 * only by the cipher VFS and its 40 reserved bytes a page.  Every figure
 * is given with its ratio to the plain SQLite figure measured in the same
 * run, and checked against the targets:
 *
 *   - inserting the 100,000 visit rows (1,000 a transaction) into the
 *     store: at least 0.6 x the rows per second of plain SQLite (median
 *     of three rounds, the two sides taking turns to go first);
 *   - a cold full scan of every table, the OS page cache of the files
 *     dropped with posix_fadvise(DONTNEED) before each (median of five):
 *     at most 2.5 x plain SQLite;
 *   - a new process that opens the generated store and lists all 10,000
 *     people with the date of their last visit (fv_person_list): under
 *     150 ms of wall time, the KDF's time measured and taken off, cold
 *     and warm, and under 32 MB of peak RSS (ru_maxrss from wait4); the
 *     same for `fieldvisit person list --json` when the program is there
 *     ($FV_BIN, else ./fieldvisit);
 *   - the size of the store's file at most 1.1 x the plain file.
 *
 * The rows go through the store's own connection (this bench includes
 * src/store/store_internal.h, as the store's unit test does), so both
 * sides run the very same statements.  Child processes are started by a
 * small spawner process (this program with --spawn), so that their peak
 * RSS is their own and not the bench's.  The work folder is a new
 * temporary folder, removed at the end; FV_BENCH_DIR=DIR keeps it in DIR
 * instead and reuses the generated store on the next run (generating it
 * takes a while: the progress shows on a terminal).  A benchmark, not a
 * test: it exits 0 unless something fails to run.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* wait4, posix_fadvise, mkdtemp, nftw */
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_NAME "bench_store"
#include "bench.h"
#include "spawn.h"
#include "fieldvisit/cli.h"
#include "fieldvisit/store.h"
#include "fieldvisit/vault.h"
#include "../../src/store/store_internal.h"

#define PASS "bench passphrase 1"
#define PERSONS "10000"
#define VISITS "100000"
#define BATCH 1000        /* insert rows per transaction */
#define ROUNDS 3          /* insert rounds; the median is reported */
#define SCANS 5           /* cold scans; the median */
#define LISTS 5           /* list processes; the median */
#define INSERT_RATIO_MIN 0.6
#define SCAN_RATIO_MAX 2.5
#define LIST_MS_MAX 150.0
#define DUE_MS_MAX 200.0     /* visit list --due --json (issue: schedules) */
#define LIST_RSS_MB_MAX 32.0
#define SIZE_RATIO_MAX 1.1


/* ------------------------------------------------------------------ */
/* The rows of a store, in memory                                      */

typedef struct cell {
	int type;                 /* SQLITE_INTEGER, _FLOAT, _TEXT, _BLOB, _NULL */
	int len;                  /* bytes of text or blob */
	size_t off;               /* where they are in the table's data */
	sqlite3_int64 i;
	double d;
} cell;

typedef struct table {
	char *name;
	int ncols;
	size_t nrows, cap;
	cell *cells;              /* nrows * ncols */
	fv_buf data;
} table;

typedef struct dump {
	table *t;
	size_t n;
	char **schema;            /* CREATE statements, in order */
	size_t nschema;
} dump;

static table *find_table(dump *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->t[i].name, name) == 0)
			return &d->t[i];
	die("no table %s in the store", name);
	return NULL;
}

static void read_table(sqlite3 *db, table *t)
{
	char *sql = fv_xasprintf("SELECT * FROM \"%s\"", t->name);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die("cannot read %s", t->name);
	free(sql);
	t->ncols = sqlite3_column_count(st);
	fv_buf_init(&t->data);
	while (sqlite3_step(st) == SQLITE_ROW) {
		size_t cap = t->cap;
		t->cells = fv_xgrow(t->cells, &cap, (t->nrows + 1) * (size_t)t->ncols,
				    sizeof *t->cells);
		t->cap = cap;
		for (int c = 0; c < t->ncols; c++) {
			cell *x = &t->cells[t->nrows * (size_t)t->ncols + (size_t)c];
			memset(x, 0, sizeof *x);
			x->type = sqlite3_column_type(st, c);
			if (x->type == SQLITE_INTEGER) {
				x->i = sqlite3_column_int64(st, c);
			} else if (x->type == SQLITE_FLOAT) {
				x->d = sqlite3_column_double(st, c);
			} else if (x->type == SQLITE_TEXT || x->type == SQLITE_BLOB) {
				const void *p = x->type == SQLITE_TEXT
					? (const void *)sqlite3_column_text(st, c)
					: sqlite3_column_blob(st, c);
				x->len = sqlite3_column_bytes(st, c);
				x->off = t->data.len;
				fv_buf_add(&t->data, p, (size_t)x->len);
			}
		}
		t->nrows++;
	}
	sqlite3_finalize(st);
}

/* Every table (in the order of the schema: parents before children) and
 * the schema's statements. */
static void dump_store(sqlite3 *db, dump *d)
{
	sqlite3_stmt *st;
	size_t cap = 0, scap = 0;
	memset(d, 0, sizeof *d);
	if (sqlite3_prepare_v2(db, "SELECT type, name, sql FROM sqlite_schema"
			       " WHERE sql IS NOT NULL ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
		die("%s", "cannot read the schema");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		d->schema = fv_xgrow(d->schema, &scap, d->nschema + 1, sizeof *d->schema);
		d->schema[d->nschema++] = fv_xstrdup((const char *)sqlite3_column_text(st, 2));
		if (strcmp(type, "table") == 0 && strncmp(name, "sqlite_", 7) != 0) {
			d->t = fv_xgrow(d->t, &cap, d->n + 1, sizeof *d->t);
			memset(&d->t[d->n], 0, sizeof d->t[d->n]);
			d->t[d->n++].name = fv_xstrdup(name);
		}
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < d->n; i++)
		read_table(db, &d->t[i]);
}

static void dump_release(dump *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->t[i].name);
		free(d->t[i].cells);
		fv_buf_release(&d->t[i].data);
	}
	for (size_t i = 0; i < d->nschema; i++)
		free(d->schema[i]);
	free(d->t);
	free(d->schema);
}

static void exec_or_die(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die("%s", sqlite3_errmsg(db));
}

/* Insert rows [from, to) of t, batch rows a transaction. */
static void copy_rows(sqlite3 *db, const table *t, size_t from, size_t to)
{
	fv_buf sql;
	sqlite3_stmt *st;
	fv_buf_init(&sql);
	fv_buf_addf(&sql, "INSERT INTO \"%s\" VALUES (", t->name);
	for (int c = 0; c < t->ncols; c++)
		fv_buf_adds(&sql, c ? ", ?" : "?");
	fv_buf_adds(&sql, ")");
	if (sqlite3_prepare_v2(db, sql.s, -1, &st, NULL) != SQLITE_OK)
		die("%s", sqlite3_errmsg(db));
	fv_buf_release(&sql);
	for (size_t r = from; r < to; r++) {
		if ((r - from) % BATCH == 0)
			exec_or_die(db, "BEGIN IMMEDIATE");
		for (int c = 0; c < t->ncols; c++) {
			const cell *x = &t->cells[r * (size_t)t->ncols + (size_t)c];
			const char *p = t->data.s + x->off;
			switch (x->type) {
			case SQLITE_INTEGER: sqlite3_bind_int64(st, c + 1, x->i); break;
			case SQLITE_FLOAT: sqlite3_bind_double(st, c + 1, x->d); break;
			case SQLITE_TEXT: sqlite3_bind_text(st, c + 1, p, x->len, SQLITE_STATIC); break;
			case SQLITE_BLOB: sqlite3_bind_blob(st, c + 1, p, x->len, SQLITE_STATIC); break;
			default: sqlite3_bind_null(st, c + 1); break;
			}
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			die("insert: %s", sqlite3_errmsg(db));
		sqlite3_reset(st);
		if ((r - from) % BATCH == BATCH - 1 || r + 1 == to)
			exec_or_die(db, "COMMIT");
	}
	sqlite3_finalize(st);
}

/* ------------------------------------------------------------------ */
/* The two databases                                                   */

static const char *srcdir(void)
{
	const char *s = getenv("FV_SRCDIR");
	return s && *s ? s : FV_SRCDIR;
}

/* A plain SQLite file with the store's pragmas (store.c open_db). */
static sqlite3 *plain_open(const char *path, int create)
{
	sqlite3 *db;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK)
		die("cannot open %s", path);
	exec_or_die(db, "PRAGMA locking_mode=EXCLUSIVE");
	if (create)
		exec_or_die(db, "PRAGMA page_size=4096; PRAGMA journal_mode=WAL");
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	exec_or_die(db, "PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;"
		    "PRAGMA temp_store=MEMORY; PRAGMA trusted_schema=OFF;"
		    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16000;");
	return db;
}

static uint8_t recovery_pk[VAULT_BOX_PK_BYTES];

/* A new, empty store (no forms: they are copied with the rows). */
static fv_store *enc_create(const char *path)
{
	fv_store_init init = {FV_ROLE_WORKER, "bench", PASS, vault_pw_fast(), recovery_pk};
	fv_store *s;
	fv_errors err;
	fv_errors_init(&err);
	if (fv_store_create(path, &init, NULL, &s, &err) != FV_OK)
		die_errors("creating a store", &err);
	fv_errors_release(&err);
	return s;
}

static fv_store *enc_open(const char *path)
{
	fv_store *s;
	fv_errors err;
	fv_errors_init(&err);
	if (fv_store_open(path, PASS, &s, &err) != FV_OK)
		die_errors("opening a store", &err);
	fv_errors_release(&err);
	return s;
}

/* Remove a store's or a plain file's files. */
static void remove_db(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-journal", ".keys", ".keys.bak"};
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		char *p = fv_xasprintf("%s%s", path, suffixes[i]);
		unlink(p);
		free(p);
	}
}

/* Drop the OS page cache of a database and its WAL (a cold start). */
static void drop_cache(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", ".keys"};
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		char *p = fv_xasprintf("%s%s", path, suffixes[i]);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			fdatasync(fd);
			posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
			close(fd);
		}
		free(p);
	}
}

static double file_mb(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (double)sb.st_size / (1024.0 * 1024.0) : 0;
}

/* ------------------------------------------------------------------ */
/* Inserting                                                           */

static const char *const parents[] = {"form", "household", "person"};
static const char *const children[] = {"rule", "review", "alert", "referral", "callback",
				       "bundle_log", "audit"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Fill a new database with the people (not timed), then insert the
 * visits; returns the visits' time in ms. */
static double insert_round(sqlite3 *db, dump *d, int plain)
{
	if (plain) {
		exec_or_die(db, "BEGIN");
		for (size_t i = 0; i < d->nschema; i++)
			exec_or_die(db, d->schema[i]);
		exec_or_die(db, "COMMIT");
		copy_rows(db, find_table(d, "meta"), 0, find_table(d, "meta")->nrows);
	}
	for (size_t i = 0; i < COUNT(parents); i++) {
		table *t = find_table(d, parents[i]);
		copy_rows(db, t, 0, t->nrows);
	}
	table *v = find_table(d, "visit");
	double t0 = now_ms();
	copy_rows(db, v, 0, v->nrows);
	return now_ms() - t0;
}

/* The rest of the rows, so both databases hold the whole store. */
static void insert_rest(sqlite3 *db, dump *d)
{
	for (size_t i = 0; i < COUNT(children); i++) {
		table *t = find_table(d, children[i]);
		copy_rows(db, t, 0, t->nrows);
	}
}

/* ------------------------------------------------------------------ */
/* Scanning                                                            */

/* Read every row and every column of every table but meta and sync_self
 * (each store's own: its settings and its sync keys, made with the store,
 * not copied); returns the bytes read. */
static size_t scan_all(sqlite3 *db, dump *d)
{
	size_t bytes = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (strcmp(d->t[i].name, "meta") == 0 || strcmp(d->t[i].name, "sync_self") == 0)
			continue;
		char *sql = fv_xasprintf("SELECT * FROM \"%s\"", d->t[i].name);
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
			die("%s", sqlite3_errmsg(db));
		free(sql);
		int rc, n = sqlite3_column_count(st);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			for (int c = 0; c < n; c++)
				bytes += (size_t)sqlite3_column_bytes(st, c);
		if (rc != SQLITE_DONE)
			die("scan: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
	}
	return bytes;
}

/* ------------------------------------------------------------------ */
/* Listing, in a new process                                           */

/* The query of fv_person_list (src/store/person.c), for plain SQLite. */
static const char plain_list_sql[] =
	"SELECT p.id, p.version, p.author, p.name, p.sex, p.birth, p.resident_id, p.phone,"
	" p.village, p.household_id, p.categories, p.contact1_name, p.contact1_phone,"
	" p.contact2_name, p.contact2_phone, p.status, p.status_date, p.status_reason,"
	" p.created_at, p.updated_at,"
	" (SELECT max(v.visit_date) FROM visit v WHERE v.person_id = p.id)"
	" FROM person p WHERE 1 ORDER BY +p.village, p.name, p.id";

/* Child: open the store and list everyone; prints "open kdf list n". */
static int child_list(const char *path)
{
	char *keys = fv_xasprintf("%s.keys", path);
	uint8_t id[VAULT_STORE_ID_BYTES];
	vault_key *master = NULL;
	fv_person *people;
	fv_store *s;
	size_t n;
	fv_errors err;

	fv_errors_init(&err);
	if (vault_init() != FV_OK)
		return 1;
	double t0 = now_ms();
	if (vault_keyfile_unlock(keys, PASS, &master, id, &err) != FV_OK)
		die_errors("unlocking", &err);
	double kdf = now_ms() - t0;
	vault_key_free(master);
	free(keys);
	t0 = now_ms();
	s = enc_open(path);
	double open = now_ms() - t0;
	t0 = now_ms();
	if (fv_person_list(s, NULL, &people, &n, &err) != FV_OK)
		die_errors("listing", &err);
	double list = now_ms() - t0;
	printf("%.3f %.3f %.3f %zu\n", open, kdf, list, n);
	fv_person_list_free(people, n);
	fv_store_close(s);
	fv_errors_release(&err);
	return 0;
}

/* Child: the same query on the plain file, each row kept as copied
 * strings as fv_person_list keeps them. */
static int child_plain_list(const char *path)
{
	double t0 = now_ms();
	sqlite3 *db = plain_open(path, 0);
	sqlite3_stmt *st;
	char **rows = NULL;
	size_t n = 0, cap = 0;
	int rc, cols;
	double open = now_ms() - t0;
	t0 = now_ms();
	if (sqlite3_prepare_v2(db, plain_list_sql, -1, &st, NULL) != SQLITE_OK)
		die("%s", sqlite3_errmsg(db));
	cols = sqlite3_column_count(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rows = fv_xgrow(rows, &cap, (n + 1) * (size_t)cols, sizeof *rows);
		for (int c = 0; c < cols; c++) {
			const char *v = (const char *)sqlite3_column_text(st, c);
			rows[n * (size_t)cols + (size_t)c] = fv_xstrdup(v ? v : "");
		}
		n++;
	}
	if (rc != SQLITE_DONE)
		die("%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	double list = now_ms() - t0;
	printf("%.3f %.3f %.3f %zu\n", open, 0.0, list, n);
	for (size_t i = 0; i < n * (size_t)cols; i++)
		free(rows[i]);
	free(rows);
	sqlite3_close(db);
	return 0;
}

typedef struct run {
	double wall_ms, rss_mb;
	double open_ms, kdf_ms, list_ms;
	size_t n;
} run;

static char exe[4096];    /* this program, for the spawner */

/* Run argv through the spawner; with figures, it is a child of this
 * program that prints "open kdf list n". */
static void run_child(char *const argv[], run *r, int figures)
{
	char buf[1024];
	memset(r, 0, sizeof *r);
	if (bench_run_spawned(exe, argv, figures, buf, sizeof buf, &r->wall_ms, &r->rss_mb) != 0)
		die("%s failed", argv[0]);
	if (figures &&
	    sscanf(buf, "%lf %lf %lf %zu", &r->open_ms, &r->kdf_ms, &r->list_ms, &r->n) != 4)
		die("%s: no figures", argv[0]);
}

/* One program to time again and again, and its figures. */
typedef struct series {
	char **argv;
	const char *db;      /* the database it reads: its cache is dropped when cold */
	int figures;         /* it prints "open kdf list n" (a --child-* of this program) */
	double wall[LISTS], rss[LISTS], open[LISTS], kdf[LISTS], list[LISTS];
	size_t n;
} series;

/*
 * Run each series LISTS times, cold (the OS cache of its database dropped
 * first) or warm, in turns so that a busy moment of the machine hits all
 * of them alike; *out[i] gets the medians of series i, the KDF time taken
 * off.
 */
static void list_runs(series *ser, size_t nser, int cold, run *out)
{
	for (int i = 0; i < LISTS; i++) {
		for (size_t k = 0; k < nser; k++) {
			series *x = &ser[k];
			run r;
			if (cold)
				drop_cache(x->db);
			run_child(x->argv, &r, x->figures);
			x->wall[i] = r.wall_ms - r.kdf_ms;
			x->rss[i] = r.rss_mb;
			x->open[i] = r.open_ms - r.kdf_ms;
			x->kdf[i] = r.kdf_ms;
			x->list[i] = r.list_ms;
			x->n = r.n;
		}
	}
	for (size_t k = 0; k < nser; k++) {
		out[k].wall_ms = median(ser[k].wall, LISTS);
		out[k].rss_mb = median(ser[k].rss, LISTS);
		out[k].open_ms = median(ser[k].open, LISTS);
		out[k].kdf_ms = median(ser[k].kdf, LISTS);
		out[k].list_ms = median(ser[k].list, LISTS);
		out[k].n = ser[k].n;
	}
}

/* ------------------------------------------------------------------ */
/* The work folder                                                     */

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

/* The work folder's recovery key (made the first time): the stores of
 * the bench are sealed to it. */
static void recovery_key(const char *dir)
{
	char *key = fv_xasprintf("%s/recovery.key", dir);
	uint8_t sk[VAULT_BOX_SK_BYTES];
	struct stat sb;
	fv_errors err;
	fv_errors_init(&err);
	if (stat(key, &sb) == 0 ? vault_recovery_load(key, sk, recovery_pk, &err) != FV_OK
				: vault_recovery_create(key, recovery_pk, &err) != FV_OK)
		die_errors("the recovery key", &err);
	vault_wipe(sk, sizeof sk);
	fv_errors_release(&err);
	free(key);
}

/* Build the store of 10,000 people and 100,000 visits with generate. */
static void make_fixture(const char *path)
{
	fv_errors err;
	fv_store *s;
	fv_errors_init(&err);
	char *forms = fv_xasprintf("%s/forms", srcdir());
	fv_store_init init = {FV_ROLE_WORKER, "bench", PASS, vault_pw_fast(), recovery_pk};
	remove_db(path);
	if (fv_store_create(path, &init, forms, &s, &err) != FV_OK)
		die_errors("creating the store", &err);
	fv_store_close(s);
	free(forms);
	fv_errors_release(&err);

	char *argv[] = {"generate", "--persons", PERSONS, "--visits", VISITS, "--seed", "1",
			"--store", (char *)path, NULL};
	fprintf(stderr, "bench_store: generating %s people and %s visits into %s\n", PERSONS,
		VISITS, path);
	fflush(stdout);
	double t0 = now_ms();
	if (fv_cmd_generate(9, argv) != 0) {
		remove_db(path);
		die("%s", "fieldvisit generate failed");
	}
	fprintf(stderr, "bench_store: generated in %.1f s\n", (now_ms() - t0) / 1000);
}

/* One line of figures: label, value, unit, its ratio to the reference
 * (0: it is the reference), a note. */
static void figure(const char *label, double value, const char *unit, double ratio,
		   const char *note)
{
	char line[512];
	int n = snprintf(line, sizeof line, "  %-36s %10.*f %-6s", label, value >= 1000 ? 0 : 1,
			 value, unit);
	if (ratio > 0 && n > 0 && (size_t)n < sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n, " %6.2f x", ratio);
	if (*note && n > 0 && (size_t)n < sizeof line)
		snprintf(line + n, sizeof line - (size_t)n, "  %s", note);
	fv_trim(line + 2);   /* no blanks at the end */
	puts(line);
}

static void target(const char *label, double value, const char *unit, int pass)
{
	/* ratios with three decimals, so that 0.598 does not show as 0.60 */
	printf("  %-40s %8.*f %-2s  %s\n", label, strcmp(unit, "x") ? 1 : 3, value, unit,
	       pass ? "PASS" : "FAIL");
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--child-list") == 0)
		return child_list(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--child-plain-list") == 0)
		return child_plain_list(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "--spawn") == 0)
		return bench_spawn(strcmp(argv[2], "quiet") == 0, argv + 3);
	if (argc != 1) {
		fprintf(stderr, "usage: bench_store (FV_BENCH_DIR=DIR keeps its files in DIR)\n");
		return 2;
	}
	ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k <= 0)
		die("%s", "cannot find this program");
	exe[k] = '\0';
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setenv("FIELDVISIT_PASSPHRASE", PASS, 1) != 0 || vault_init() != FV_OK)
		die("%s", "cannot start");
	unsetenv("FIELDVISIT_FAULT");

	const char *keep = getenv("FV_BENCH_DIR");
	char *dir;
	if (keep && *keep) {
		mkdir(keep, 0700);
		dir = fv_xstrdup(keep);
	} else {
		const char *tmp = getenv("TMPDIR");
		dir = fv_xasprintf("%s/fvbench.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir))
			die("cannot make a folder: %s", strerror(errno));
	}
	char *fixture = fv_xasprintf("%s/generated.fv", dir);
	char *enc = fv_xasprintf("%s/copy.fv", dir), *plain = fv_xasprintf("%s/copy.db", dir);
	struct stat sb;
	char *keyfile = fv_xasprintf("%s.keys", fixture);
	recovery_key(dir);
	if (stat(fixture, &sb) != 0 || stat(keyfile, &sb) != 0)
		make_fixture(fixture);
	else
		fprintf(stderr, "bench_store: reusing %s\n", fixture);
	free(keyfile);

	/* every row of the generated store, in memory */
	dump d;
	fv_store *s = enc_open(fixture);
	dump_store(s->db, &d);
	fv_store_close(s);
	size_t nvisits = find_table(&d, "visit")->nrows;
	size_t npeople = find_table(&d, "person")->nrows;

	/* inserts: the two sides in turns; the last round's files stay */
	double ins_enc[ROUNDS], ins_plain[ROUNDS];
	for (int r = 0; r < ROUNDS; r++) {
		for (int side = 0; side < 2; side++) {
			int is_plain = (side + r) % 2;
			remove_db(is_plain ? plain : enc);
			if (is_plain) {
				sqlite3 *db = plain_open(plain, 1);
				ins_plain[r] = insert_round(db, &d, 1);
				if (r == ROUNDS - 1)
					insert_rest(db, &d);
				sqlite3_close(db);
			} else {
				s = enc_create(enc);
				ins_enc[r] = insert_round(s->db, &d, 0);
				if (r == ROUNDS - 1)
					insert_rest(s->db, &d);
				fv_store_close(s);
			}
		}
	}
	double enc_ins_ms = median(ins_enc, ROUNDS), plain_ins_ms = median(ins_plain, ROUNDS);
	double enc_rate = (double)nvisits / (enc_ins_ms / 1000);
	double plain_rate = (double)nvisits / (plain_ins_ms / 1000);

	/* sizes, after the close's checkpoint */
	double enc_mb = file_mb(enc), plain_mb = file_mb(plain), gen_mb = file_mb(fixture);

	/* cold and warm full scans */
	double cold_enc[SCANS], cold_plain[SCANS], warm_enc = 0, warm_plain = 0;
	size_t bytes_enc = 0, bytes_plain = 0;
	for (int i = 0; i < SCANS; i++) {
		drop_cache(enc);
		s = enc_open(enc);
		double t0 = now_ms();
		bytes_enc = scan_all(s->db, &d);
		cold_enc[i] = now_ms() - t0;
		if (i == SCANS - 1) {
			t0 = now_ms();
			(void)scan_all(s->db, &d);
			warm_enc = now_ms() - t0;
		}
		fv_store_close(s);

		drop_cache(plain);
		sqlite3 *db = plain_open(plain, 0);
		t0 = now_ms();
		bytes_plain = scan_all(db, &d);
		cold_plain[i] = now_ms() - t0;
		if (i == SCANS - 1) {
			t0 = now_ms();
			(void)scan_all(db, &d);
			warm_plain = now_ms() - t0;
		}
		sqlite3_close(db);
	}
	double scan_enc = median(cold_enc, SCANS), scan_plain = median(cold_plain, SCANS);
	if (bytes_enc != bytes_plain)
		die("%s", "the two copies differ");

	/* open and list in new processes, cold [0] and warm [1]: the copy
	 * against the plain copy (the same rows written the same way), then
	 * the store as generate wrote it, and the program itself */
	char *copy_argv[] = {exe, "--child-list", enc, NULL};
	char *plain_argv[] = {exe, "--child-plain-list", plain, NULL};
	char *gen_argv[] = {exe, "--child-list", fixture, NULL};
	const char *bin = getenv("FV_BIN");
	char *prog = fv_xstrdup(bin && *bin ? bin : "./fieldvisit");
	char *cli_argv[] = {prog, "person", "list", "--json", "--store", fixture, NULL};
	char *due_argv[] = {prog, "visit", "list", "--due", "--json", "--store", fixture, NULL};
	int have_cli = access(prog, X_OK) == 0;
	series ser[5] = {
		{.argv = plain_argv, .db = plain, .figures = 1},
		{.argv = copy_argv, .db = enc, .figures = 1},
		{.argv = gen_argv, .db = fixture, .figures = 1},
		{.argv = cli_argv, .db = fixture, .figures = 0},
		{.argv = due_argv, .db = fixture, .figures = 0},
	};
	run lists[2][5];   /* [warm][plain, copy, generated, program, due list] */
	for (int warm = 0; warm < 2; warm++)
		list_runs(ser, have_cli ? 5 : 3, !warm, lists[warm]);
	for (int warm = 0; warm < 2; warm++)
		for (int j = 0; j < 3; j++)
			if (lists[warm][j].n != npeople)
				die("%s", "a list is not of everyone");
	run ref[2] = {lists[0][0], lists[1][0]}, copy[2] = {lists[0][1], lists[1][1]};
	run gen[2] = {lists[0][2], lists[1][2]}, cli[2] = {lists[0][3], lists[1][3]};
	run due[2] = {lists[0][4], lists[1][4]};

	char label[96], note[160];
	printf("bench_store: %zu people, %zu visits (fieldvisit generate, seed 1) in %s\n",
	       npeople, nvisits, keep && *keep ? dir : "a temporary folder");

	printf("\nreferences: plain SQLite, same schema, rows and pragmas (this machine, this run)\n");
	snprintf(label, sizeof label, "insert the visits, %d a commit", BATCH);
	snprintf(note, sizeof note, "(%.0f ms)", plain_ins_ms);
	figure(label, plain_rate, "rows/s", 0, note);
	snprintf(note, sizeof note, "(%.1f MB of rows; warm %.1f ms)",
		 (double)bytes_plain / (1024.0 * 1024.0), warm_plain);
	figure("full scan of every table, cold", scan_plain, "ms", 0, note);
	snprintf(note, sizeof note, "(open %.1f ms, list %.1f ms)", ref[0].open_ms,
		 ref[0].list_ms);
	figure("new process: open, list all, cold", ref[0].wall_ms, "ms", 0, note);
	figure("new process: open, list all, warm", ref[1].wall_ms, "ms", 0, "");
	figure("... peak RSS", ref[0].rss_mb, "MB", 0, "");
	figure("file size", plain_mb, "MB", 0, "");

	printf("\nmeasured: the encrypted store, the same rows written the same way   ratio\n");
	figure("insert the visits", enc_rate, "rows/s", enc_rate / plain_rate, "");
	snprintf(note, sizeof note, "(warm %.1f ms, %.2f x)", warm_enc, warm_enc / warm_plain);
	figure("full scan of every table, cold", scan_enc, "ms", scan_enc / scan_plain, note);
	snprintf(note, sizeof note, "(open %.1f ms, list %.1f ms; KDF %.2f ms taken off)",
		 copy[0].open_ms, copy[0].list_ms, copy[0].kdf_ms);
	figure("new process: open, list all, cold", copy[0].wall_ms, "ms",
	       copy[0].wall_ms / ref[0].wall_ms, note);
	figure("new process: open, list all, warm", copy[1].wall_ms, "ms",
	       copy[1].wall_ms / ref[1].wall_ms, "");
	figure("... peak RSS", copy[0].rss_mb, "MB", copy[0].rss_mb / ref[0].rss_mb, "");
	figure("file size", enc_mb, "MB", enc_mb / plain_mb, "");

	printf("\nthe store as generate wrote it: everything in one transaction\n");
	snprintf(note, sizeof note, "(open %.1f ms, list %.1f ms; KDF %.2f ms taken off)",
		 gen[0].open_ms, gen[0].list_ms, gen[0].kdf_ms);
	figure("new process: open, list all, cold", gen[0].wall_ms, "ms",
	       gen[0].wall_ms / ref[0].wall_ms, note);
	figure("new process: open, list all, warm", gen[1].wall_ms, "ms",
	       gen[1].wall_ms / ref[1].wall_ms, "");
	figure("... peak RSS", gen[0].rss_mb, "MB", gen[0].rss_mb / ref[0].rss_mb, "");
	if (have_cli) {
		figure("fieldvisit person list --json, cold", cli[0].wall_ms, "ms",
		       cli[0].wall_ms / ref[0].wall_ms, prog);
		figure("fieldvisit person list --json, warm", cli[1].wall_ms, "ms",
		       cli[1].wall_ms / ref[1].wall_ms, "");
		figure("... peak RSS", cli[0].rss_mb, "MB", cli[0].rss_mb / ref[0].rss_mb, "");
		figure("fieldvisit visit list --due --json, cold", due[0].wall_ms, "ms",
		       due[0].wall_ms / ref[0].wall_ms, "");
		figure("fieldvisit visit list --due --json, warm", due[1].wall_ms, "ms",
		       due[1].wall_ms / ref[1].wall_ms, "");
		figure("... peak RSS", due[0].rss_mb, "MB", due[0].rss_mb / ref[0].rss_mb, "");
	} else {
		printf("  (no %s: FV_BIN=PATH times 'fieldvisit person list --json' too)\n", prog);
	}
	figure("file size", gen_mb, "MB", gen_mb / plain_mb, "");

	printf("\ntargets\n");
	snprintf(label, sizeof label, "insert >= %.1f x plain SQLite", INSERT_RATIO_MIN);
	target(label, enc_rate / plain_rate, "x", enc_rate / plain_rate >= INSERT_RATIO_MIN);
	snprintf(label, sizeof label, "cold full scan <= %.1f x plain SQLite", SCAN_RATIO_MAX);
	target(label, scan_enc / scan_plain, "x", scan_enc / scan_plain <= SCAN_RATIO_MAX);
	for (int warm = 0; warm < 2; warm++) {
		snprintf(label, sizeof label, "open + list all < %.0f ms, %s", LIST_MS_MAX,
			 warm ? "warm" : "cold");
		target(label, gen[warm].wall_ms, "ms", gen[warm].wall_ms < LIST_MS_MAX);
	}
	snprintf(label, sizeof label, "... peak RSS < %.0f MB", LIST_RSS_MB_MAX);
	target(label, gen[0].rss_mb, "MB", gen[0].rss_mb < LIST_RSS_MB_MAX);
	for (int warm = 0; have_cli && warm < 2; warm++) {
		snprintf(label, sizeof label, "person list --json < %.0f ms, %s", LIST_MS_MAX,
			 warm ? "warm" : "cold");
		target(label, cli[warm].wall_ms, "ms", cli[warm].wall_ms < LIST_MS_MAX);
	}
	snprintf(label, sizeof label, "... peak RSS < %.0f MB", LIST_RSS_MB_MAX);
	if (have_cli)
		target(label, cli[0].rss_mb, "MB", cli[0].rss_mb < LIST_RSS_MB_MAX);
	for (int warm = 0; have_cli && warm < 2; warm++) {
		snprintf(label, sizeof label, "visit list --due --json < %.0f ms, %s", DUE_MS_MAX,
			 warm ? "warm" : "cold");
		target(label, due[warm].wall_ms, "ms", due[warm].wall_ms < DUE_MS_MAX);
	}
	snprintf(label, sizeof label, "file size <= %.1f x plain SQLite", SIZE_RATIO_MAX);
	target(label, enc_mb / plain_mb, "x", enc_mb / plain_mb <= SIZE_RATIO_MAX);

	dump_release(&d);
	if (!(keep && *keep))
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(prog);
	free(fixture);
	free(enc);
	free(plain);
	free(dir);
	return 0;
}
