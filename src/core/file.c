/* fieldvisit core: reading whole files. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/core.h"

/* Inputs larger than this are refused: no form, answers file or rule table
 * comes near it, and a bigger file is a mistake or an attack. */
#define FV_MAX_INPUT (64u << 20)

fv_status fv_read_stream(void *vfp, const char *name, char **data, size_t *len,
			 fv_errors *err)
{
	FILE *fp = vfp;
	fv_buf b;
	char chunk[65536];
	size_t n;

	fv_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		if (b.len + n > FV_MAX_INPUT) {
			fv_errors_add(err, name, 0, "file too large (more than %u MiB)",
				      FV_MAX_INPUT >> 20);
			fv_buf_release(&b);
			return FV_ERANGE;
		}
		fv_buf_add(&b, chunk, n);
	}
	if (ferror(fp)) {
		fv_errors_add(err, name, 0, "cannot read: %s", strerror(errno));
		fv_buf_release(&b);
		return FV_EIO;
	}
	*len = b.len;
	*data = fv_buf_take(&b);
	return FV_OK;
}

fv_status fv_read_file(const char *path, char **data, size_t *len, fv_errors *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fv_errors_add(err, path, 0, "cannot open: %s", strerror(errno));
		return FV_EIO;
	}
	fv_status st = fv_read_stream(fp, path, data, len, err);
	fclose(fp);
	return st;
}

fv_status fv_write_atomic(const char *path, const void *data, size_t len, int mode,
			  fv_errors *err)
{
	char *tmp = fv_xasprintf("%s.tmp", path);
	char *dir = fv_xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *p = data;
	size_t done = 0;
	int fd, dfd;
	fv_status st = FV_EIO;

	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	else
		strcpy(dir, ".");
	/* a leftover or planted PATH.tmp (another mode, a symlink) is removed,
	 * never written through */
	if (unlink(tmp) != 0 && errno != ENOENT) {
		fv_errors_add(err, tmp, 0, "cannot remove: %s", strerror(errno));
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		fv_errors_add(err, tmp, 0, "cannot create: %s", strerror(errno));
		goto out;
	}
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fv_errors_add(err, tmp, 0, "cannot write: %s", strerror(n < 0 ? errno : ENOSPC));
			goto fail;
		}
		done += (size_t)n;
	}
	if (fsync(fd) != 0) {
		fv_errors_add(err, tmp, 0, "cannot sync: %s", strerror(errno));
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		fv_errors_add(err, tmp, 0, "cannot close: %s", strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		fv_errors_add(err, path, 0, "cannot replace: %s", strerror(errno));
		goto fail;
	}
	/* the new name must survive a crash too */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || (fsync(dfd) != 0 && errno != EINVAL)) {   /* EINVAL: not supported */
		fv_errors_add(err, dir, 0, "cannot sync the folder: %s", strerror(errno));
		if (dfd >= 0)
			close(dfd);
		goto out;
	}
	close(dfd);
	st = FV_OK;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	free(dir);
	return st;
}
