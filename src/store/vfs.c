/*
 * fieldvisit store: the cipher VFS.
 *
 * A SQLite VFS shim over the default (unix) VFS that seals every database
 * page, in the main file and in the WAL, with the vault's page cipher:
 * XChaCha20-Poly1305 over the first 4056 bytes of each 4096-byte page, the
 * nonce and tag in the 40 bytes SQLite reserves at the end of every page
 * (PRAGMA/file control RESERVE_BYTES), the store id and page number as
 * associated data.  Nothing of the content reaches the disk in clear.
 *
 * Main file: reads of any offset and length are served from whole
 * decrypted pages (SQLite reads the 100-byte header before it knows the
 * page size); writes are whole aligned pages.  SQLite always sees the 40
 * reserved bytes of a page as zeros (see read_page: WAL checksums).
 *
 * WAL: the 32-byte header and each frame's 24-byte header stay in clear
 * (SQLite needs them to find and check frames); the page image of a frame is
 * sealed with the page number from its frame header.  SQLite writes a frame
 * as two calls (header, then page), so the last header written is
 * remembered.  During recovery a frame whose page does not open reads as
 * zeros: its checksum then ends the log, exactly as after a torn write.
 *
 * Only the main database and its WAL can be opened.  Journals and temp
 * files are refused (SQLITE_CANTOPEN): stores run with temp_store=MEMORY,
 * exclusive locking and version-1 io methods, so SQLite keeps the wal-index
 * in heap memory, writes no -shm file and never maps the file.
 *
 * Below the cipher is a seam for tests: numbered writes and syncs can fail,
 * the disk can fill up, or the power can be cut (unsynced writes undone or
 * torn).
 */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define PS STORE_PAGE_SIZE
#define WAL_HDR 32
#define FRAME_HDR 24
#define FRAME (FRAME_HDR + PS)

/* ------------------------------------------------------------------ */
/* Registry of open stores: path -> key                                 */

typedef struct cipher_db {
	char *path;
	const vault_key *key;
	uint8_t store_id[VAULT_STORE_ID_BYTES];
	struct cipher_db *next;
} cipher_db;

static cipher_db *dbs;

void store_vfs_add(const char *path, const vault_key *page_key,
		   const uint8_t store_id[VAULT_STORE_ID_BYTES])
{
	cipher_db *d = fv_xcalloc(1, sizeof *d);
	d->path = fv_xstrdup(path);
	d->key = page_key;
	memcpy(d->store_id, store_id, VAULT_STORE_ID_BYTES);
	d->next = dbs;
	dbs = d;
}

void store_vfs_remove(const char *path)
{
	for (cipher_db **p = &dbs; *p; p = &(*p)->next) {
		if (strcmp((*p)->path, path) == 0) {
			cipher_db *d = *p;
			*p = d->next;
			free(d->path);
			free(d);
			return;
		}
	}
}

