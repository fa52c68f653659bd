/* fieldvisit core: allocation that never returns NULL, and growing strings. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/core.h"

static void out_of_memory(void)
{
	fputs("fieldvisit: out of memory\n", stderr);
	exit(4);
}

void *fv_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *fv_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *fv_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		out_of_memory();
	return q;
}

void *fv_xgrow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap : 8;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			out_of_memory();
		n *= 2;
	}
	if (size && n > SIZE_MAX / size)
		out_of_memory();
	p = fv_xrealloc(p, n * size);
	*cap = n;
	return p;
}

char *fv_xstrdup(const char *s)
{
	return fv_xstrndup(s, strlen(s));
}

char *fv_xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = fv_xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *fv_xasprintf(const char *fmt, ...)
{
	fv_buf b;
	va_list ap;
	fv_buf_init(&b);
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	b.s = fv_xgrow(b.s, &b.cap, (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(b.s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return b.s;
}

void fv_buf_init(fv_buf *b)
{
	b->cap = 32;
	b->s = fv_xmalloc(b->cap);
	b->s[0] = '\0';
	b->len = 0;
}

void fv_buf_release(fv_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void fv_buf_reset(fv_buf *b)
{
	b->len = 0;
	b->s[0] = '\0';
}

void fv_buf_add(fv_buf *b, const char *s, size_t n)
{
	if (n > SIZE_MAX - b->len - 1)
		out_of_memory();
	b->s = fv_xgrow(b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void fv_buf_adds(fv_buf *b, const char *s)
{
	fv_buf_add(b, s, strlen(s));
}

void fv_buf_addc(fv_buf *b, char c)
{
	fv_buf_add(b, &c, 1);
}

void fv_buf_addf(fv_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	b->s = fv_xgrow(b->s, &b->cap, b->len + (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *fv_buf_take(fv_buf *b)
{
	char *s = b->s;
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void fv_buf_add_json_string(fv_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *run = s, *end = s + n;
	fv_buf_addc(b, '"');
	for (const char *p = s; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		const char *esc;
		char u[7];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		fv_buf_add(b, run, (size_t)(p - run));
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			memcpy(u, "\\u00", 4);
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			u[6] = '\0';
			esc = u;
		}
		fv_buf_adds(b, esc);
		run = p + 1;
	}
	fv_buf_add(b, run, (size_t)(end - run));
	fv_buf_addc(b, '"');
}
