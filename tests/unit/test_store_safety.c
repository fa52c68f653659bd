/*
 * Safety tests of the encrypted store (DESIGN.md section 4): what it
 * promises about a lost laptop (nothing readable on disk), a crash, a flat
 * battery and a full disk (nothing committed is lost, nothing is half
 * written), and damaged files (a clear error, never a crash, never a
 * silently empty store).
 *
 *   canary    people and visits full of unique strings; not one of them,
 *             no "SQLite format 3" and no table name is found in any file
 *             of the store (open with a live WAL, and closed) or in a file
 *             written under $TMPDIR or /tmp while the test ran;
 *   faults    every write, every fsync of an operation fails in turn, and
 *             the disk fills up at every write: a clear FV_EIO, and the
 *             store (in the same session and reopened) holds exactly what
 *             it held before; the same handle goes on working; faults in
 *             the checkpoint of fv_store_close lose nothing either; a
 *             failed fsync followed by a crash does not bring the failed
 *             change back;
 *   powercut  the VFS's power-loss simulation (unsynced writes kept, lost
 *             or torn) at a random write of a random run of operations,
 *             close included: the store reopens, passes integrity_check,
 *             and holds every operation that returned FV_OK and none that
 *             failed; then every write of one big checkpoint cut in turn;
 *   damage    wrong passphrase (with a crashed process's -wal), truncated
 *             and bit-flipped files (page 1, a middle page, a WAL frame, a
 *             page 1 torn while the -wal holds it), a junk -journal, a
 *             second process, lost, damaged and foreign key files,
 *             recovery and a new passphrase;
 *   crash     child processes writing in a loop are killed with SIGKILL at
 *             random moments: every commit they reported is there.
 *
 * White-box: before the first store is opened a counting VFS is made
 * SQLite's default, so the cipher VFS stacks on it; it counts the writes
 * and fsyncs that reach the disk, which tells how many an operation makes.
 * "A crash" is a child process that _exit()s with the store open, leaving
 * its -wal as a killed program would.
 *
 * Deterministic apart from the timing of the kills: one seed
 * (FV_SAFETY_SEED, default 20261123) is printed first.  FV_SAFETY_ONLY=
 * "canary,faults,powercut,damage,crash" runs some parts (under valgrind,
 * leave out damage and crash, which fork most); FV_KEEP=1 keeps the temp
 * folder.  About 10 s (15 s with ASan and UBSan).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fieldvisit/store.h"
#include "../../src/store/store_internal.h"
#include "tap.h"
#include "errs.h"

#define PASS "correct horse battery"
#define PASS2 "a brand new passphrase"
#define WRONG "correct horse battery!"

#define PAGE 4096
#define WAL_HDR 32
#define WAL_FRAME (24 + PAGE)

static char *dir;
static time_t t_start;
static uint8_t recovery_pk[VAULT_BOX_PK_BYTES];
static char *recovery_path;
static fv_form *form;

/* diag() for text that may span lines (integrity_check's report): every
 * line gets its "# ". */
__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	for (char *line = buf, *nl; line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		printf("# %s\n", line);
	}
	fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* Seeded randomness (splitmix64)                                      */

static uint64_t rng;

static uint64_t rnd64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned rnd(unsigned n)
{
	return n ? (unsigned)(rnd64() % n) : 0;
}

/* ------------------------------------------------------------------ */
/* A counting VFS under the cipher VFS                                 */

static struct {
	long writes, syncs;
} disk;

typedef struct kfile {
	sqlite3_file base;
	sqlite3_file *real;
} kfile;

static sqlite3_vfs count_vfs;

static sqlite3_file *real_of(sqlite3_file *f)
{
	return ((kfile *)f)->real;
}

static int k_close(sqlite3_file *f)
{
	return real_of(f)->pMethods->xClose(real_of(f));
}

static int k_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	return real_of(f)->pMethods->xRead(real_of(f), buf, amt, off);
}

static int k_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	disk.writes++;
	return real_of(f)->pMethods->xWrite(real_of(f), buf, amt, off);
}

static int k_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int k_sync(sqlite3_file *f, int flags)
{
	disk.syncs++;
	return real_of(f)->pMethods->xSync(real_of(f), flags);
}

static int k_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int k_lock(sqlite3_file *f, int lock)
{
	return real_of(f)->pMethods->xLock(real_of(f), lock);
}

static int k_unlock(sqlite3_file *f, int lock)
{
	return real_of(f)->pMethods->xUnlock(real_of(f), lock);
}

static int k_check_reserved(sqlite3_file *f, int *out)
{
	return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int k_file_control(sqlite3_file *f, int op, void *arg)
{
	return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int k_sector_size(sqlite3_file *f)
{
	return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int k_device_characteristics(sqlite3_file *f)
{
	return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static const sqlite3_io_methods count_io = {
	.iVersion = 1,
	.xClose = k_close,
	.xRead = k_read,
	.xWrite = k_write,
	.xTruncate = k_truncate,
	.xSync = k_sync,
	.xFileSize = k_file_size,
	.xLock = k_lock,
	.xUnlock = k_unlock,
	.xCheckReservedLock = k_check_reserved,
	.xFileControl = k_file_control,
	.xSectorSize = k_sector_size,
	.xDeviceCharacteristics = k_device_characteristics,
};

static sqlite3_vfs *below(void)
{
	return (sqlite3_vfs *)count_vfs.pAppData;
}

static int kv_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags,
		   int *out_flags)
{
	kfile *f = (kfile *)file;
	(void)vfs;
	memset(f, 0, sizeof *f);
	f->real = (sqlite3_file *)(f + 1);
	int rc = below()->xOpen(below(), name, f->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		if (f->real->pMethods)
			f->real->pMethods->xClose(f->real);
		return rc;
	}
	f->base.pMethods = &count_io;
	return SQLITE_OK;
}

static int kv_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return below()->xDelete(below(), name, sync_dir);
}

static int kv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return below()->xAccess(below(), name, flags, out);
}

static int kv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return below()->xFullPathname(below(), name, n, out);
}

static int kv_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return below()->xRandomness(below(), n, out);
}

static int kv_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return below()->xSleep(below(), us);
}

static int kv_current_time(sqlite3_vfs *vfs, double *t)
{
	(void)vfs;
	return below()->xCurrentTime(below(), t);
}

static int kv_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return below()->xGetLastError ? below()->xGetLastError(below(), n, out) : 0;
}

/* Make the counting VFS SQLite's default, before the cipher VFS is
 * registered (it wraps the default of the time). */
static int count_vfs_register(void)
{
	sqlite3_vfs *base = sqlite3_vfs_find(NULL);
	if (!base)
		return 0;
	count_vfs.iVersion = 1;
	count_vfs.szOsFile = (int)sizeof(kfile) + base->szOsFile;
	count_vfs.mxPathname = base->mxPathname;
	count_vfs.zName = "fvcount";
	count_vfs.pAppData = base;
	count_vfs.xOpen = kv_open;
	count_vfs.xDelete = kv_delete;
	count_vfs.xAccess = kv_access;
	count_vfs.xFullPathname = kv_full_pathname;
	count_vfs.xRandomness = kv_randomness;
	count_vfs.xSleep = kv_sleep;
	count_vfs.xCurrentTime = kv_current_time;
	count_vfs.xGetLastError = kv_last_error;
	return sqlite3_vfs_register(&count_vfs, 1) == SQLITE_OK;
}

static void disk_reset(void)
{
	disk.writes = disk.syncs = 0;
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

static char *path_in(const char *name)
{
	return fv_xasprintf("%s/%s", dir, name);
}

static int exists(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) == 0;
}

static long size_of(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* The whole file (NULL when it cannot be read). */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t n = 0, cap = 0;
	*len = 0;
	if (!fp)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			data = fv_xrealloc(data, cap);
		}
		size_t got = fread(data + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	fclose(fp);
	*len = n;
	return data;
}

static int spit(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;
	int good = write(fd, data, len) == (ssize_t)len;
	return close(fd) == 0 && good;
}

static int copy_file(const char *from, const char *to)
{
	size_t len;
	unsigned char *data = slurp(from, &len);
	int good = data && spit(to, data, len);
	free(data);
	return good;
}

static int same_file(const char *a, const char *b)
{
	size_t la, lb;
	unsigned char *da = slurp(a, &la), *db = slurp(b, &lb);
	int same = da && db && la == lb && memcmp(da, db, la) == 0;
	free(da);
	free(db);
	return same;
}

static uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void flip_byte(const char *path, long off)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	unsigned char c = 0;
	if (fd < 0)
		return;
	if (pread(fd, &c, 1, off) == 1) {
		c ^= 0x5a;
		if (pwrite(fd, &c, 1, off) != 1)
			say("cannot flip a byte of %s", path);
	}
	close(fd);
}

static void cut_file(const char *path, long size)
{
	if (truncate(path, size) != 0)
		say("cannot truncate %s: %s", path, strerror(errno));
}

static char *with(const char *path, const char *suffix)
{
	return fv_xasprintf("%s%s", path, suffix);
}

/* The files a store may have; the first four are its own. */
static const char *const suffixes[] = {"", "-wal", ".keys", ".keys.bak", "-shm", "-journal"};
#define NSUFFIXES (sizeof suffixes / sizeof suffixes[0])

static void store_remove(const char *path)
{
	for (size_t i = 0; i < NSUFFIXES; i++) {
		char *p = with(path, suffixes[i]);
		unlink(p);
		free(p);
	}
}

/* Copy a closed store (its key files bind it to its store id, not to
 * its name, so the copy opens). */
static void store_copy(const char *from, const char *to)
{
	store_remove(to);
	for (size_t i = 0; i < 4; i++) {
		char *a = with(from, suffixes[i]), *b = with(to, suffixes[i]);
		if (exists(a) && !copy_file(a, b))
			say("cannot copy %s", a);
		free(a);
		free(b);
	}
}