/* The store a file name belongs to: the database itself or NAME-wal. */
static cipher_db *find_db(const char *name, int wal)
{
	size_t n = strlen(name);
	if (wal) {
		if (n < 4 || strcmp(name + n - 4, "-wal") != 0)
			return NULL;
		n -= 4;
	}
	for (cipher_db *d = dbs; d; d = d->next)
		if (strlen(d->path) == n && strncmp(d->path, name, n) == 0)
			return d;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The seam: fault injection and simulated power loss                   */

static struct {
	int writes, syncs;
	int fail_write_at, fail_sync_at, full_at;
	int cut_at;           /* power cut at this write number */
	unsigned seed;
	int cut;              /* the power is off: nothing reaches the disk */
} seam;

/* One write since the last sync, with what it overwrote, for power loss. */
typedef struct undo {
	sqlite3_file *real;
	sqlite3_int64 off;
	int len, old_len;     /* old_len < len: the file was shorter */
	unsigned char *old;
	struct undo *next;
} undo;

static undo *undo_log;

static void undo_clear(sqlite3_file *real)
{
	for (undo **p = &undo_log; *p;) {
		undo *u = *p;
		if (real && u->real != real) {
			p = &u->next;
			continue;
		}
		*p = u->next;
		free(u->old);
		free(u);
	}
}

void fv_store_fault(int fail_write_at, int fail_sync_at, int full_at)
{
	seam.writes = seam.syncs = 0;
	seam.fail_write_at = fail_write_at;
	seam.fail_sync_at = fail_sync_at;
	seam.full_at = full_at;
}

void store_vfs_powercut(int at_write, unsigned seed)
{
	seam.writes = 0;
	seam.cut_at = at_write;
	seam.seed = seed;
	seam.cut = 0;
	undo_clear(NULL);
}

static unsigned next_rand(void)
{
	seam.seed = seam.seed * 1103515245u + 12345u;
	return seam.seed >> 16;
}

/* The power goes: each write since the last sync is kept, lost, or torn
 * at a 512-byte sector boundary, newest first. */
static void power_fails(void)
{
	seam.cut = 1;
	for (undo *u = undo_log; u; u = u->next) {
		unsigned r = next_rand() % 3;
		if (r == 0)
			continue;  /* this write made it */
		int keep = 0;
		if (r == 2 && u->len > 512)
			keep = (int)(next_rand() % (unsigned)(u->len / 512)) * 512;
		if (keep < u->old_len)
			u->real->pMethods->xWrite(u->real, u->old + keep, u->old_len - keep,
						  u->off + keep);
		if (u->old_len < u->len)
			u->real->pMethods->xTruncate(u->real, u->off + (keep > u->old_len ? keep : u->old_len));
	}
	undo_clear(NULL);
}

static int seam_write(sqlite3_file *real, const void *buf, int amt, sqlite3_int64 off)
{
	seam.writes++;
	if (seam.cut_at && seam.writes >= seam.cut_at && !seam.cut)
		power_fails();
	if (seam.cut)
		return SQLITE_IOERR_WRITE;
	if (seam.fail_write_at && seam.writes == seam.fail_write_at)
		return SQLITE_IOERR_WRITE;
	if (seam.full_at && seam.writes >= seam.full_at)
		return SQLITE_FULL;
	if (seam.cut_at) {
		undo *u = fv_xcalloc(1, sizeof *u);
		sqlite3_int64 size = 0;
		u->real = real;
		u->off = off;
		u->len = amt;
		real->pMethods->xFileSize(real, &size);
		u->old_len = size <= off ? 0 : (size - off < amt ? (int)(size - off) : amt);
		u->old = fv_xmalloc((size_t)amt);
		if (u->old_len)
			real->pMethods->xRead(real, u->old, u->old_len, off);
		u->next = undo_log;
		undo_log = u;
	}
	return real->pMethods->xWrite(real, buf, amt, off);
}

static int seam_sync(sqlite3_file *real, int flags)
{
	seam.syncs++;
	if (seam.cut)
		return SQLITE_IOERR_FSYNC;
	if (seam.fail_sync_at && seam.syncs == seam.fail_sync_at)
		return SQLITE_IOERR_FSYNC;
	int rc = real->pMethods->xSync(real, flags);
	if (rc == SQLITE_OK && seam.cut_at)
		undo_clear(real);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

typedef struct cfile {
	sqlite3_file base;
	sqlite3_file *real;       /* the unix file, allocated right after us */
	const cipher_db *db;
	int wal;
	sqlite3_int64 frame_off;  /* WAL: offset of the last frame header written */
	uint32_t frame_pgno;      /* and its page number */
	sqlite3_int64 unsynced;   /* WAL: lowest offset written since the last good sync, or -1 */
	unsigned char page[PS];
} cfile;

static uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Read the sealed page at off (page number pgno) into f->page and open it.
 * Returns SQLITE_OK, SQLITE_IOERR_SHORT_READ (nothing there: zeros),
 * SQLITE_CORRUPT (there, but not authentic), or an I/O error. */
static int read_page(cfile *f, sqlite3_int64 off, uint32_t pgno)
{
	int rc = f->real->pMethods->xRead(f->real, f->page, PS, off);
	if (rc == SQLITE_IOERR_SHORT_READ) {
		sqlite3_int64 size = 0;
		f->real->pMethods->xFileSize(f->real, &size);
		if (size <= off) {
			memset(f->page, 0, PS);
			return SQLITE_IOERR_SHORT_READ;
		}
		return SQLITE_CORRUPT;   /* a partial page: torn or truncated */
	}
	if (rc != SQLITE_OK)
		return rc;
	if (!vault_page_open(f->db->key, f->db->store_id, pgno, f->page, PS))
		return SQLITE_CORRUPT;
	/* SQLite gets the reserved bytes as zeros, never our nonce and tag:
	 * it never writes them itself, so every page it hands back carries
	 * zeros there, and a WAL frame's checksum (which SQLite computes over
	 * the whole page it writes, reserve included, and checks over the page
	 * it reads back during recovery) matches.  With the nonce and tag left
	 * in, the checksums of frames of pages read from disk covered the old
	 * nonce and tag, the page read back had the new ones, and recovery
	 * after a crash threw away every commit not yet checkpointed. */
	memset(f->page + PS - VAULT_PAGE_RESERVE, 0, VAULT_PAGE_RESERVE);
	return SQLITE_OK;
}

static int main_read(cfile *f, unsigned char *out, int amt, sqlite3_int64 off)
{
	int short_read = 0;
	while (amt > 0) {
		sqlite3_int64 start = off - off % PS;
		int skip = (int)(off - start), n = PS - skip < amt ? PS - skip : amt;
		uint32_t pgno = (uint32_t)(start / PS) + 1;
		int rc = read_page(f, start, pgno);
		if (rc == SQLITE_IOERR_SHORT_READ) {
			short_read = 1;
		} else if (rc == SQLITE_CORRUPT && pgno == 1 && n < PS) {
			/* The 100-byte header read of sqlite3_open_v2: it goes to
			 * this file, never to the WAL, and an error here fails the
			 * open.  But page 1 torn by a power cut in the middle of a
			 * checkpoint is whole in the WAL, which recovery replays.
			 * So the header reads as absent (zeros): SQLite takes its
			 * default page size and then reads page 1 whole, from the
			 * WAL when it is there, else from this file, which fails
			 * as SQLITE_NOTADB below. */
			memset(f->page, 0, PS);
			short_read = 1;
		} else if (rc == SQLITE_CORRUPT) {
			return pgno == 1 ? SQLITE_NOTADB : SQLITE_IOERR_DATA;
		} else if (rc != SQLITE_OK) {
			return rc;
		}
		memcpy(out, f->page + skip, (size_t)n);
		out += n;
		off += n;
		amt -= n;
	}
	return short_read ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
}

static int main_write(cfile *f, const unsigned char *in, int amt, sqlite3_int64 off)
{
	if (off % PS != 0 || amt % PS != 0)
		return SQLITE_IOERR_WRITE;   /* SQLite writes whole pages only */
	for (; amt > 0; amt -= PS, off += PS, in += PS) {
		memcpy(f->page, in, PS);
		vault_page_seal(f->db->key, f->db->store_id, (uint32_t)(off / PS) + 1, f->page, PS);
		int rc = seam_write(f->real, f->page, PS, off);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* Where offset off of the WAL falls: the header (-1), a frame header, or a
 * frame's page; *frame is the frame's offset, *within the offset in it. */
static void wal_locate(sqlite3_int64 off, sqlite3_int64 *frame, int *within)
{
	if (off < WAL_HDR) {
		*frame = -1;
		*within = (int)off;
		return;
	}
	*frame = WAL_HDR + (off - WAL_HDR) / FRAME * FRAME;
	*within = (int)(off - *frame);
}

/*
 * Read from the WAL.  A frame's page that does not open reads as zeros only
 * when the same read also covers the frame's header: that is how recovery
 * reads frames, and zeros there end the log as a torn write would.  A page
 * read alone (a query or a checkpoint) is of a frame recovery already
 * accepted, so a failure there is damage: SQLITE_IOERR_DATA, never zeros
 * that a checkpoint would write into the database.
 */
static int wal_read(cfile *f, unsigned char *out, int amt, sqlite3_int64 off)
{
	int short_read = 0;
	sqlite3_int64 header_read = -1;   /* frame whose header this call read */
	while (amt > 0) {
		sqlite3_int64 frame;
		int within, n, rc;
		wal_locate(off, &frame, &within);
		if (frame < 0 || within < FRAME_HDR) {
			/* clear parts: the WAL header, a frame header */
			int end = frame < 0 ? WAL_HDR : FRAME_HDR;
			n = end - within < amt ? end - within : amt;
			rc = f->real->pMethods->xRead(f->real, out, n, off);
			if (rc == SQLITE_IOERR_SHORT_READ)
				short_read = 1;
			else if (rc != SQLITE_OK)
				return rc;
			if (frame >= 0)
				header_read = frame;
		} else {
			unsigned char hdr[FRAME_HDR];
			int skip = within - FRAME_HDR;
			n = PS - skip < amt ? PS - skip : amt;
			rc = f->real->pMethods->xRead(f->real, hdr, FRAME_HDR, frame);
			if (rc == SQLITE_OK)
				rc = read_page(f, frame + FRAME_HDR, get_be32(hdr));
			if (rc == SQLITE_IOERR_SHORT_READ) {
				short_read = 1;
				memset(f->page, 0, PS);
			} else if (rc == SQLITE_CORRUPT && header_read == frame) {
				memset(f->page, 0, PS);   /* a torn frame ends the log */
			} else if (rc == SQLITE_CORRUPT) {
				return SQLITE_IOERR_DATA;
			} else if (rc != SQLITE_OK) {
				return rc;
			}
			memcpy(out, f->page + skip, (size_t)n);
		}
		out += n;
		off += n;
		amt -= n;
	}
	return short_read ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
}

static int wal_write(cfile *f, const unsigned char *in, int amt, sqlite3_int64 off)
{
	if (f->unsynced < 0 || off < f->unsynced)
		f->unsynced = off;
	while (amt > 0) {
		sqlite3_int64 frame;
		int within, n, rc;
		wal_locate(off, &frame, &within);
		if (frame < 0 || within < FRAME_HDR) {
			int end = frame < 0 ? WAL_HDR : FRAME_HDR;
			n = end - within < amt ? end - within : amt;
			if (frame >= 0 && within == 0 && n >= 4) {
				f->frame_off = frame;
				f->frame_pgno = get_be32(in);
			}
			rc = seam_write(f->real, in, n, off);
		} else {
			if (within != FRAME_HDR || amt < PS)
				return SQLITE_IOERR_WRITE;   /* pages are written whole */
			n = PS;
			uint32_t pgno = f->frame_pgno;
			if (f->frame_off != frame) {
				unsigned char hdr[FRAME_HDR];
				rc = f->real->pMethods->xRead(f->real, hdr, FRAME_HDR, frame);
				if (rc != SQLITE_OK)
					return SQLITE_IOERR_WRITE;
				pgno = get_be32(hdr);
			}
			memcpy(f->page, in, PS);
			vault_page_seal(f->db->key, f->db->store_id, pgno, f->page, PS);
			rc = seam_write(f->real, f->page, PS, off);
		}
		if (rc != SQLITE_OK)
			return rc;
		in += n;
		off += n;
		amt -= n;
	}
	return SQLITE_OK;
}

/* ------------------------------------------------------------------ */
/* io methods (version 1)                                              */

static int c_close(sqlite3_file *file)
{
	cfile *f = (cfile *)file;
	int rc = SQLITE_OK;
	if (f->real->pMethods) {
		undo_clear(f->real);
		rc = f->real->pMethods->xClose(f->real);
	}
	vault_wipe(f->page, sizeof f->page);
	return rc;
}

static int c_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
	cfile *f = (cfile *)file;
	return f->wal ? wal_read(f, buf, amt, off) : main_read(f, buf, amt, off);
}

static int c_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
	cfile *f = (cfile *)file;
	return f->wal ? wal_write(f, buf, amt, off) : main_write(f, buf, amt, off);
}

static int c_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	cfile *f = (cfile *)file;
	if (seam.cut)
		return SQLITE_IOERR_TRUNCATE;
	return f->real->pMethods->xTruncate(f->real, size);
}

/*
 * An fsync of the WAL failed.  SQLite reports the transaction as not saved
 * ("nothing was changed") and rolls it back in memory, but its frames,
 * commit frame included, may well be on disk, and after a crash recovery
 * would replay them: the change the user was told had failed would come
 * back.  So the header of the first frame written since the last good
 * sync (the WAL header itself when the log was being restarted, all of
 * whose frames were checkpointed) is zeroed, which ends the log before
 * it, and synced.  Best effort: if this fails too, the disk is failing.
 * SQLite writes its next transaction over the same frames.
 */
static void wal_forget_unsynced(cfile *f, int flags)
{
	static const unsigned char zeros[WAL_HDR];
	sqlite3_int64 frame;
	int within;
	wal_locate(f->unsynced, &frame, &within);
	if (seam_write(f->real, zeros, frame < 0 ? WAL_HDR : FRAME_HDR, frame < 0 ? 0 : frame) ==
		    SQLITE_OK &&
	    seam_sync(f->real, flags) == SQLITE_OK)
		f->unsynced = -1;
}

static int c_sync(sqlite3_file *file, int flags)
{
	cfile *f = (cfile *)file;
	int rc = seam_sync(f->real, flags);
	if (rc == SQLITE_OK)
		f->unsynced = -1;
	else if (f->wal && f->unsynced >= 0)
		wal_forget_unsynced(f, flags);
	return rc;
}

static int c_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	cfile *f = (cfile *)file;
	return f->real->pMethods->xFileSize(f->real, size);
}

