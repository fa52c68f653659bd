/* fieldvisit core: UTF-8, trimming and strict number parsing. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/core.h"

size_t fv_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c;
	size_t len, i;

	if (n == 0) {
		*cp = 0xFFFD;
		return 0;
	}
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		c = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	if (len > n) {
		*cp = 0xFFFD;
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	/* overlong forms, surrogates and values past U+10FFFF */
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = c;
	return len;
}

int fv_utf8_valid(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = fv_utf8_decode(s + i, n - i, &cp);
		if (cp == 0xFFFD && k == 1)   /* a real U+FFFD decodes from 3 bytes */
			return 0;
		i += k;
	}
	return 1;
}

size_t fv_utf8_len(const char *s)
{
	size_t n = strlen(s), i = 0, count = 0;
	while (i < n) {
		uint32_t cp;
		i += fv_utf8_decode(s + i, n - i, &cp);
		count++;
	}
	return count;
}

size_t fv_utf8_offset(const char *s, size_t idx)
{
	size_t n = strlen(s), i = 0;
	while (i < n && idx > 0) {
		uint32_t cp;
		i += fv_utf8_decode(s + i, n - i, &cp);
		idx--;
	}
	return i;
}

void fv_utf8_put(fv_buf *b, uint32_t cp)
{
	char out[4];
	size_t n;
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		out[0] = (char)(0xF0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	fv_buf_add(b, out, n);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char *fv_trim(char *s)
{
	size_t n = strlen(s), start = 0;
	while (n > 0 && is_space(s[n - 1]))
		n--;
	while (start < n && is_space(s[start]))
		start++;
	memmove(s, s + start, n - start);
	s[n - start] = '\0';
	return s;
}

/* Plain decimal only: optional sign, digits, optional fraction, optional
 * exponent.  No hex, no "inf", no "nan" (strtod would take them). */
static int is_plain_number(const char *s, size_t n)
{
	size_t i = 0, digits = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < n && isdigit((unsigned char)s[i]))
		i++, digits++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && isdigit((unsigned char)s[i]))
			i++, digits++;
	}
	if (digits == 0)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		if (i >= n || !isdigit((unsigned char)s[i]))
			return 0;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
	}
	return i == n;
}

static int trimmed_span(const char *s, const char **start, size_t *n)
{
	size_t len = strlen(s);
	while (len > 0 && is_space(s[len - 1]))
		len--;
	while (len > 0 && is_space(*s))
		s++, len--;
	*start = s;
	*n = len;
	return len > 0 && len < 400;
}

int fv_parse_double(const char *s, double *out)
{
	const char *p;
	size_t n;
	char tmp[400];
	if (!trimmed_span(s, &p, &n) || !is_plain_number(p, n))
		return 0;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	errno = 0;
	double d = strtod(tmp, NULL);
	if (!isfinite(d))
		return 0;
	*out = d;
	return 1;
}

int fv_parse_long(const char *s, long *out)
{
	const char *p;
	size_t n, i = 0;
	char tmp[400];
	if (!trimmed_span(s, &p, &n))
		return 0;
	if (p[0] == '-' || p[0] == '+')
		i++;
	if (i == n)
		return 0;
	for (; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return 0;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	errno = 0;
	long v = strtol(tmp, NULL, 10);
	if (errno == ERANGE)
		return 0;
	*out = v;
	return 1;
}
