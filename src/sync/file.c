/*
 * fieldvisit sync: writing a file to a USB stick or any folder so that a
 * pulled stick or a full disk leaves the old state or the new one, never
 * half a file under the real name:
 *
 *   DIR/NAME.part   created (O_EXCL, 0600), written, fsync'ed;
 *   read back       the page cache dropped first (best effort), then its
 *                   length and BLAKE2b-512 compared with what was written;
 *   rename          DIR/NAME.part -> DIR/NAME, then fsync of DIR.
 *
 * Every write, fsync and read-back goes through the fault seam below, so
 * tests can fail the Nth of them (fv_sync_fault, FIELDVISIT_FAULT).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* posix_fadvise */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync_internal.h"

/* ------------------------------------------------------------------ */
/* The fault seam                                                      */

static int fault_write, fault_sync, fault_full, fault_read;
static int n_write, n_sync, n_read;
static int env_read;

void fv_sync_fault(int fail_write_at, int fail_sync_at, int full_at, int corrupt_read_at)
{
	fault_write = fail_write_at;
	fault_sync = fail_sync_at;
	fault_full = full_at;
	fault_read = corrupt_read_at;
	n_write = n_sync = n_read = 0;
	env_read = 1;
}

static void faults_from_env(void)
{
	const char *f = getenv("FIELDVISIT_FAULT");
	int n;
	if (env_read)
		return;
	env_read = 1;
	if (!f || !*f)
		return;
	if (sscanf(f, "bwrite:%d", &n) == 1)
		fault_write = n;
	else if (sscanf(f, "bsync:%d", &n) == 1)
		fault_sync = n;
	else if (sscanf(f, "bfull:%d", &n) == 1)
		fault_full = n;
	else if (sscanf(f, "bread:%d", &n) == 1)
		fault_read = n;
}

static ssize_t seam_write(int fd, const void *p, size_t n)
{
	n_write++;
	if (fault_write && n_write == fault_write) {
		errno = EIO;
		return -1;
	}
	if (fault_full && n_write >= fault_full) {
		errno = ENOSPC;
		return -1;
	}
	return write(fd, p, n);
}