static int suffix_exists(const char *path, const char *suffix)
{
	char *p = with(path, suffix);
	int e = exists(p);
	free(p);
	return e;
}

/* Remove a folder and what is in it (one level of sub-folders). */
static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *p = fv_xasprintf("%s/%s", path, e->d_name);
		if (unlink(p) != 0)
			remove_tree(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static double monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* People, visits and what the store must hold                         */

/* The fields of person number k: a valid, unique resident ID (a woman
 * born 1930-01-01 + (k / 500) % 20000 days, sequence (k % 500) * 2, the
 * address code 110101 + k / 10,000,000). */
typedef struct pbuf {
	char name[48], birth[48], rid[80], village[48], phone[32];
} pbuf;

static fv_person_input person_input(long k, pbuf *b)
{
	static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	int32_t day;
	int y, m, d, sum = 0;
	fv_date_from_ymd(1930, 1, 1, &day);
	day += (int32_t)((k / 500) % 20000);
	fv_date_to_ymd(day, &y, &m, &d);
	snprintf(b->rid, sizeof b->rid, "%06ld%04d%02d%02d%03ld", 110101 + k / 10000000L, y, m, d,
		 (k % 500) * 2);
	for (int i = 0; i < 17; i++)
		sum += (b->rid[i] - '0') * weight[i];
	b->rid[17] = "10X98765432"[sum % 11];
	b->rid[18] = '\0';
	snprintf(b->birth, sizeof b->birth, "%04d-%02d-%02d", y, m, d);
	snprintf(b->name, sizeof b->name, "person %ld", k);
	snprintf(b->village, sizeof b->village, "village %ld", k % 7);
	snprintf(b->phone, sizeof b->phone, "139%08ld", k % 100000000L);
	fv_person_input in = {
		.name = b->name, .sex = "female", .birth = b->birth, .resident_id = b->rid,
		.phone = b->phone, .village = b->village,
	};
	return in;
}

typedef struct person_rec {
	char id[FV_ID_BYTES];
	long k;
	char phone[32];
} person_rec;

typedef struct visit_rec {
	char id[FV_ID_BYTES];
} visit_rec;

/* What a store must hold: these people (with these phones) and visits,
 * and nothing else. */
typedef struct model {
	person_rec *p;
	size_t np, capp;
	visit_rec *v;
	size_t nv, capv;
} model;

static long next_k = 1;

static void model_add_person(model *m, const char *id, long k, const char *phone)
{
	m->p = fv_xgrow(m->p, &m->capp, m->np + 1, sizeof *m->p);
	person_rec *r = &m->p[m->np++];
	memcpy(r->id, id, FV_ID_BYTES);
	r->k = k;
	snprintf(r->phone, sizeof r->phone, "%s", phone);
}

static void model_add_visit(model *m, const char *id)
{
	m->v = fv_xgrow(m->v, &m->capv, m->nv + 1, sizeof *m->v);
	memcpy(m->v[m->nv++].id, id, FV_ID_BYTES);
}

static void model_copy(model *dst, const model *src)
{
	memset(dst, 0, sizeof *dst);
	for (size_t i = 0; i < src->np; i++)
		model_add_person(dst, src->p[i].id, src->p[i].k, src->p[i].phone);
	for (size_t i = 0; i < src->nv; i++)
		model_add_visit(dst, src->v[i].id);
}

static void model_free(model *m)
{
	free(m->p);
	free(m->v);
	memset(m, 0, sizeof *m);
}

enum { OP_ADD, OP_VISIT, OP_EDIT, OP_CHECKPOINT };
static const char *const op_names[] = {"add a person", "submit a visit", "edit a person",
				       "checkpoint"};

/* Run one operation on s; when it returns FV_OK the model learns what it
 * did.  A checkpoint is what SQLite's auto-checkpoint does after 1000
 * pages, forced here so that runs cross the restart of the WAL. */
static fv_status run_op(fv_store *s, model *m, int op)
{
	fv_status st = FV_OK;
	char id[FV_ID_BYTES];
	switch (op) {
	case OP_ADD: {
		pbuf b;
		long k = next_k++;
		fv_person_input in = person_input(k, &b);
		st = fv_person_add(s, &in, id, &err);
		if (st == FV_OK)
			model_add_person(m, id, k, b.phone);
		break;
	}
	case OP_VISIT: {
		fv_answers a = {0};
		char note[32];
		fv_visit_input in = {.person = m->p[rnd((unsigned)m->np)].id, .services = "comfort"};
		snprintf(note, sizeof note, "note %u", rnd(1000000));
		fv_answers_add(&a, "note", note);
		fv_answers_add(&a, "count", "3");
		st = fv_visit_submit(s, form, &in, &a, id, &err);
		fv_answers_release(&a);
		if (st == FV_OK)
			model_add_visit(m, id);
		break;
	}
	case OP_EDIT: {
		person_rec *r = &m->p[rnd((unsigned)m->np)];
		char phone[32];
		snprintf(phone, sizeof phone, "138%08u", rnd(100000000));
		fv_person_input in = {.phone = phone};
		st = fv_person_edit(s, r->id, &in, &err);
		if (st == FV_OK)
			snprintf(r->phone, sizeof r->phone, "%s", phone);
		break;
	}
	case OP_CHECKPOINT: {
		int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
						   NULL);
		if (rc != SQLITE_OK) {
			fv_errors_add(&err, NULL, 0, "checkpoint: %s", sqlite3_errstr(rc));
			st = FV_EIO;
		}
		break;
	}
	}
	return st;
}

static int by_person_id(const void *a, const void *b)
{
	return strcmp(((const fv_person *)a)->id, ((const fv_person *)b)->id);
}

static int by_visit_id(const void *a, const void *b)
{
	return strcmp(((const fv_visit *)a)->id, ((const fv_visit *)b)->id);
}

/* 1 when the store holds exactly the people and visits of the model
 * (extra = 0), or those and up to extra more of each (commits a killed
 * process made but could not report). */
static int model_check_extra(fv_store *s, const model *m, size_t extra, const char *what)
{
	fv_person *people = NULL;
	fv_visit *visits = NULL;
	size_t n = 0, nv = 0;
	int good = 1;

	reset();
	if (fv_person_list(s, NULL, &people, &n, &err) != FV_OK) {
		say("%s: cannot list people: %s", what, first());
		return 0;
	}
	if (fv_visit_list(s, NULL, &visits, &nv, &err) != FV_OK) {
		say("%s: cannot list visits: %s", what, first());
		fv_person_list_free(people, n);
		return 0;
	}
	if (n < m->np || n > m->np + extra) {
		say("%s: %zu people, want %zu (+%zu)", what, n, m->np, extra);
		good = 0;
	}
	if (nv < m->nv || nv > m->nv + extra) {
		say("%s: %zu visits, want %zu (+%zu)", what, nv, m->nv, extra);
		good = 0;
	}
	qsort(people, n, sizeof *people, by_person_id);
	qsort(visits, nv, sizeof *visits, by_visit_id);
	for (size_t i = 0; good && i < m->np; i++) {
		fv_person key = {.id = m->p[i].id};
		fv_person *p = bsearch(&key, people, n, sizeof *people, by_person_id);
		char name[48];
		snprintf(name, sizeof name, "person %ld", m->p[i].k);
		if (!p) {
			say("%s: person %s (%s) is missing", what, m->p[i].id, name);
			good = 0;
		} else if (strcmp(p->name, name) != 0 || strcmp(p->phone, m->p[i].phone) != 0) {
			say("%s: person %s is '%s' %s, want '%s' %s", what, p->id, p->name,
			     p->phone, name, m->p[i].phone);
			good = 0;
		}
	}
	for (size_t i = 0; good && i < m->nv; i++) {
		fv_visit key = {.id = m->v[i].id};
		if (!bsearch(&key, visits, nv, sizeof *visits, by_visit_id)) {
			say("%s: visit %s is missing", what, m->v[i].id);
			good = 0;
		}
	}
	fv_person_list_free(people, n);
	fv_visit_list_free(visits, nv);
	return good;
}

static int model_check(fv_store *s, const model *m, const char *what)
{
	return model_check_extra(s, m, 0, what);
}

/* Everything the store shows of its people, visits and audit log, as
 * text, to compare a state before and after. */
static char *snapshot(fv_store *s)
{
	fv_person *people = NULL;
	fv_visit *visits = NULL;
	fv_audit_entry *audit = NULL;
	size_t n = 0, nv = 0, na = 0;
	fv_buf b;
	fv_errors e;

	fv_errors_init(&e);
	fv_buf_init(&b);
	if (fv_person_list(s, NULL, &people, &n, &e) != FV_OK ||
	    fv_visit_list(s, NULL, &visits, &nv, &e) != FV_OK ||
	    fv_store_audit_list(s, NULL, &audit, &na, &e) != FV_OK)
		fv_buf_addf(&b, "error: %s\n", e.n ? e.lines[0] : "?");
	for (size_t i = 0; i < n; i++)
		fv_buf_addf(&b, "person %s %d %s %s %s %s\n", people[i].id, people[i].version,
			    people[i].name, people[i].phone, people[i].updated_at,
			    people[i].last_visit);
	for (size_t i = 0; i < nv; i++)
		fv_buf_addf(&b, "visit %s %d %s %s %s\n", visits[i].id, visits[i].version,
			    visits[i].person, fv_visit_state_name(visits[i].state),
			    visits[i].submitted_at);
	for (size_t i = 0; i < na; i++)
		fv_buf_addf(&b, "audit %lld %s %s %s\n", (long long)audit[i].seq, audit[i].action,
			    audit[i].subject, audit[i].detail);
	fv_person_list_free(people, n);
	fv_visit_list_free(visits, nv);
	fv_store_audit_list_free(audit, na);
	fv_errors_release(&e);
	return fv_buf_take(&b);
}