static int c_lock(sqlite3_file *file, int lock)
{
	cfile *f = (cfile *)file;
	return f->real->pMethods->xLock(f->real, lock);
}

static int c_unlock(sqlite3_file *file, int lock)
{
	cfile *f = (cfile *)file;
	return f->real->pMethods->xUnlock(f->real, lock);
}

static int c_check_reserved(sqlite3_file *file, int *out)
{
	cfile *f = (cfile *)file;
	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int c_file_control(sqlite3_file *file, int op, void *arg)
{
	cfile *f = (cfile *)file;
	if (op == SQLITE_FCNTL_VFSNAME) {
		*(char **)arg = sqlite3_mprintf("%s", STORE_VFS_NAME);
		return SQLITE_OK;
	}
	return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int c_sector_size(sqlite3_file *file)
{
	cfile *f = (cfile *)file;
	return f->real->pMethods->xSectorSize(f->real);
}

static int c_device_characteristics(sqlite3_file *file)
{
	cfile *f = (cfile *)file;
	/* Keep powersafe overwrite (SQLite must not split WAL writes); an
	 * atomic-write claim would let it skip the WAL, so drop those. */
	int dc = f->real->pMethods->xDeviceCharacteristics(f->real);
	dc &= ~(SQLITE_IOCAP_ATOMIC | SQLITE_IOCAP_ATOMIC512 | SQLITE_IOCAP_ATOMIC1K |
		SQLITE_IOCAP_ATOMIC2K | SQLITE_IOCAP_ATOMIC4K | SQLITE_IOCAP_ATOMIC8K |
		SQLITE_IOCAP_ATOMIC16K | SQLITE_IOCAP_ATOMIC32K | SQLITE_IOCAP_ATOMIC64K |
		SQLITE_IOCAP_BATCH_ATOMIC);
	return dc | SQLITE_IOCAP_POWERSAFE_OVERWRITE;
}

static const sqlite3_io_methods cipher_io = {
	.iVersion = 1,
	.xClose = c_close,
	.xRead = c_read,
	.xWrite = c_write,
	.xTruncate = c_truncate,
	.xSync = c_sync,
	.xFileSize = c_file_size,
	.xLock = c_lock,
	.xUnlock = c_unlock,
	.xCheckReservedLock = c_check_reserved,
	.xFileControl = c_file_control,
	.xSectorSize = c_sector_size,
	.xDeviceCharacteristics = c_device_characteristics,
};

/* ------------------------------------------------------------------ */
/* The VFS                                                             */

static sqlite3_vfs cipher_vfs;

static sqlite3_vfs *base_vfs(void)
{
	return (sqlite3_vfs *)cipher_vfs.pAppData;
}

static int v_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags,
		  int *out_flags)
{
	cfile *f = (cfile *)file;
	sqlite3_vfs *base = base_vfs();
	int wal = (flags & SQLITE_OPEN_WAL) != 0;
	(void)vfs;
	memset(f, 0, sizeof *f);
	if (!name || !(flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)))
		return SQLITE_CANTOPEN;   /* no journals, no temp files */
	f->db = find_db(name, wal);
	if (!f->db)
		return SQLITE_CANTOPEN;
	f->wal = wal;
	f->frame_off = -1;
	f->unsynced = -1;
	f->real = (sqlite3_file *)(f + 1);
	int rc = base->xOpen(base, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		f->real->pMethods = NULL;
		return rc;
	}
	f->base.pMethods = &cipher_io;
	return SQLITE_OK;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return base_vfs()->xDelete(base_vfs(), name, sync_dir);
}

