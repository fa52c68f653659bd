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

/* One string of the compact form at data[*i] (the opening quote),
 * decoded into val; 0 for anything this reader leaves to jansson: a raw
 * control character, \/, \u other than a control character other than
 * NUL, text that is not UTF-8. */
static int canonical_string(const char *data, size_t len, size_t *i, fv_buf *val)
{
	size_t p = *i;
	fv_buf_reset(val);
	if (p >= len || data[p] != '"')
		return 0;
	for (p++; p < len; p++) {
		unsigned char c = (unsigned char)data[p];
		const char *run = data + p;
		size_t n = 0;
		while (p + n < len && (unsigned char)data[p + n] >= 0x20 && data[p + n] != '"' &&
		       data[p + n] != '\\')
			n++;
		if (n) {
			fv_buf_add(val, run, n);
			p += n - 1;
			continue;
		}
		if (c == '"') {
			*i = p + 1;
			return fv_utf8_valid(val->s, val->len);
		}
		if (c != '\\' || p + 1 >= len)
			return 0;
		switch (data[++p]) {
		case '"': fv_buf_addc(val, '"'); break;
		case '\\': fv_buf_addc(val, '\\'); break;
		case 'b': fv_buf_addc(val, '\b'); break;
		case 'f': fv_buf_addc(val, '\f'); break;
		case 'n': fv_buf_addc(val, '\n'); break;
		case 'r': fv_buf_addc(val, '\r'); break;
		case 't': fv_buf_addc(val, '\t'); break;
		case 'u': {
			static const char hex[] = "0123456789ABCDEF";
			const char *hi, *lo;
			if (p + 4 >= len || data[p + 1] != '0' || data[p + 2] != '0' ||
			    (data[p + 3] != '0' && data[p + 3] != '1') ||
			    !(lo = strchr(hex, data[p + 4])) || !data[p + 4])
				return 0;
			hi = data[p + 3] == '1' ? hex + 1 : hex;
			c = (unsigned char)((hi - hex) * 16 + (lo - hex));
			if (c == 0)
				return 0;
			fv_buf_addc(val, (char)c);
			p += 4;
			break;
		}
		default:
			return 0;
		}
	}
	return 0;
}

/* The answers as fieldvisit writes them (stored answers, a record's
 * answers): one object of strings, compact, jansson's escapes, each name
 * once.  Fills out and returns 1 when data is exactly that; else 0 with
 * out empty, and jansson reads it (and says what is wrong).  Decoding is
 * jansson's for these escapes, so out is what the general path gives. */
static int parse_canonical(const char *data, size_t len, fv_answers *out)
{
	fv_buf key, val;
	size_t i = 1;
	int good = 0;
	if (len < 2 || data[0] != '{')
		return 0;
	if (data[1] == '}')
		return len == 2;
	fv_buf_init(&key);
	fv_buf_init(&val);
	fv_buf_adds(&key, "");
	fv_buf_adds(&val, "");
	for (;;) {
		if (!canonical_string(data, len, &i, &key) || i >= len || data[i++] != ':' ||
		    !canonical_string(data, len, &i, &val) || i >= len)
			break;
		int again = 0;
		for (size_t k = 0; k < out->n && !again; k++)
			again = strcmp(out->items[k].name, key.s) == 0;
		if (again)
			break;
		fv_answers_add(out, key.s, val.s);
		if (data[i] == ',') {
			i++;
			continue;
		}
		good = data[i] == '}' && i + 1 == len;
		break;
	}
	fv_buf_release(&key);
	fv_buf_release(&val);
	if (!good)
		fv_answers_release(out);
	return good;
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
	if (parse_canonical(data, len, out))
		return FV_OK;
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