static fv_status open_as(const char *path, const char *pass, fv_store **out)
{
	reset();
	return fv_store_open(path, pass, out, &err);
}

static int integrity_ok(fv_store *s, const char *what)
{
	reset();
	if (fv_store_integrity(s, &err) == FV_OK)
		return 1;
	say("%s: integrity: %s", what, first());
	return 0;
}

/* ------------------------------------------------------------------ */
/* The base store every part copies                                    */

static char *base_path;
static model base_model;

static const char safety_form[] =
	"survey,type,name,label\n"
	",text,note,Note\n"
	",text,note_zh,Note (Chinese)\n"
	",integer,count,Count\n"
	"settings,form_id,version\n"
	",safety,1\n";

static fv_store *create_at(const char *path, const char *user)
{
	fv_store_init init = {FV_ROLE_WORKER, user, PASS, vault_pw_fast(), recovery_pk};
	fv_store *s = NULL;
	char *csv = path_in("safety.csv");
	reset();
	if (fv_store_create(path, &init, NULL, &s, &err) != FV_OK) {
		say("create %s: %s", path, first());
		free(csv);
		return NULL;
	}
	reset();
	if (fv_store_form_install(s, csv, &err) != FV_OK) {
		say("install the form: %s", first());
		fv_store_close(s);
		s = NULL;
	}
	free(csv);
	return s;
}

static int make_base(void)
{
	char *csv = path_in("safety.csv");
	int good = spit(csv, safety_form, sizeof safety_form - 1);
	free(csv);
	base_path = path_in("base.fv");
	fv_store *s = good ? create_at(base_path, "Li Hua") : NULL;
	if (!s)
		return 0;
	reset();
	if (fv_store_form_load(s, "safety", &form, &err) != FV_OK) {
		say("load the form: %s", first());
		fv_store_close(s);
		return 0;
	}
	for (int i = 0; good && i < 6; i++)
		good = run_op(s, &base_model, OP_ADD) == FV_OK;
	for (int i = 0; good && i < 3; i++)
		good = run_op(s, &base_model, OP_VISIT) == FV_OK;
	if (!good)
		say("filling the base store: %s", first());
	fv_store_close(s);
	return good;
}

/* ------------------------------------------------------------------ */
/* 1. Canaries: nothing readable on disk                               */

typedef struct needle {
	const char *label;
	char *bytes;
} needle;

static const unsigned char *find_bytes(const unsigned char *hay, size_t n, const char *what)
{
	size_t m = strlen(what);
	if (!m || m > n)
		return NULL;
	for (size_t i = 0; i + m <= n; i++)
		if (hay[i] == (unsigned char)what[0] && memcmp(hay + i, what, m) == 0)
			return hay + i;
	return NULL;
}

/* Hits of the needles in the file at path; each hit is shown (by its
 * label: the canaries themselves are never printed). */
static int scan_file(const char *path, const needle *nd, size_t n)
{
	size_t len;
	unsigned char *data = slurp(path, &len);
	int hits = 0;
	if (!data)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *at = find_bytes(data, len, nd[i].bytes);
		if (at) {
			say("%s: %s found at offset %zu", path, nd[i].label, (size_t)(at - data));
			hits++;
		}
	}
	free(data);
	return hits;
}

/* Scan every file of folder path (recursively) for the needles. */
static int scan_folder(const char *path, const needle *nd, size_t n, size_t *files)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int hits = 0;
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *p = fv_xasprintf("%s/%s", path, e->d_name);
		struct stat sb;
		if (lstat(p, &sb) == 0) {
			if (S_ISDIR(sb.st_mode))
				hits += scan_folder(p, nd, n, files);
			else if (S_ISREG(sb.st_mode)) {
				hits += scan_file(p, nd, n);
				(*files)++;
			}
		}
		free(p);
	}
	if (d)
		closedir(d);
	return hits;
}

/* Scan the regular files under path changed since the test started (our
 * own folder excepted: it is scanned whole), a few levels deep. */
static int scan_recent(const char *path, int depth, const needle *nd, size_t n, size_t *files,
		       size_t *visited)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int hits = 0;
	while (d && (e = readdir(d)) && *visited < 50000) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *p = fv_xasprintf("%s/%s", path, e->d_name);
		struct stat sb;
		(*visited)++;
		if (strcmp(p, dir) != 0 && lstat(p, &sb) == 0) {
			if (S_ISDIR(sb.st_mode) && depth > 0)
				hits += scan_recent(p, depth - 1, nd, n, files, visited);
			else if (S_ISREG(sb.st_mode) && sb.st_mtime >= t_start &&
				 sb.st_size <= 64L << 20 && access(p, R_OK) == 0) {
				hits += scan_file(p, nd, n);
				(*files)++;
			}
		}
		free(p);
	}
	if (d)
		closedir(d);
	return hits;
}

static char *random_hex(const char *prefix, int n)
{
	fv_buf b;
	fv_buf_init(&b);
	fv_buf_adds(&b, prefix);
	for (int i = 0; i < n; i++)
		fv_buf_addc(&b, "0123456789abcdef"[rnd(16)]);
	return fv_buf_take(&b);
}

static char *random_han(int n)
{
	fv_buf b;
	fv_buf_init(&b);
	for (int i = 0; i < n; i++)
		fv_utf8_put(&b, 0x4e00 + rnd(0x9fa5 - 0x4e00));
	return fv_buf_take(&b);
}

static char *random_digits(const char *prefix, int n)
{
	fv_buf b;
	fv_buf_init(&b);
	fv_buf_adds(&b, prefix);
	for (int i = 0; i < n; i++)
		fv_buf_addc(&b, (char)('0' + rnd(10)));
	return fv_buf_take(&b);
}

enum {
	C_USER, C_NAME, C_NAME_ZH, C_VILLAGE, C_VILLAGE_ZH, C_HOUSEHOLD, C_PHONE, C_CONTACT,
	C_CONTACT_ZH, C_NOTE, C_NOTE_ZH, NCANARIES
};
static const char *const canary_labels[NCANARIES] = {
	"canary (user name)", "canary (name)", "canary (Chinese name)", "canary (village)",
	"canary (Chinese village)", "canary (household)", "canary (phone)",
	"canary (contact name)", "canary (Chinese contact name)", "canary (text answer)",
	"canary (Chinese text answer)",
};
static needle canaries[NCANARIES];

/* What must never be found in a store's files: the canaries, SQLite's
 * magic, the names of the tables and of what they hold. */
static const char *const clear_words[] = {
	"SQLite format 3", "CREATE TABLE", "sqlite_", "person", "visit", "audit",
	"household", "resident_id", "answers", "survey,type", "comfort", "female",
	"Li Hua", "safety",
};
#define NCLEAR (sizeof clear_words / sizeof clear_words[0])

static size_t all_needles(needle *out)
{
	size_t n = 0;
	for (size_t i = 0; i < NCANARIES; i++)
		out[n++] = canaries[i];
	for (size_t i = 0; i < NCLEAR; i++) {
		out[n].label = clear_words[i];
		out[n++].bytes = (char *)clear_words[i];
	}
	return n;
}

/* The names in folder path, sorted, space-separated. */
static char *folder_list(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char *names[64];
	size_t n = 0;
	fv_buf b;
	fv_buf_init(&b);
	while (d && (e = readdir(d)) && n < 64)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			names[n++] = fv_xstrdup(e->d_name);
	if (d)
		closedir(d);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		fv_buf_addf(&b, "%s%s", i ? " " : "", names[i]);
		free(names[i]);
	}
	return fv_buf_take(&b);
}