static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	size_t n = strlen(name);
	(void)vfs;
	/* A store never has a rollback journal; one lying next to it is not
	 * ours and must not be "rolled back" into the database. */
	if (n > 8 && strcmp(name + n - 8, "-journal") == 0) {
		*out = 0;
		return SQLITE_OK;
	}
	return base_vfs()->xAccess(base_vfs(), name, flags, out);
}

static int v_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return base_vfs()->xFullPathname(base_vfs(), name, n, out);
}

static int v_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	vault_random(out, (size_t)n);
	return n;
}

static int v_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return base_vfs()->xSleep(base_vfs(), us);
}

static int v_current_time(sqlite3_vfs *vfs, double *t)
{
	(void)vfs;
	return base_vfs()->xCurrentTime(base_vfs(), t);
}

static int v_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return base_vfs()->xGetLastError ? base_vfs()->xGetLastError(base_vfs(), n, out) : 0;
}

/*
 * SQLite's statement journal.  A statement that writes several rows
 * (triggers, several rows) and may fail part way keeps a copy of every
 * page it changes, so that it can be undone alone; with temp_store=MEMORY
 * that copy lives in 1 KiB blocks, four per page, taken from malloc when
 * the page is first changed and all freed when the statement ends.  An
 * import's visit INSERT changes a few hundred pages per statement, so
 * glibc sorts and merges thousands of such blocks per statement (a fifth
 * of an import at 100,000 visits, in unlink_chunk and _int_malloc).
 * Blocks of exactly that size are kept on a free list instead (at most
 * POOL_MAX, 4 MiB), every other size goes to SQLite's own allocator.  Not
 * under AddressSanitizer, which should see every block.
 */