static int seam_fsync(int fd)
{
	n_sync++;
	if (fault_sync && n_sync == fault_sync) {
		errno = EIO;
		return -1;
	}
	return fsync(fd);
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

struct sync_file {
	char *dir, *part, *path;
	int fd;
	uint64_t len;
	vault_hasher *hash;
	int committed;
};

fv_status sync_file_open(const char *dir, const char *name, sync_file **out, fv_errors *err)
{
	sync_file *f;
	struct stat sb;
	*out = NULL;
	faults_from_env();
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		fv_errors_add(err, dir, 0, "%s", stat(dir, &sb) != 0 ? strerror(errno)
								     : "not a folder");
		return FV_EIO;
	}
	f = fv_xcalloc(1, sizeof *f);
	f->fd = -1;
	f->dir = fv_xstrdup(dir);
	f->path = fv_xasprintf("%s/%s", dir, name);
	f->part = fv_xasprintf("%s.part", f->path);
	if (lstat(f->path, &sb) == 0) {
		fv_errors_add(err, f->path, 0, "exists already; nothing was written");
		sync_file_free(f);
		return FV_EIO;
	}
	/* a .part left by a pulled stick is a half file: replace it */
	unlink(f->part);
	f->fd = open(f->part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (f->fd < 0) {
		fv_errors_add(err, f->part, 0, "cannot create: %s", strerror(errno));
		sync_file_free(f);
		return FV_EIO;
	}
	f->hash = vault_hasher_new();
	*out = f;
	return FV_OK;
}

int sync_file_sink(void *ctx, const void *data, size_t len, fv_errors *err)
{
	sync_file *f = ctx;
	const uint8_t *p = data;
	vault_hasher_update(f->hash, data, len);
	f->len += len;
	while (len) {
		ssize_t w = seam_write(f->fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fv_errors_add(err, f->part, 0, "cannot write: %s; nothing was changed",
				      strerror(errno));
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Read the file back and compare with what was written. */
static fv_status read_back(sync_file *f, const uint8_t want[VAULT_HASH512_BYTES],
			   fv_sync_progress progress, void *pctx, fv_errors *err)
{
	uint8_t got[VAULT_HASH512_BYTES];
	uint8_t *buf = fv_xmalloc(1 << 16);
	uint64_t total = 0;
	vault_hasher *h = vault_hasher_new();
	int fd = open(f->part, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	fv_status st = FV_OK;

	if (fd < 0) {
		fv_errors_add(err, f->part, 0, "cannot read it back: %s; nothing was changed",
			      strerror(errno));
		st = FV_EIO;
		goto out;
	}
	/* read the device, not the copy in memory (best effort) */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	for (;;) {
		ssize_t n = read(fd, buf, 1 << 16);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fv_errors_add(err, f->part, 0, "cannot read it back: %s; nothing was"
				      " changed", strerror(errno));
			st = FV_EIO;
			break;
		}
		if (n == 0)
			break;
		n_read++;
		if (fault_read && n_read == fault_read)
			buf[0] ^= 0x40;
		vault_hasher_update(h, buf, (size_t)n);
		total += (uint64_t)n;
		if (progress)
			progress(pctx, "verifying", total, f->len);
	}
	close(fd);
	if (st == FV_OK) {
		vault_hasher_final(h, got);
		h = NULL;
		if (total != f->len || !vault_equal(got, want, sizeof got)) {
			fv_errors_add(err, f->part, 0, "what was read back differs from what was"
				      " written (a failing stick?); nothing was changed");
			st = FV_EIO;
		}
	}
out:
	vault_hasher_free(h);
	free(buf);
	return st;
}

fv_status sync_file_commit(sync_file *f, fv_sync_progress progress, void *pctx, fv_errors *err)
{
	uint8_t want[VAULT_HASH512_BYTES];
	int dfd;
	fv_status st;

	vault_hasher_final(f->hash, want);
	f->hash = NULL;
	if (seam_fsync(f->fd) != 0) {
		fv_errors_add(err, f->part, 0, "cannot write: %s; nothing was changed",
			      strerror(errno));
		sync_file_abort(f);
		return FV_EIO;
	}
	if (close(f->fd) != 0) {
		f->fd = -1;
		fv_errors_add(err, f->part, 0, "cannot write: %s; nothing was changed",
			      strerror(errno));
		sync_file_abort(f);
		return FV_EIO;
	}
	f->fd = -1;
	if ((st = read_back(f, want, progress, pctx, err)) != FV_OK) {
		sync_file_abort(f);
		return st;
	}
	if (rename(f->part, f->path) != 0) {
		fv_errors_add(err, f->path, 0, "cannot rename the .part file: %s; nothing was"
			      " changed", strerror(errno));
		sync_file_abort(f);
		return FV_EIO;
	}
	dfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || (seam_fsync(dfd) != 0 && errno != EINVAL)) {
		int e = errno;
		if (dfd >= 0)
			close(dfd);
		fv_errors_add(err, f->dir, 0, "cannot sync the folder: %s; nothing was changed",
			      strerror(e));
		unlink(f->path);
		return FV_EIO;
	}
	close(dfd);
	f->committed = 1;
	return FV_OK;
}

void sync_file_abort(sync_file *f)
{
	if (f->fd >= 0) {
		close(f->fd);
		f->fd = -1;
	}
	unlink(f->part);
}

const char *sync_file_path(const sync_file *f)
{
	return f->path;
}

void sync_file_unlink(sync_file *f)
{
	int dfd;
	unlink(f->path);
	dfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
}

void sync_file_free(sync_file *f)
{
	if (!f)
		return;
	if (f->fd >= 0 || (!f->committed && f->part))
		sync_file_abort(f);
	vault_hasher_free(f->hash);
	free(f->dir);
	free(f->part);
	free(f->path);
	free(f);
}

/* Read up to n bytes of fd into buf (fewer at the end of the file). */
static fv_status read_upto(int fd, const char *path, uint8_t *buf, size_t n, size_t *got,
			   fv_errors *err)
{
	*got = 0;
	while (*got < n) {
		ssize_t k = read(fd, buf + *got, n - *got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			fv_errors_add(err, path, 0, "cannot read: %s", strerror(errno));
			return FV_EIO;
		}
		if (k == 0)
			break;
		*got += (size_t)k;
	}
	return FV_OK;
}

fv_status sync_read_file(const char *path, uint64_t max, const char *magic, uint8_t **data,
			 size_t *len, fv_errors *err)
{
	struct stat sb;
	uint8_t head[16], *buf;
	size_t nhead = 0, got = 0;
	fv_status st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	*data = NULL;
	*len = 0;
	if (fd < 0) {
		fv_errors_add(err, path, 0, "cannot open: %s", strerror(errno));
		return FV_EIO;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fv_errors_add(err, path, 0, "not a file");
		close(fd);
		return FV_EIO;
	}
	if ((uint64_t)sb.st_size > max) {
		fv_errors_add(err, path, 0, "too large (%lld bytes; at most %llu)",
			      (long long)sb.st_size, (unsigned long long)max);
		close(fd);
		return FV_EINVAL;
	}
	/* the magic first: a gigabyte of something else is not read */
	if (magic) {
		size_t m = strlen(magic) < sizeof head ? strlen(magic) : sizeof head;
		if ((st = read_upto(fd, path, head, m, &nhead, err)) != FV_OK) {
			close(fd);
			return st;
		}
		if (nhead < m || memcmp(head, magic, m) != 0) {
			close(fd);
			*data = fv_xmalloc(nhead + 1);
			memcpy(*data, head, nhead);
			*len = nhead;
			return FV_OK;
		}
	}
	buf = fv_xmalloc((size_t)sb.st_size + nhead + 1);
	memcpy(buf, head, nhead);
	st = read_upto(fd, path, buf + nhead, (size_t)sb.st_size - nhead, &got, err);
	close(fd);
	if (st != FV_OK) {
		free(buf);
		return st;
	}
	*data = buf;
	*len = nhead + got;
	return FV_OK;
}
