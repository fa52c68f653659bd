/* fieldvisit forms: answers as a JSON object (the `form fill` input). */
#include <jansson.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/forms.h"

/* Nesting deeper than an answers object needs is refused before jansson
 * recurses into it. */
#define MAX_DEPTH 8

static int too_deep(const char *data, size_t len)
{
	int depth = 0, in_str = 0;
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > MAX_DEPTH)
				return 1;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return 0;
}

/* Append the text of a scalar JSON value; returns 0 for other kinds. */
static int scalar_text(json_t *v, fv_buf *out)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		fv_buf_add(out, json_string_value(v), json_string_length(v));
		return 1;
	case JSON_INTEGER:
		fv_buf_addf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return 1;
	case JSON_REAL:
		fv_number_format(json_real_value(v), out);
		return 1;
	case JSON_TRUE:
		fv_buf_adds(out, "true");
		return 1;
	case JSON_FALSE:
		fv_buf_adds(out, "false");
		return 1;
	case JSON_NULL:
		return 1;
	default:
		return 0;
	}
}

/* A question name as it may be printed in a one-line message: control
 * characters become \xNN, and it is cut, at a character boundary, after
 * 60 characters. */
static const char *printable(const char *key, char out[static 256])
{
	size_t o = 0, n = strlen(key), i = 0, chars = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = fv_utf8_decode(key + i, n - i, &cp);
		if (++chars > 60) {
			strcpy(out + o, "...");
			return out;
		}
		if (cp < 0x20 || cp == 0x7f)
			o += (size_t)snprintf(out + o, 256 - o, "\\x%02x", (unsigned)cp);
		else {
			memcpy(out + o, key + i, k);
			o += k;
		}
		i += k;
	}
	out[o] = '\0';
	return out;
}

fv_status fv_answers_parse(const char *name, const char *data, size_t len, fv_answers *out,
			   fv_errors *err)
{
	json_error_t je;
	json_t *root, *v;
	const char *key;
	char shown[256];
	fv_buf val;

	memset(out, 0, sizeof *out);
	if (memchr(data, '\0', len)) {
		fv_errors_add(err, name, 0, "NUL byte in the answers (not a JSON text)");
		return FV_EINVAL;
	}
	if (too_deep(data, len)) {
		fv_errors_add(err, name, 0, "answers are nested too deeply");
		return FV_EINVAL;
	}
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (!root) {
		fv_errors_add(err, name, je.line > 0 ? je.line : 0, "bad JSON: %s", je.text);
		return FV_EINVAL;
	}
	if (!json_is_object(root)) {
		fv_errors_add(err, name, 0, "answers must be a JSON object {\"name\": value}");
		json_decref(root);
		return FV_EINVAL;
	}
	fv_buf_init(&val);
	json_object_foreach(root, key, v) {
		fv_buf_reset(&val);
		if (json_is_array(v)) {
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e) {
				if (json_is_null(e) || json_is_array(e) || json_is_object(e) ||
				    json_is_boolean(e)) {
					fv_errors_add(err, name, 0,
						      "answer '%s': list items must be strings or numbers",
						      printable(key, shown));
					goto fail;
				}
				if (i > 0)
					fv_buf_addc(&val, ' ');
				scalar_text(e, &val);
			}
		} else if (!scalar_text(v, &val)) {
			fv_errors_add(err, name, 0,
				      "answer '%s': must be a string, a number, true, false, null or a list",
				      printable(key, shown));
			goto fail;
		}
		if (memchr(val.s, '\0', val.len)) {
			fv_errors_add(err, name, 0, "answer '%s': contains a NUL character",
				      printable(key, shown));
			goto fail;
		}
		fv_answers_add(out, key, val.s);
	}
	fv_buf_release(&val);
	json_decref(root);
	return FV_OK;
fail:
	fv_buf_release(&val);
	json_decref(root);
	fv_answers_release(out);
	return FV_EINVAL;
}

void fv_answers_add(fv_answers *a, const char *name, const char *value)
{
	a->items = fv_xgrow(a->items, &a->cap, a->n + 1, sizeof *a->items);
	a->items[a->n].name = fv_xstrdup(name);
	a->items[a->n].value = fv_xstrdup(value);
	a->n++;
}

void fv_answers_release(fv_answers *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->items[i].name);
		free(a->items[i].value);
	}
	free(a->items);
	memset(a, 0, sizeof *a);
}

/* s as a JSON string: quotes, backslashes and control characters escaped,
 * everything else (UTF-8) as it is. */
static void json_quote(fv_buf *b, const char *s)
{
	fv_buf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			fv_buf_addc(b, '\\');
			fv_buf_addc(b, (char)*p);
		} else if (*p < 0x20) {
			fv_buf_addf(b, "\\u%04x", *p);
		} else {
			fv_buf_addc(b, (char)*p);
		}
	}
	fv_buf_addc(b, '"');
}

char *fv_answers_to_json(const fv_answers *a)
{
	fv_buf b;
	fv_buf_init(&b);
	fv_buf_addc(&b, '{');
	for (size_t i = 0; i < a->n; i++) {
		if (i)
			fv_buf_adds(&b, ", ");
		json_quote(&b, a->items[i].name);
		fv_buf_adds(&b, ": ");
		json_quote(&b, a->items[i].value);
	}
	fv_buf_addc(&b, '}');
	return fv_buf_take(&b);
}