static void test_canary(void)
{
	needle nd[NCANARIES + NCLEAR];
	size_t nn, files = 0;
	char *folder = path_in("canary"), *path, *wal;
	fv_store *s;
	int good = 1;

	canaries[C_USER].bytes = random_hex("Wang Canary ", 16);
	canaries[C_NAME].bytes = random_hex("Name Canary ", 16);
	canaries[C_NAME_ZH].bytes = random_han(8);
	canaries[C_VILLAGE].bytes = random_hex("Village Canary ", 16);
	canaries[C_VILLAGE_ZH].bytes = random_han(8);
	canaries[C_HOUSEHOLD].bytes = random_hex("HH-", 20);
	canaries[C_PHONE].bytes = random_digits("1", 14);
	canaries[C_CONTACT].bytes = random_hex("Contact Canary ", 16);
	canaries[C_CONTACT_ZH].bytes = random_han(8);
	canaries[C_NOTE].bytes = random_hex("Note canary: depressed mood ", 20);
	canaries[C_NOTE_ZH].bytes = random_han(12);
	for (size_t i = 0; i < NCANARIES; i++)
		canaries[i].label = canary_labels[i];
	nn = all_needles(nd);

	/* the scanner finds a canary that is there (the checks below are
	 * not vacuous) */
	char *control = path_in("control.txt");
	char *text = fv_xasprintf("x%sy%sz", canaries[C_NAME_ZH].bytes, canaries[C_NOTE].bytes);
	spit(control, text, strlen(text));
	say("control file (two hits expected below):");
	ok(scan_file(control, canaries, NCANARIES) == 2, "canary: the scanner finds canaries");
	unlink(control);
	free(control);
	free(text);

	mkdir(folder, 0700);
	path = fv_xasprintf("%s/c.fv", folder);
	wal = with(path, "-wal");
	s = create_at(path, canaries[C_USER].bytes);
	if (!ok(s != NULL, "canary: create a store")) {
		free(folder);
		free(path);
		free(wal);
		return;
	}
	char ids[4][FV_ID_BYTES];
	fv_person_input in[2] = {
		{.name = canaries[C_NAME].bytes, .sex = "female", .birth = "1940-02-29",
		 .resident_id = "130102194002290044", .phone = canaries[C_PHONE].bytes,
		 .village = canaries[C_VILLAGE].bytes, .household = canaries[C_HOUSEHOLD].bytes,
		 .categories = "gaoling shidu",
		 .contact_name = {canaries[C_CONTACT].bytes, canaries[C_CONTACT_ZH].bytes},
		 .contact_phone = {"13800138000", NULL}},
		{.name = canaries[C_NAME_ZH].bytes, .sex = "male", .birth = "1985-07-15",
		 .resident_id = "320102198507150016", .village = canaries[C_VILLAGE_ZH].bytes,
		 .household = canaries[C_HOUSEHOLD].bytes},
	};
	for (int i = 0; i < 2; i++) {
		reset();
		if (fv_person_add(s, &in[i], ids[i], &err) != FV_OK) {
			say("add: %s", first());
			good = 0;
		}
	}
	for (int i = 0; good && i < 2; i++) {
		fv_answers a = {0};
		fv_visit_input vi = {.person = ids[i], .services = "meals comfort"};
		fv_answers_add(&a, "note", canaries[C_NOTE].bytes);
		fv_answers_add(&a, "note_zh", canaries[C_NOTE_ZH].bytes);
		fv_answers_add(&a, "count", "2");
		reset();
		if (fv_visit_submit(s, form, &vi, &a, ids[2 + i], &err) != FV_OK) {
			say("submit: %s", first());
			good = 0;
		}
		fv_answers_release(&a);
	}
	ok(good, "canary: people and visits full of canaries saved");

	/* they are really stored (else finding none proves nothing) */
	fv_person p;
	fv_visit v;
	reset();
	good = fv_person_get(s, ids[0], &p, &err) == FV_OK;
	if (good) {
		good = strcmp(p.name, canaries[C_NAME].bytes) == 0 &&
		       strcmp(p.village, canaries[C_VILLAGE].bytes) == 0 &&
		       strcmp(p.household, canaries[C_HOUSEHOLD].bytes) == 0 &&
		       strcmp(p.phone, canaries[C_PHONE].bytes) == 0 &&
		       strcmp(p.contact_name[1], canaries[C_CONTACT_ZH].bytes) == 0;
		fv_person_release(&p);
	}
	reset();
	if (good && fv_visit_get(s, ids[3], 0, &v, &err) == FV_OK) {
		good = strstr(v.answers, canaries[C_NOTE].bytes) &&
		       strstr(v.answers, canaries[C_NOTE_ZH].bytes);
		fv_visit_release(&v);
	} else {
		good = 0;
	}
	ok(good, "canary: the canaries read back from the open store");

	/* open, with the changes in the write-ahead log */
	long wal_size = size_of(wal);
	ok(wal_size >= WAL_HDR + 2 * WAL_FRAME, "canary: the changes are in the -wal (%ld bytes)",
	   wal_size);
	char *names = folder_list(folder);
	is_str(names, "c.fv c.fv-wal c.fv.keys c.fv.keys.bak",
	       "canary: open, the folder holds the database, its -wal and the key files only");
	free(names);
	ok(!suffix_exists(path, "-shm") && !suffix_exists(path, "-journal"),
	   "canary: open: no -shm, no -journal");
	files = 0;
	ok(scan_folder(folder, nd, nn, &files) == 0 && files == 4,
	   "canary: open: no canary, no SQLite magic, no table name in the database, -wal, "
	   "key file or its backup (%zu files)", files);

	fv_store_close(s);
	names = folder_list(folder);
	is_str(names, "c.fv c.fv.keys c.fv.keys.bak",
	       "canary: closed, the -wal is checkpointed and gone");
	free(names);
	files = 0;
	ok(scan_folder(folder, nd, nn, &files) == 0 && files == 3,
	   "canary: closed: nothing readable in the database or the key files (%zu files)",
	   files);
	ok(size_of(path) >= 8 * PAGE, "canary: the database holds the data (%ld bytes)",
	   size_of(path));

	/* and the data is still all there */
	reset();
	good = fv_store_open(path, PASS, &s, &err) == FV_OK;
	if (good) {
		good = fv_person_get(s, ids[1], &p, &err) == FV_OK;
		if (good) {
			good = strcmp(p.name, canaries[C_NAME_ZH].bytes) == 0;
			fv_person_release(&p);
		}
		fv_store_close(s);
	}
	ok(good, "canary: reopened, the data reads back");
	free(folder);
	free(path);
	free(wal);
}

/* At the end: nothing any part wrote under $TMPDIR or /tmp holds a
 * canary, and nothing in our own folder does either. */
static void test_canary_tmp(void)
{
	size_t files = 0, visited = 0;
	int hits = 0;
	const char *tmpdir = getenv("TMPDIR");
	char *roots[2] = {NULL, fv_xstrdup("/tmp")};
	char real[4096];

	if (tmpdir && *tmpdir && realpath(tmpdir, real) && strcmp(real, "/tmp") != 0)
		roots[0] = fv_xstrdup(real);
	for (int i = 0; i < 2; i++) {
		if (roots[i])
			hits += scan_recent(roots[i], 4, canaries, NCANARIES, &files, &visited);
		free(roots[i]);
	}
	ok(hits == 0, "canary: no canary in the %zu files written under $TMPDIR and /tmp "
	   "while the test ran", files);
	files = 0;
	hits = scan_folder(dir, canaries, NCANARIES, &files);
	ok(hits == 0, "canary: no canary in any of the %zu files of the test's folder", files);
}

/* ------------------------------------------------------------------ */
/* 2. Faults: failed writes and syncs, a full disk                     */

enum { F_WRITE, F_SYNC, F_FULL };
static const char *const fault_names[] = {"failed write", "failed fsync", "disk full"};

static void arm(int kind, int n)
{
	fv_store_fault(kind == F_WRITE ? n : 0, kind == F_SYNC ? n : 0, kind == F_FULL ? n : 0);
}

static void disarm(void)
{
	fv_store_fault(0, 0, 0);
}

/* Fault number n = 1, 2, ... in turn on operation op, until op makes
 * fewer than n writes (syncs): then it must succeed. */
static void fault_op(int kind, int op)
{
	char *path = path_in("fault.fv");
	const char *want = kind == F_FULL ? "disk full" : "input/output error";
	int failures = 0, bad_status = 0, bad_msg = 0, bad_session = 0, bad_reopen = 0;
	int bad_state = 0, bad_after = 0, finished = 0, n;

	for (n = 1; n <= 300 && !finished; n++) {
		model m;
		fv_store *s = NULL;
		model_copy(&m, &base_model);
		store_copy(base_path, path);
		if (open_as(path, PASS, &s) != FV_OK) {
			say("open %s: %s", path, first());
			bad_reopen++;
			model_free(&m);
			break;
		}
		char *before = snapshot(s), *expect = NULL;
		disk_reset();
		arm(kind, n);
		reset();
		fv_status st = run_op(s, &m, op);
		disarm();
		long used = kind == F_SYNC ? disk.syncs : disk.writes;
		if (st == FV_OK) {
			/* only because fault n came after its last write */
			finished = 1;
			if (used >= n) {
				say("%s with %s %d: succeeded after %ld %s", op_names[op],
				     fault_names[kind], n, used, kind == F_SYNC ? "syncs" : "writes");
				bad_status++;
			}
			expect = snapshot(s);
		} else {
			failures++;
			if (st != FV_EIO) {
				say("%s with %s %d: status %d, want FV_EIO", op_names[op],
				     fault_names[kind], n, (int)st);
				bad_status++;
			}
			if (!has_part(path) || !has_part(want))
				bad_msg++;
			/* nothing changed, in this session */
			char *now = snapshot(s);
			if (strcmp(now, before) != 0) {
				say("%s with %s %d: the store changed", op_names[op],
				     fault_names[kind], n);
				bad_session++;
			}
			free(now);
			/* every other time, the same handle goes on: the next
			 * operation succeeds and lasts */
			if (n % 2) {
				reset();
				if (run_op(s, &m, OP_ADD) != FV_OK) {
					say("%s with %s %d: the next operation fails: %s",
					     op_names[op], fault_names[kind], n, first());
					bad_after++;
				}
				expect = snapshot(s);
			} else {
				expect = fv_xstrdup(before);
			}
		}
		fv_store_close(s);
		s = NULL;
		if (open_as(path, PASS, &s) != FV_OK) {
			say("%s with %s %d: reopen: %s", op_names[op], fault_names[kind], n, first());
			bad_reopen++;
		} else {
			if (!integrity_ok(s, op_names[op]))
				bad_reopen++;
			char *now = snapshot(s);
			if (strcmp(now, expect) != 0 || !model_check(s, &m, op_names[op])) {
				say("%s with %s %d: reopened, the store is not as it was",
				     op_names[op], fault_names[kind], n);
				bad_state++;
			}
			free(now);
			fv_store_close(s);
		}
		free(before);
		free(expect);
		model_free(&m);
	}
	const char *what = op_names[op], *fault = fault_names[kind];
	say("%s: %d %ss in turn", what, failures, fault);
	ok(failures > 0 && finished, "faults: %s: a %s at each of its %d %s, then none",
	   what, fault, failures, kind == F_SYNC ? "fsyncs" : "writes");
	ok(!bad_status, "faults: %s: each %s fails it with FV_EIO", what, fault);
	ok(!bad_msg, "faults: %s: each %s says \"%s\" and names the store", what, fault, want);
	ok(!bad_session, "faults: %s: after a %s the open store shows the state before", what,
	   fault);
	ok(!bad_after, "faults: %s: after a %s the same handle goes on working", what, fault);
	ok(!bad_reopen, "faults: %s: after a %s the store reopens and passes integrity_check",
	   what, fault);
	ok(!bad_state, "faults: %s: after a %s the reopened store holds exactly what it held",
	   what, fault);
	free(path);
}