#if defined(__SANITIZE_ADDRESS__)
#define FV_NO_POOL 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FV_NO_POOL 1
#endif
#endif

#ifndef FV_NO_POOL
#define POOL_SIZE 1024   /* MEMJOURNAL_DFLT_FILECHUNKSIZE */
#define POOL_MAX 4096

static sqlite3_mem_methods base_mem;
static _Thread_local void *pool_head;
static _Thread_local int pool_n;

static void *pool_malloc(int n)
{
	if (n == POOL_SIZE && pool_head) {
		void *p = pool_head;
		pool_head = *(void **)p;
		pool_n--;
		return p;
	}
	return base_mem.xMalloc(n);
}

static void pool_free(void *p)
{
	if (p && pool_n < POOL_MAX && base_mem.xSize(p) == POOL_SIZE) {
		*(void **)p = pool_head;
		pool_head = p;
		pool_n++;
		return;
	}
	base_mem.xFree(p);
}

static void *pool_realloc(void *p, int n)
{
	return base_mem.xRealloc(p, n);
}

static int pool_size(void *p)
{
	return base_mem.xSize(p);
}

static int pool_roundup(int n)
{
	return base_mem.xRoundup(n);
}

static int pool_init(void *ctx)
{
	return base_mem.xInit(ctx);
}

