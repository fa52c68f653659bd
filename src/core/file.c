/* fieldvisit core: reading whole files. */
#include <errno.h>
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