/* Faults in the checkpoint of fv_store_close: nothing is lost. */
static void fault_close(int kind)
{
	char *path = path_in("fault.fv");
	int failures = 0, bad = 0, finished = 0;
	for (int n = 1; n <= 300 && !finished; n++) {
		model m;
		fv_store *s = NULL;
		model_copy(&m, &base_model);
		store_copy(base_path, path);
		int good = open_as(path, PASS, &s) == FV_OK && run_op(s, &m, OP_ADD) == FV_OK &&
			   run_op(s, &m, OP_VISIT) == FV_OK && run_op(s, &m, OP_EDIT) == FV_OK;
		if (!good) {
			say("close with %s %d: setting up: %s", fault_names[kind], n, first());
			fv_store_close(s);
			model_free(&m);
			bad++;
			break;
		}
		arm(kind, n);
		fv_store_close(s);
		disarm();
		/* the -wal is deleted only after a checkpoint that went through */
		if (suffix_exists(path, "-wal"))
			failures++;
		else
			finished = 1;
		if (open_as(path, PASS, &s) != FV_OK) {
			say("close with %s %d: reopen: %s", fault_names[kind], n, first());
			bad++;
		} else {
			if (!integrity_ok(s, "close") || !model_check(s, &m, "close")) {
				say("close with %s %d: data lost", fault_names[kind], n);
				bad++;
			}
			fv_store_close(s);
		}
		model_free(&m);
	}
	ok(failures > 0 && finished && !bad,
	   "faults: a %s at each of the %d %s of the checkpoint at close loses nothing",
	   fault_names[kind], failures, kind == F_SYNC ? "fsyncs" : "writes");
	free(path);
}

/* A failed fsync of the commit, and then the process dies without
 * closing: the operation was reported as failed ("nothing was changed"),
 * so after recovery it must not be there either.  Each fsync n in turn,
 * in a child that reports the status and _exit()s. */
static void fault_sync_crash(int op)
{
	char *path = path_in("syncrash.fv");
	int failures = 0, bad = 0, finished = 0;
	for (int n = 1; n <= 20 && !finished; n++) {
		fv_store *s = NULL;
		store_copy(base_path, path);
		if (open_as(path, PASS, &s) != FV_OK) {
			bad++;
			break;
		}
		char *before = snapshot(s);
		fv_store_close(s);
		int fd[2];
		if (pipe(fd) != 0)
			break;
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			model m;
			int st = -1;
			close(fd[0]);
			model_copy(&m, &base_model);
			if (open_as(path, PASS, &s) == FV_OK) {
				arm(F_SYNC, n);
				st = (int)run_op(s, &m, op);
			}
			free(before);
			free(path);
			model_free(&m);
			if (write(fd[1], &st, sizeof st) != (ssize_t)sizeof st)
				_exit(2);
			_exit(0);   /* dies: no close, no checkpoint */
		}
		close(fd[1]);
		int st = -1;
		if (read(fd[0], &st, sizeof st) != (ssize_t)sizeof st)
			st = -1;
		close(fd[0]);
		waitpid(pid, NULL, 0);
		s = NULL;
		if (st == FV_OK) {
			finished = 1;
		} else if (st == FV_EIO) {
			failures++;
			if (open_as(path, PASS, &s) != FV_OK) {
				say("%s, fsync %d failed, crash: reopen: %s", op_names[op], n, first());
				bad++;
			} else {
				char *now = snapshot(s);
				if (strcmp(now, before) != 0 || !integrity_ok(s, op_names[op])) {
					say("%s, fsync %d failed, crash: the failed change is there",
					    op_names[op], n);
					bad++;
				}
				free(now);
				fv_store_close(s);
			}
		} else {
			say("%s, fsync %d failed: status %d", op_names[op], n, st);
			bad++;
		}
		free(before);
	}
	ok(failures > 0 && finished && !bad,
	   "faults: %s: a failed fsync (%d in turn), then a crash: the failed change does not "
	   "come back", op_names[op], failures);
	free(path);
}

static void test_faults(void)
{
	for (int kind = F_WRITE; kind <= F_FULL; kind++) {
		for (int op = OP_ADD; op <= OP_EDIT; op++)
			fault_op(kind, op);
		fault_close(kind);
	}
	for (int op = OP_ADD; op <= OP_EDIT; op++)
		fault_sync_crash(op);
}

/* ------------------------------------------------------------------ */
/* 3. Power loss                                                       */

#define POWERCUT_TRIALS 240
#define MAX_OPS 8

static void pick_ops(int *ops, int n)
{
	for (int i = 0; i < n; i++) {
		unsigned r = rnd(10);
		ops[i] = r < 4 ? OP_ADD : r < 7 ? OP_VISIT : r < 9 ? OP_EDIT : OP_CHECKPOINT;
	}
}

static int crash_with_wal(const char *path, model *m, int n);

/* Every write of one checkpoint cut in turn, with a few seeds each: a
 * store whose -wal holds 40 commits (page 1 among them, as the file grew)
 * is opened and closed, and the power goes at write `at` of the
 * checkpoint of the close. */
static void powercut_checkpoint(void)
{
	char *pre = path_in("precut.fv"), *path = path_in("ckcut.fv");
	fv_store *s = NULL;
	model m;
	int cuts = 0, bad = 0;
	long w = 0;

	model_copy(&m, &base_model);
	store_copy(base_path, pre);
	int got = crash_with_wal(pre, &m, 40);
	store_copy(pre, path);
	if (open_as(path, PASS, &s) == FV_OK) {
		disk_reset();
		fv_store_close(s);
		w = disk.writes;
	}
	for (int at = 1; at <= w + 1; at++) {
		for (unsigned seed = 1; seed <= 4; seed++) {
			char what[128];
			snprintf(what, sizeof what, "checkpoint cut at write %d of %ld, seed %u", at,
				 w, seed);
			store_copy(pre, path);
			if (open_as(path, PASS, &s) != FV_OK) {
				bad++;
				continue;
			}
			store_vfs_powercut(at, seed * 7919u + (unsigned)at);
			fv_store_close(s);
			store_vfs_powercut(0, 0);
			cuts += at <= w;
			s = NULL;
			if (open_as(path, PASS, &s) != FV_OK) {
				say("%s: reopen: %s", what, first());
				bad++;
				continue;
			}
			if (!integrity_ok(s, what) || !model_check(s, &m, what))
				bad++;
			fv_store_close(s);
		}
	}
	ok(got == 40 && w >= 10, "powercut: a -wal of 40 commits, checkpointed in %ld writes", w);
	ok(cuts > 0 && !bad, "powercut: %d cuts at every write of a checkpoint: the store reopens "
	   "with every commit", cuts);
	model_free(&m);
	free(pre);
	free(path);
}

static void test_powercut(void)
{
	char *path = path_in("power.fv");
	int trials = 0, cuts_ops = 0, cuts_close = 0, no_cut = 0;
	int bad_open = 0, bad_integrity = 0, bad_model = 0, bad_after_cut = 0, bad_setup = 0;
	double t0 = monotonic();

	for (int t = 0; t < POWERCUT_TRIALS; t++) {
		unsigned seed = (unsigned)rnd64();
		int ops[MAX_OPS], nops = 1 + (int)rnd(MAX_OPS);
		model m;
		fv_store *s = NULL;
		pick_ops(ops, nops);

		/* a dry run of the same operations: how many writes, how many
		 * of them in the checkpoint of the close */
		model_copy(&m, &base_model);
		store_copy(base_path, path);
		if (open_as(path, PASS, &s) != FV_OK) {
			bad_setup++;
			model_free(&m);
			break;
		}
		disk_reset();
		for (int i = 0; i < nops; i++)
			if (run_op(s, &m, ops[i]) != FV_OK)
				bad_setup++;
		long w_ops = disk.writes;
		fv_store_close(s);
		long w_all = disk.writes;
		model_free(&m);

		/* the real run, with the power cut at write `at` */
		int at = 1 + (int)rnd((unsigned)w_all + 1);
		model_copy(&m, &base_model);
		store_copy(base_path, path);
		if (open_as(path, PASS, &s) != FV_OK) {
			bad_setup++;
			model_free(&m);
			break;
		}
		trials++;
		store_vfs_powercut(at, seed);
		int failed = 0;
		for (int i = 0; i < nops; i++) {
			reset();
			fv_status st = run_op(s, &m, ops[i]);
			if (st != FV_OK)
				failed = 1;
			else if (failed && ops[i] != OP_CHECKPOINT)
				bad_after_cut++;   /* it cannot reach the disk */
		}
		if (failed)
			cuts_ops++;
		else if (at <= w_all)
			cuts_close++;
		else
			no_cut++;
		fv_store_close(s);
		store_vfs_powercut(0, 0);

		/* the power is back */
		char what[96];
		snprintf(what, sizeof what, "power cut at write %d of %ld (seed %u)", at, w_all,
			 seed);
		if (open_as(path, PASS, &s) != FV_OK) {
			say("%s, ops %ld writes: reopen: %s", what, w_ops, first());
			bad_open++;
		} else {
			if (!integrity_ok(s, what))
				bad_integrity++;
			if (!model_check(s, &m, what))
				bad_model++;
			fv_store_close(s);
		}
		model_free(&m);
	}
	say("%d power cuts: %d during an operation, %d in the checkpoint at close, %d runs "
	     "ended before the cut; %.1f s", trials, cuts_ops, cuts_close, no_cut,
	     monotonic() - t0);
	ok(!bad_setup && trials == POWERCUT_TRIALS, "powercut: %d runs set up", trials);
	ok(cuts_ops + cuts_close >= 100 && cuts_ops > 0 && cuts_close > 0,
	   "powercut: at least 100 cuts, during operations (%d) and during the checkpoint (%d)",
	   cuts_ops, cuts_close);
	ok(!bad_after_cut, "powercut: nothing succeeds once the power is off");
	ok(!bad_open, "powercut: the store reopens after every cut (%d failed)", bad_open);
	ok(!bad_integrity, "powercut: integrity_check passes after every cut (%d failed)",
	   bad_integrity);
	ok(!bad_model, "powercut: every operation that returned FV_OK is there, and no failed "
	   "one (%d runs wrong)", bad_model);
	free(path);
	powercut_checkpoint();
}