static void pool_shutdown(void *ctx)
{
	base_mem.xShutdown(ctx);
}

/* Before SQLite starts (a later call, or SQLite started already, does
 * nothing: the pool is only a saving). */
static void pool_setup(void)
{
	static int done;
	static sqlite3_mem_methods pool;
	if (done)
		return;
	done = 1;
	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &base_mem) != SQLITE_OK || !base_mem.xMalloc)
		return;
	pool = base_mem;
	pool.xMalloc = pool_malloc;
	pool.xFree = pool_free;
	pool.xRealloc = pool_realloc;
	pool.xSize = pool_size;
	pool.xRoundup = pool_roundup;
	pool.xInit = pool_init;
	pool.xShutdown = pool_shutdown;
	(void)sqlite3_config(SQLITE_CONFIG_MALLOC, &pool);
}
#endif

int store_vfs_register(void)
{
	if (cipher_vfs.zName)
		return SQLITE_OK;
#ifndef FV_NO_POOL
	pool_setup();
#endif
	sqlite3_vfs *base = sqlite3_vfs_find(NULL);
	if (!base)
		return SQLITE_ERROR;
	cipher_vfs.iVersion = 1;
	cipher_vfs.szOsFile = (int)sizeof(cfile) + base->szOsFile;
	cipher_vfs.mxPathname = base->mxPathname;
	cipher_vfs.zName = STORE_VFS_NAME;
	cipher_vfs.pAppData = base;
	cipher_vfs.xOpen = v_open;
	cipher_vfs.xDelete = v_delete;
	cipher_vfs.xAccess = v_access;
	cipher_vfs.xFullPathname = v_full_pathname;
	cipher_vfs.xRandomness = v_randomness;
	cipher_vfs.xSleep = v_sleep;
	cipher_vfs.xCurrentTime = v_current_time;
	cipher_vfs.xGetLastError = v_last_error;
	return sqlite3_vfs_register(&cipher_vfs, 0);
}
