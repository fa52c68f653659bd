/* fieldvisit core: status codes and error lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/core.h"

const char *fv_status_str(fv_status st)
{
	switch (st) {
	case FV_OK: return "ok";
	case FV_EINVAL: return "rejected input";
	case FV_EUSAGE: return "usage error";
	case FV_EIO: return "input/output error";
	case FV_ENOTFOUND: return "not found";
	case FV_ERANGE: return "out of range";
	case FV_EPASS: return "wrong passphrase";
	case FV_EBUSY: return "in use";
	}
	return "unknown status";
}

int fv_status_exit(fv_status st)
{
	switch (st) {
	case FV_OK: return 0;
	case FV_EINVAL: case FV_ENOTFOUND: case FV_ERANGE: return 1;
	case FV_EUSAGE: return 2;
	case FV_EPASS: return 3;
	case FV_EIO: case FV_EBUSY: return 4;
	}
	return 4;
}

void fv_errors_init(fv_errors *e)
{
	memset(e, 0, sizeof *e);
}

void fv_errors_release(fv_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->lines[i]);
	free(e->lines);
	fv_errors_init(e);
}

void fv_errors_vadd(fv_errors *e, const char *file, int line, const char *fmt, va_list ap)
{
	fv_buf b;
	fv_buf_init(&b);
	if (file && line > 0)
		fv_buf_addf(&b, "%s:%d: ", file, line);
	else if (file)
		fv_buf_addf(&b, "%s: ", file);
	char tmp[1024];
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	fv_buf_adds(&b, tmp);
	e->lines = fv_xgrow(e->lines, &e->cap, e->n + 1, sizeof *e->lines);
	e->lines[e->n++] = fv_buf_take(&b);
}

void fv_errors_add(fv_errors *e, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fv_errors_vadd(e, file, line, fmt, ap);
	va_end(ap);
}