/* ------------------------------------------------------------------ */
/* 4. Damage                                                           */

/* What a killed process reports: each commit after it returned FV_OK. */
typedef struct report {
	char kind;           /* 'P' person, 'V' visit */
	char id[FV_ID_BYTES];
	long k;
	char phone[32];
} report;

/* In a child: open path, add n people, report each, and _exit without
 * closing, as a crash would leave the store (the -wal not checkpointed).
 * The parent learns the people in commit order; returns how many. */
static int crash_with_wal(const char *path, model *m, int n)
{
	int fd[2], got = 0;
	long k0 = next_k;
	next_k += n;
	if (pipe(fd) != 0)
		return 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fv_store *s;
		fv_errors e;
		close(fd[0]);
		fv_errors_init(&e);
		if (fv_store_open(path, PASS, &s, &e) != FV_OK)
			_exit(3);
		for (int i = 0; i < n; i++) {
			pbuf b;
			report r;
			memset(&r, 0, sizeof r);
			fv_person_input in = person_input(k0 + i, &b);
			if (fv_person_add(s, &in, r.id, &e) != FV_OK)
				_exit(4);
			r.kind = 'P';
			r.k = k0 + i;
			snprintf(r.phone, sizeof r.phone, "%s", b.phone);
			if (write(fd[1], &r, sizeof r) != (ssize_t)sizeof r)
				_exit(5);
		}
		_exit(0);
	}
	close(fd[1]);
	report r;
	while (read(fd[0], &r, sizeof r) == (ssize_t)sizeof r) {
		model_add_person(m, r.id, r.k, r.phone);
		got++;
	}
	close(fd[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		say("the writing child ended with status %d", status);
	return got;
}

/* Open path (expected to fail or show the damage): 1 when the damage is
 * reported as FV_EIO with a message naming the file, at open, by
 * integrity_check or when reading the people; never a crash, never a
 * quiet empty store. */
static int damage_reported(const char *path, const char *what, int *at_open)
{
	fv_store *s = NULL;
	fv_person *people = NULL;
	size_t n = 0;
	fv_status st = open_as(path, PASS, &s);
	*at_open = st != FV_OK;
	if (st != FV_OK) {
		say("%s: at open: %s", what, first());
		return st == FV_EIO && has_part(path);
	}
	reset();
	st = fv_store_integrity(s, &err);
	if (st == FV_OK) {
		reset();
		st = fv_person_list(s, NULL, &people, &n, &err);
		if (st == FV_OK)
			say("%s: opens, passes integrity_check and lists %zu people", what, n);
		fv_person_list_free(people, n);
	}
	if (st != FV_OK)
		say("%s: %s", what, first());
	int good = st == FV_EIO && has_part(path);
	fv_store_close(s);
	return good;
}

static void test_wrong_passphrase(void)
{
	char *path = path_in("pass.fv"), *wal = with(path, "-wal");
	fv_store *s = NULL;
	model m;
	size_t l1, l2, l3, l4;

	model_copy(&m, &base_model);
	store_copy(base_path, path);
	int got = crash_with_wal(path, &m, 5);
	ok(got == 5 && size_of(wal) > WAL_HDR,
	   "damage: a crashed process left 5 commits in the -wal (%ld bytes)", size_of(wal));
	unsigned char *wal_before = slurp(wal, &l1), *db_before = slurp(path, &l2);
	fv_status st = open_as(path, WRONG, &s);
	ok(st == FV_EPASS && has_part("wrong passphrase"),
	   "damage: a wrong passphrase with a -wal present: FV_EPASS \"wrong passphrase\"");
	fv_store_close(s);
	s = NULL;
	unsigned char *wal_after = slurp(wal, &l3), *db_after = slurp(path, &l4);
	ok(wal_before && wal_after && l1 == l3 && memcmp(wal_before, wal_after, l1) == 0 &&
	   db_before && db_after && l2 == l4 && memcmp(db_before, db_after, l2) == 0,
	   "damage: the wrong passphrase changed neither the database nor the -wal");
	free(wal_before);
	free(wal_after);
	free(db_before);
	free(db_after);
	st = open_as(path, PASS, &s);
	if (ok(st == FV_OK, "damage: then the right passphrase opens it")) {
		ok(integrity_ok(s, "after the wrong passphrase"), "damage: integrity_check passes");
		ok(model_check(s, &m, "after the wrong passphrase"),
		   "damage: nothing lost: the base and the 5 commits of the -wal are there");
		fv_store_close(s);
	}
	model_free(&m);
	free(path);
	free(wal);
}

static void test_truncated(void)
{
	char *path = path_in("cut.fv"), *wal = with(path, "-wal");
	int at_open;

	store_copy(base_path, path);
	long size = size_of(path);
	ok(size >= 6 * PAGE && size % PAGE == 0, "damage: the base database has %ld pages",
	   size / PAGE);

	cut_file(path, 0);
	ok(damage_reported(path, "cut to 0", &at_open) && at_open,
	   "damage: a database cut to 0 bytes: FV_EIO at open, naming the file");
	ok(size_of(path) == 0 && !exists(wal),
	   "damage: the failed open made no store of the empty file");

	store_copy(base_path, path);
	cut_file(path, PAGE + 1234);
	ok(damage_reported(path, "cut in page 2", &at_open) && at_open,
	   "damage: a database cut in the middle of page 2: FV_EIO at open, naming the file");

	store_copy(base_path, path);
	cut_file(path, size / 2 + 1000);
	ok(damage_reported(path, "cut in a middle page", &at_open) && at_open,
	   "damage: a database cut in a middle page: FV_EIO at open, naming the file");

	store_copy(base_path, path);
	cut_file(path, size - 1000);
	ok(damage_reported(path, "cut in the last page", &at_open) && at_open,
	   "damage: a database cut in its last page: FV_EIO at open, naming the file");

	store_copy(base_path, path);
	cut_file(path, size - 2 * PAGE);
	ok(damage_reported(path, "two pages short", &at_open),
	   "damage: a database two whole pages short: FV_EIO naming the file (at %s)",
	   at_open ? "open" : "integrity check");

	/* cut to 0 while a crashed process's -wal holds commits: an error,
	 * and the -wal is left alone (it is all that is left) */
	model m;
	model_copy(&m, &base_model);
	store_copy(base_path, path);
	crash_with_wal(path, &m, 3);
	size_t l1, l2;
	unsigned char *before = slurp(wal, &l1);
	cut_file(path, 0);
	ok(damage_reported(path, "cut to 0, with a -wal", &at_open) && at_open,
	   "damage: a database cut to 0 bytes beside a -wal: FV_EIO at open");
	unsigned char *after = slurp(wal, &l2);
	ok(before && after && l1 == l2 && memcmp(before, after, l1) == 0,
	   "damage: the failed open leaves the -wal as it was");
	free(before);
	free(after);
	model_free(&m);
	free(path);
	free(wal);
}

/* The root page of a table, read through the open store. */
static int root_page(fv_store *s, const char *table)
{
	sqlite3_stmt *st;
	int page = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT rootpage FROM sqlite_schema WHERE name = ?1", -1,
			       &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		page = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return page;
}

static void test_flipped(void)
{
	char *path = path_in("flip.fv");
	fv_store *s = NULL;
	int at_open;

	store_copy(base_path, path);
	flip_byte(path, 200);
	fv_status st = open_as(path, PASS, &s);
	ok(st == FV_EIO && has_part(path) && has_part("first page is damaged"),
	   "damage: a byte flipped in page 1: FV_EIO \"first page is damaged\" at open");
	fv_store_close(s);
	s = NULL;
	store_copy(base_path, path);
	flip_byte(path, PAGE - 10);   /* in the tag */
	st = open_as(path, PASS, &s);
	ok(st == FV_EIO && has_part("first page is damaged"),
	   "damage: a byte flipped in page 1's tag: the same");
	fv_store_close(s);
	s = NULL;

	/* a page of the person table, in the middle of the file */
	store_copy(base_path, path);
	int page = 0;
	if (open_as(path, PASS, &s) == FV_OK) {
		page = root_page(s, "person");
		fv_store_close(s);
		s = NULL;
	}
	ok(page > 2 && (long)page * PAGE < size_of(path),
	   "damage: the people are on page %d of %ld", page, size_of(path) / PAGE);
	flip_byte(path, (long)(page - 1) * PAGE + 1000);
	st = open_as(path, PASS, &s);
	if (ok(st == FV_OK, "damage: a damaged page of people: the store still opens")) {
		reset();
		st = fv_store_integrity(s, &err);
		ok(st == FV_EIO && has_part(path) && has_part("integrity:"),
		   "damage: fv_store_integrity fails and reports the page in text");
		if (err.n)
			say("%s", first());
		fv_person *people = NULL;
		size_t n = 0;
		reset();
		st = fv_person_list(s, NULL, &people, &n, &err);
		ok(st == FV_EIO && has_part(path) && has_part("does not decrypt"),
		   "damage: listing the people: FV_EIO \"a page does not decrypt\"");
		fv_person_list_free(people, n);
		fv_store_close(s);
	}
	ok(damage_reported(path, "a damaged middle page", &at_open),
	   "damage: a damaged middle page is never a quiet store");

	/* a byte flipped in the page image of a WAL frame: the frame reads as
	 * torn; the log ends before it; the commits before it are kept */
	char *wal = with(path, "-wal");
	model m;
	model_copy(&m, &base_model);
	store_copy(base_path, path);
	int got = crash_with_wal(path, &m, 4);
	size_t len;
	unsigned char *w = slurp(wal, &len);
	size_t nframes = len >= WAL_HDR ? (len - WAL_HDR) / WAL_FRAME : 0, commits[8], nc = 0;
	for (size_t i = 0; w && i < nframes; i++) {
		const unsigned char *h = w + WAL_HDR + i * WAL_FRAME;
		if ((h[4] | h[5] | h[6] | h[7]) && nc < 8)
			commits[nc++] = i;   /* a commit frame: database size set */
	}
	free(w);
	if (ok(got == 4 && nc == 4, "damage: the -wal holds %zu frames, %zu commits", nframes,
	       nc)) {
		/* the first frame of the third commit */
		size_t frame = commits[1] + 1;
		flip_byte(wal, (long)(WAL_HDR + frame * WAL_FRAME + 24 + 777));
		m.np -= 2;   /* the third and fourth commits are lost */
		st = open_as(path, PASS, &s);
		if (ok(st == FV_OK, "damage: a byte flipped in a WAL frame: the store opens")) {
			ok(integrity_ok(s, "flipped WAL frame"), "damage: integrity_check passes");
			ok(model_check(s, &m, "flipped WAL frame"),
			   "damage: the two commits before the damaged frame are kept, the log "
			   "ends there");
			fv_store_close(s);
		}
	}
	model_free(&m);

	/* page 1 of the database torn (as by a power cut in the middle of a
	 * checkpoint) while the -wal holds the committed page 1: the store
	 * opens from the -wal, nothing is lost */
	model_copy(&m, &base_model);
	store_copy(base_path, path);
	got = crash_with_wal(path, &m, 40);
	w = slurp(wal, &len);
	nframes = len >= WAL_HDR ? (len - WAL_HDR) / WAL_FRAME : 0;
	int page1 = 0;
	for (size_t i = 0; w && i < nframes; i++)
		page1 |= get_be32(w + WAL_HDR + i * WAL_FRAME) == 1;
	free(w);
	ok(got == 40 && page1, "damage: a crashed process left 40 commits, page 1 among them");
	flip_byte(path, 3000);
	st = open_as(path, PASS, &s);
	if (ok(st == FV_OK,
	       "damage: a torn page 1 in the database, the -wal holding page 1: the store opens")) {
		ok(integrity_ok(s, "torn page 1") && model_check(s, &m, "torn page 1"),
		   "damage: a torn page 1: integrity passes, nothing is lost");
		fv_store_close(s);
		s = NULL;
		st = open_as(path, PASS, &s);
		ok(st == FV_OK && model_check(s, &m, "torn page 1, again"),
		   "damage: a torn page 1: the checkpoint rewrote it, the store opens again");
		fv_store_close(s);
	} else {
		say("torn page 1: %s", first());
	}
	model_free(&m);
	free(wal);
	free(path);
}

static void test_junk_journal(void)
{
	char *path = path_in("journal.fv"), *journal = with(path, "-journal");
	fv_store *s = NULL;
	unsigned char junk[3 * PAGE];

	store_copy(base_path, path);
	/* a hot journal's magic, then junk */
	static const unsigned char magic[8] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)rnd(256);
	memcpy(junk, magic, sizeof magic);
	spit(journal, junk, sizeof junk);
	size_t len_before;
	unsigned char *db_before = slurp(path, &len_before);
	if (ok(open_as(path, PASS, &s) == FV_OK, "damage: a junk -journal: the store opens")) {
		ok(integrity_ok(s, "junk journal") && model_check(s, &base_model, "junk journal"),
		   "damage: a junk -journal: integrity passes, the data is intact");
		fv_store_close(s);
	}
	size_t len_after;
	unsigned char *db_after = slurp(path, &len_after);
	ok(db_before && db_after && len_after == len_before &&
	   memcmp(db_before, db_after, len_before) == 0,
	   "damage: the junk -journal was not rolled back into the database");
	free(db_after);
	size_t len;
	unsigned char *after = slurp(journal, &len);
	ok(after && len == sizeof junk && memcmp(after, junk, len) == 0,
	   "damage: the -journal was left alone (it is not ours)");
	free(after);
	free(db_before);
	free(journal);
	free(path);
}

static void test_second_process(void)
{
	char *path = path_in("busy.fv");
	fv_store *s = NULL;
	store_copy(base_path, path);
	if (!ok(open_as(path, PASS, &s) == FV_OK, "damage: open a store"))
		return;
	int fd[2];
	if (pipe(fd) != 0)
		return;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fv_store *t = NULL;
		fv_errors e;
		char msg[512];
		close(fd[0]);
		fv_errors_init(&e);
		fv_status st = fv_store_open(path, PASS, &t, &e);
		snprintf(msg, sizeof msg, "%d %s", (int)st, e.n ? e.lines[0] : "");
		if (write(fd[1], msg, strlen(msg)) < 0)
			_exit(2);
		_exit(0);   /* t is NULL; the parent's store is not ours to close */
	}
	close(fd[1]);
	char msg[512] = "";
	ssize_t n = read(fd[0], msg, sizeof msg - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fd[0]);
	waitpid(pid, NULL, 0);
	int st = -1;
	char *text = strchr(msg, ' ');
	sscanf(msg, "%d", &st);
	ok(st == FV_EBUSY && text && strstr(text, "store in use") && strstr(text, path),
	   "damage: a second process opening the store: FV_EBUSY \"store in use\"");
	say("second process: %s", text ? text + 1 : msg);
	ok(model_check(s, &base_model, "after the second process"),
	   "damage: the first process's store is unaffected");
	fv_store_close(s);
	free(path);
}

static void test_key_files(void)
{
	char *path = path_in("keys.fv"), *keys = with(path, ".keys"), *bak = with(path, ".keys.bak");
	fv_store *s = NULL;

	store_copy(base_path, path);
	unlink(keys);
	if (ok(open_as(path, PASS, &s) == FV_OK, "damage: a missing key file: the backup opens")) {
		ok(model_check(s, &base_model, "missing key file"), "damage: the data is intact");
		fv_store_close(s);
	}
	ok(same_file(keys, bak), "damage: the missing key file was put back from the backup");

	flip_byte(keys, 100);
	s = NULL;
	if (ok(open_as(path, PASS, &s) == FV_OK, "damage: a damaged key file: the backup opens")) {
		ok(model_check(s, &base_model, "damaged key file"), "damage: the data is intact");
		fv_store_close(s);
	}
	ok(same_file(keys, bak), "damage: the damaged key file was repaired");

	flip_byte(bak, 50);
	s = NULL;
	if (ok(open_as(path, PASS, &s) == FV_OK, "damage: a damaged backup: the key file opens"))
		fv_store_close(s);
	ok(same_file(keys, bak), "damage: the damaged backup was repaired");

	flip_byte(keys, 10);
	flip_byte(bak, 270);
	s = NULL;
	fv_status st = open_as(path, PASS, &s);
	ok(st == FV_EIO && has_part(keys) && has_part("key file damaged or missing"),
	   "damage: both key files damaged: FV_EIO \"key file damaged or missing\"");
	fv_store_close(s);
	unlink(keys);
	unlink(bak);
	s = NULL;
	st = open_as(path, PASS, &s);
	ok(st == FV_EIO && has_part("key file damaged or missing"),
	   "damage: both key files missing: the same");
	fv_store_close(s);
	free(keys);
	free(bak);
	free(path);
}

/* The key files of another store (same passphrase) next to a store
 * whose -wal holds commits: the pages do not open, the open fails, and the
 * failed open must not checkpoint or delete that -wal. */
static void test_foreign_keys(void)
{
	char *path = path_in("foreign.fv"), *other = path_in("other.fv");
	char *wal = with(path, "-wal"), *keys = with(path, ".keys"), *bak = with(path, ".keys.bak");
	char *okeys = with(other, ".keys"), *obak = with(other, ".keys.bak");
	char *save = path_in("foreign.keys.save");
	fv_store *s = NULL;
	model m;
	size_t l1, l2;

	model_copy(&m, &base_model);
	store_copy(base_path, path);
	fv_store *o = create_at(other, "Zhang Wei");
	fv_store_close(o);
	int got = crash_with_wal(path, &m, 3);
	copy_file(keys, save);
	copy_file(okeys, keys);
	copy_file(obak, bak);
	unsigned char *before = slurp(wal, &l1);
	fv_status st = open_as(path, PASS, &s);
	ok(got == 3 && st == FV_EIO && has_part("first page is damaged"),
	   "damage: another store's key files: FV_EIO at open");
	fv_store_close(s);
	unsigned char *after = slurp(wal, &l2);
	ok(before && after && l1 == l2 && memcmp(before, after, l1) == 0,
	   "damage: the failed open left the -wal as it was");
	free(before);
	free(after);
	copy_file(save, keys);
	copy_file(save, bak);
	s = NULL;
	if (ok(open_as(path, PASS, &s) == FV_OK, "damage: with its own key files back, it opens")) {
		ok(model_check(s, &m, "own key files back"),
		   "damage: nothing lost, the 3 commits of the -wal included");
		fv_store_close(s);
	}
	model_free(&m);
	free(path);
	free(other);
	free(wal);
	free(keys);
	free(bak);
	free(okeys);
	free(obak);
	free(save);
}

static void test_recovery(void)
{
	char *path = path_in("recover.fv"), *keys = with(path, ".keys"), *bak = with(path, ".keys.bak");
	uint8_t sk[VAULT_BOX_SK_BYTES], pk[VAULT_BOX_PK_BYTES];
	fv_store *s = NULL;

	store_copy(base_path, path);
	reset();
	if (!ok(vault_recovery_load(recovery_path, sk, pk, &err) == FV_OK,
		"recovery: load the recovery key"))
		return;
	/* the passphrase is forgotten */
	reset();
	fv_status st = fv_store_open_recovery(path, sk, &s, &err);
	if (ok(st == FV_OK, "recovery: the recovery key opens the store")) {
		ok(model_check(s, &base_model, "recovery"), "recovery: the data is all there");
		reset();
		ok(fv_store_passwd(s, PASS2, vault_pw_fast(), &err) == FV_OK,
		   "recovery: a new passphrase is set");
		fv_store_close(s);
	}
	vault_wipe(sk, sizeof sk);
	ok(same_file(keys, bak), "recovery: the key file and its backup agree");
	s = NULL;
	st = open_as(path, PASS, &s);
	ok(st == FV_EPASS, "recovery: the old passphrase no longer opens it");
	fv_store_close(s);
	s = NULL;
	st = open_as(path, PASS2, &s);
	if (ok(st == FV_OK, "recovery: the new passphrase opens it")) {
		ok(integrity_ok(s, "new passphrase") && model_check(s, &base_model, "new passphrase"),
		   "recovery: with the new passphrase, the data is intact");
		fv_store_close(s);
	}

	/* another team's recovery key does not open it */
	char *other = path_in("other.key");
	uint8_t other_pk[VAULT_BOX_PK_BYTES];
	reset();
	if (vault_recovery_create(other, other_pk, &err) == FV_OK &&
	    vault_recovery_load(other, sk, other_pk, &err) == FV_OK) {
		s = NULL;
		reset();
		st = fv_store_open_recovery(path, sk, &s, &err);
		ok(st == FV_EPASS && has_part("does not belong"),
		   "recovery: another recovery key: FV_EPASS");
		fv_store_close(s);
		vault_wipe(sk, sizeof sk);
	}
	free(other);
	free(keys);
	free(bak);
	free(path);
}

static void test_damage(void)
{
	test_wrong_passphrase();
	test_truncated();
	test_flipped();
	test_junk_journal();
	test_second_process();
	test_key_files();
	test_foreign_keys();
	test_recovery();
}

/* ------------------------------------------------------------------ */
/* 5. SIGKILL                                                          */

#define KILLS 100

static void crash_child(const char *path, int fd, long k0, uint64_t seed)
{
	fv_store *s;
	fv_errors e;
	fv_errors_init(&e);
	rng = seed;
	if (fv_store_open(path, PASS, &s, &e) != FV_OK)
		_exit(3);
	for (long i = 0;; i++) {
		report r;
		memset(&r, 0, sizeof r);
		if (rnd(3)) {
			pbuf b;
			fv_person_input in = person_input(k0 + i, &b);
			if (fv_person_add(s, &in, r.id, &e) != FV_OK)
				_exit(4);
			r.kind = 'P';
			r.k = k0 + i;
			snprintf(r.phone, sizeof r.phone, "%s", b.phone);
		} else {
			fv_answers a = {0};
			fv_visit_input in = {.person = base_model.p[rnd((unsigned)base_model.np)].id};
			fv_answers_add(&a, "note", "killed");
			if (fv_visit_submit(s, form, &in, &a, r.id, &e) != FV_OK)
				_exit(5);
			fv_answers_release(&a);
			r.kind = 'V';
		}
		/* reported only after the call returned FV_OK */
		if (write(fd, &r, sizeof r) != (ssize_t)sizeof r)
			_exit(6);
		fv_errors_release(&e);
	}
}

static long count_rows(fv_store *s, const char *table)
{
	char *sql = fv_xasprintf("SELECT count(*) FROM %s", table);
	sqlite3_stmt *st;
	long n = -1;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = (long)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	free(sql);
	return n;
}

static void test_crash(void)
{
	char *path = path_in("crash.fv");
	model m;
	int kills = 0, children = 0, bad_child = 0, bad_open = 0, bad_integrity = 0;
	int bad_missing = 0, bad_count = 0;
	long reported = 0;
	double t0 = monotonic();

	model_copy(&m, &base_model);
	store_copy(base_path, path);
	while (kills < KILLS && children < 2 * KILLS) {
		int fd[2];
		if (pipe(fd) != 0)
			break;
		fflush(stdout);
		uint64_t seed = rnd64();
		pid_t pid = fork();
		if (pid == 0) {
			close(fd[0]);
			crash_child(path, fd[1], 2000000L + (long)children * 100000L, seed);
			_exit(7);
		}
		children++;
		close(fd[1]);
		sleep_ms(rnd(31));
		kill(pid, SIGKILL);
		int status = 0;
		waitpid(pid, &status, 0);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
			kills++;
		} else {
			say("child %d ended by itself with status %d", children, status);
			bad_child++;
		}
		model mine;
		memset(&mine, 0, sizeof mine);
		report r;
		while (read(fd[0], &r, sizeof r) == (ssize_t)sizeof r) {
			if (r.kind == 'P') {
				model_add_person(&m, r.id, r.k, r.phone);
				model_add_person(&mine, r.id, r.k, r.phone);
			} else {
				model_add_visit(&m, r.id);
				model_add_visit(&mine, r.id);
			}
			reported++;
		}
		close(fd[0]);

		fv_store *s = NULL;
		if (open_as(path, PASS, &s) != FV_OK) {
			say("after kill %d: open: %s", kills, first());
			bad_open++;
			model_free(&mine);
			break;
		}
		if (!integrity_ok(s, "after a kill"))
			bad_integrity++;
		/* this child's reports, each */
		for (size_t i = 0; i < mine.np; i++) {
			fv_person p;
			char name[48];
			snprintf(name, sizeof name, "person %ld", mine.p[i].k);
			reset();
			if (fv_person_get(s, mine.p[i].id, &p, &err) != FV_OK) {
				say("after kill %d: reported person %s missing", kills, mine.p[i].id);
				bad_missing++;
				continue;
			}
			if (strcmp(p.name, name) != 0)
				bad_missing++;
			fv_person_release(&p);
		}
		for (size_t i = 0; i < mine.nv; i++) {
			fv_visit v;
			reset();
			if (fv_visit_get(s, mine.v[i].id, 0, &v, &err) != FV_OK) {
				say("after kill %d: reported visit %s missing", kills, mine.v[i].id);
				bad_missing++;
				continue;
			}
			fv_visit_release(&v);
		}
		/* at most one commit per child was made but not reported */
		long np = count_rows(s, "person"), nv = count_rows(s, "visit");
		if (np < (long)m.np || np > (long)m.np + children || nv < (long)m.nv ||
		    nv > (long)m.nv + children) {
			say("after kill %d: %ld people, %ld visits; reported %zu and %zu", kills, np,
			     nv, m.np, m.nv);
			bad_count++;
		}
		fv_store_close(s);
		model_free(&mine);
	}
	say("%d children, %d killed, %ld commits reported; %.1f s", children, kills, reported,
	     monotonic() - t0);
	ok(kills >= KILLS && !bad_child, "crash: %d children killed with SIGKILL", kills);
	ok(reported > 0, "crash: the children reported %ld commits", reported);
	ok(!bad_open, "crash: the store opens after every kill");
	ok(!bad_integrity, "crash: integrity_check passes after every kill");
	ok(!bad_missing, "crash: every commit a child reported is there after its kill");
	ok(!bad_count, "crash: nothing else but at most one unreported commit per child");
	fv_store *s = NULL;
	if (open_as(path, PASS, &s) == FV_OK) {
		ok(model_check_extra(s, &m, (size_t)children, "at the end"),
		   "crash: at the end, every reported commit of every child is there");
		fv_store_close(s);
	}
	model_free(&m);
	free(path);
}

/* ------------------------------------------------------------------ */

static int wanted(const char *part)
{
	const char *only = getenv("FV_SAFETY_ONLY");
	return !only || !*only || strstr(only, part) != NULL;
}

int main(void)
{
	char tmpl[512];
	const char *tmp = getenv("TMPDIR"), *seed_env = getenv("FV_SAFETY_SEED");
	uint64_t seed = seed_env && *seed_env ? strtoull(seed_env, NULL, 10) : 20261123u;

	t_start = time(NULL) - 1;
	rng = seed;
	printf("# seed %llu (FV_SAFETY_SEED)\n", (unsigned long long)seed);
	fv_errors_init(&err);
	snprintf(tmpl, sizeof tmpl, "%s/fvsafety.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	dir = mkdtemp(tmpl);
	if (!dir || vault_init() != FV_OK) {
		printf("Bail out! cannot make a temp folder or start the vault\n");
		return 1;
	}
	if (!count_vfs_register()) {
		printf("Bail out! cannot register the counting VFS\n");
		return 1;
	}
	recovery_path = path_in("recovery.key");
	if (vault_recovery_create(recovery_path, recovery_pk, &err) != FV_OK) {
		printf("Bail out! recovery key: %s\n", first());
		return 1;
	}
	if (!make_base()) {
		printf("Bail out! cannot make the base store\n");
		return 1;
	}
	char *probe_path = path_in("probe.fv");
	fv_store *probe = NULL;
	model pm;
	model_copy(&pm, &base_model);
	store_copy(base_path, probe_path);
	disk_reset();
	if (open_as(probe_path, PASS, &probe) == FV_OK) {
		(void)run_op(probe, &pm, OP_ADD);
		fv_store_close(probe);
	}
	model_free(&pm);
	free(probe_path);
	if (!ok(disk.writes + disk.syncs > 0, "the counting VFS sits under the cipher VFS")) {
		printf("Bail out! the counting VFS does not see the store's writes\n");
		return 1;
	}

	if (wanted("canary"))
		test_canary();
	if (wanted("faults"))
		test_faults();
	if (wanted("powercut"))
		test_powercut();
	if (wanted("damage"))
		test_damage();
	if (wanted("crash"))
		test_crash();
	if (wanted("canary"))
		test_canary_tmp();

	fv_form_free(form);
	model_free(&base_model);
	for (size_t i = 0; i < NCANARIES; i++)
		free(canaries[i].bytes);
	fv_errors_release(&err);
	free(base_path);
	free(recovery_path);
	if (!getenv("FV_KEEP"))
		remove_tree(dir);
	else
		say("kept %s", dir);
	return done_testing();
}
