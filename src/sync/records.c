/*
 * fieldvisit sync: record lines, one JSON object each:
 *   {"table": T, "id": ID, "version": N, "fields": {...}}
 * Parsing checks the shape, the types and the lengths only; what a value
 * means is checked by the store when the record is applied, with the same
 * code that checks input on screen.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sync_internal.h"

static const char *const table_names[FV_REC_NTABLES] = {
	[FV_REC_HELLO] = "hello", [FV_REC_PERSON] = "person", [FV_REC_VISIT] = "visit",
	[FV_REC_RECEIPT] = "receipt", [FV_REC_REVIEW] = "review", [FV_REC_FORM] = "form",
	[FV_REC_RULE] = "rule", [FV_REC_ACK] = "ack",
};

#define ID_MAX 64            /* ids, authors, devices, versions */
#define TEXT_MAX 4096        /* a name, a comment, a reason */
#define CSV_MAX (4u << 20)   /* a form or a rule table */

const char *fv_record_table_name(fv_record_table t)
{
	return (unsigned)t < FV_REC_NTABLES ? table_names[t] : "?";
}

void sync_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int sync_unhex(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int a = nibble(s[2 * i]), b = nibble(s[2 * i + 1]);
		if (a < 0 || b < 0)
			return 0;
		out[i] = (uint8_t)(a << 4 | b);
	}
	return 1;
}

void fv_record_release(fv_record *r)
{
	fv_person_release(&r->person);
	fv_visit_release(&r->visit);
	fv_review_release(&r->review);
	free(r->id);
	free(r->name);
	free(r->device);
	free(r->text);
	free(r->text2);
	memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

typedef struct parse {
	json_t *fields;
	size_t lineno;
	fv_errors *err;
	size_t before;
} parse;

/* "record N: field 'name' why" */
static void bad(parse *p, const char *why, const char *name)
{
	fv_errors_add(p->err, NULL, 0, "record %zu: %s '%s' %s", p->lineno,
		      strncmp(why, "answer", 6) == 0 ? "answer" : "field", name,
		      why + (strncmp(why, "answer", 6) == 0 ? 7 : 0));
}

/* Text field name: a string of valid UTF-8 without NUL, at most max
 * bytes; absent or null is "" unless required. */
static char *text(parse *p, const char *name, size_t max, int required)
{
	json_t *v = json_object_get(p->fields, name);
	if (!v || json_is_null(v)) {
		if (required)
			bad(p, "is missing", name);
		return fv_xstrdup("");
	}
	if (!json_is_string(v)) {
		bad(p, "is not a string", name);
		return fv_xstrdup("");
	}
	size_t n = json_string_length(v);
	const char *s = json_string_value(v);
	if (n > max || memchr(s, '\0', n)) {
		bad(p, "is too long or holds a NUL", name);
		return fv_xstrdup("");
	}
	if (required && !n)
		bad(p, "is empty", name);
	return fv_xstrndup(s, n);
}

static int64_t integer(parse *p, const char *name, int64_t min, int64_t max)
{
	json_t *v = json_object_get(p->fields, name);
	if (!v || !json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		bad(p, "is missing or not a whole number in range", name);
		return min;
	}
	return json_integer_value(v);
}

static void key(parse *p, const char *name, uint8_t *out, size_t n)
{
	char *h = text(p, name, 2 * n, 1);
	if (*h && !sync_unhex(h, out, n))
		bad(p, "is not a key in hex", name);
	free(h);
}

static void parse_person(parse *p, fv_person *q)
{
	q->author = text(p, "author", ID_MAX, 1);
	q->name = text(p, "name", TEXT_MAX, 1);
	q->sex = text(p, "sex", ID_MAX, 1);
	q->birth = text(p, "birth", ID_MAX, 1);
	q->resident_id = text(p, "resident_id", ID_MAX, 1);
	q->phone = text(p, "phone", ID_MAX, 0);
	q->village = text(p, "village", TEXT_MAX, 1);
	q->household = text(p, "household", ID_MAX, 0);
	q->categories = text(p, "categories", TEXT_MAX, 0);
	q->contact_name[0] = text(p, "contact1_name", TEXT_MAX, 0);
	q->contact_phone[0] = text(p, "contact1_phone", ID_MAX, 0);
	q->contact_name[1] = text(p, "contact2_name", TEXT_MAX, 0);
	q->contact_phone[1] = text(p, "contact2_phone", ID_MAX, 0);
	q->status = text(p, "status", ID_MAX, 1);
	q->status_date = text(p, "status_date", ID_MAX, 0);
	q->status_reason = text(p, "status_reason", TEXT_MAX, 0);
	q->created_at = text(p, "created_at", ID_MAX, 1);
	q->updated_at = text(p, "updated_at", ID_MAX, 1);
	q->last_visit = fv_xstrdup("");
}

static void parse_visit(parse *p, fv_visit *v)
{
	json_t *a = json_object_get(p->fields, "answers");
	const char *k;
	json_t *x;
	v->author = text(p, "author", ID_MAX, 1);
	v->person = text(p, "person", ID_MAX, 1);
	v->form_id = text(p, "form_id", ID_MAX, 1);
	v->form_version = text(p, "form_version", ID_MAX, 1);
	v->checkin = text(p, "checkin", ID_MAX, 0);
	v->checkout = text(p, "checkout", ID_MAX, 0);
	v->services = text(p, "services", TEXT_MAX, 0);
	v->visit_date = text(p, "visit_date", ID_MAX, 1);
	v->created_at = text(p, "created_at", ID_MAX, 1);
	v->submitted_at = text(p, "submitted_at", ID_MAX, 1);
	v->state = FV_VISIT_SUBMITTED;
	v->duration = -1;
	v->band = fv_xstrdup("");
	v->alerts = fv_xstrdup("");
	v->updated_at = fv_xstrdup("");
	if (!json_is_object(a)) {
		bad(p, "is not an object", "answers");
		v->answers = fv_xstrdup("{}");
		return;
	}
	/* values are strings, as a stored instance holds them; the object is
	 * then written back as json_dumps (compact, in order) writes it, which
	 * is fv_buf_add_json_string's escaping: jansson's parser took no NUL
	 * in a key or a value, and its keys are unique */
	fv_buf b;
	int strings = 1;
	fv_buf_init(&b);
	fv_buf_addc(&b, '{');
	json_object_foreach(a, k, x) {
		if (!json_is_string(x)) {
			bad(p, "answer is not a string", k);
			strings = 0;
			break;
		}
		if (b.len > 1)
			fv_buf_addc(&b, ',');
		fv_buf_add_json_string(&b, k, strlen(k));
		fv_buf_addc(&b, ':');
		fv_buf_add_json_string(&b, json_string_value(x), json_string_length(x));
	}
	fv_buf_addc(&b, '}');
	if (strings) {
		v->answers = fv_buf_take(&b);
		return;
	}
	fv_buf_release(&b);
	v->answers = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!v->answers) {
		fputs("fieldvisit: out of memory\n", stderr);
		exit(4);
	}
}

static void parse_review(parse *p, fv_review *rv)
{
	rv->author = text(p, "author", ID_MAX, 1);
	rv->visit = text(p, "visit", ID_MAX, 1);
	rv->visit_version = (int)integer(p, "visit_version", 1, INT32_MAX);
	rv->decision = text(p, "decision", ID_MAX, 1);
	rv->comment = text(p, "comment", TEXT_MAX, 0);
	rv->reviewed_at = text(p, "reviewed_at", ID_MAX, 1);
}

/*
 * Person and visit lines as fieldvisit writes them (fv_record_person_line,
 * fv_record_visit_line) are read by a scan instead of a jansson tree: an
 * import reads 100,000 of them.  The scan takes a line only when it is
 * exactly that form -- the keys in the order written, every string as
 * json_dumps writes it (canonical_string: valid UTF-8, jansson's escapes,
 * no NUL), the answers an object of such strings with each key once, the
 * version a plain number -- and every field passes what text() checks;
 * then jansson would read the same values.  Anything else (another order,
 * spacing, escapes, a missing or extra field, an error to report) goes
 * through jansson as before, which gives the same record or the same
 * error line.
 */
static size_t canonical_string(const char *p, const char *end);
static size_t answers_len(const char *a, const char *end);

typedef struct scan {
	const char *p, *end;
	int ok;
} scan;

static void s_lit(scan *c, const char *t, size_t n)
{
	if (c->ok && (size_t)(c->end - c->p) >= n && memcmp(c->p, t, n) == 0)
		c->p += n;
	else
		c->ok = 0;
}

static int hexval(char h)
{
	return h >= 'A' ? h - 'A' + 10 : h - '0';
}

/* The string at c->p, decoded, as text(c, max, required) would take it. */
static char *s_text(scan *c, size_t max, int required)
{
	size_t k;
	if (!c->ok || !(k = canonical_string(c->p, c->end))) {
		c->ok = 0;
		return NULL;
	}
	const char *q = c->p + 1, *e = c->p + k - 1;
	char *out = fv_xmalloc(k), *o = out;
	while (q < e) {
		const char *bs = memchr(q, '\\', (size_t)(e - q));
		size_t run = bs ? (size_t)(bs - q) : (size_t)(e - q);
		memcpy(o, q, run);
		o += run;
		q += run;
		if (!bs)
			break;
		switch (q[1]) {   /* canonical_string let only these through */
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': *o++ = (char)(hexval(q[4]) << 4 | hexval(q[5])); q += 4; break;
		default: *o++ = q[1]; break;   /* '"' and '\\' */
		}
		q += 2;
	}
	*o = '\0';
	c->p += k;
	if ((size_t)(o - out) > max || (required && o == out)) {
		c->ok = 0;
		free(out);
		return NULL;
	}
	return out;
}

/* ,"key": then the string (no comma before the first field) */
static char *s_field(scan *c, const char *key, size_t max, int required, int first)
{
	size_t n = strlen(key);
	if (!first)
		s_lit(c, ",", 1);
	s_lit(c, "\"", 1);
	s_lit(c, key, n);
	s_lit(c, "\":", 2);
	return s_text(c, max, required);
}

/* {"table":"T","id":ID,"version":N,"fields":{ */
static void s_head(scan *c, const char *head, size_t n, fv_record *r)
{
	int64_t v = 0;
	s_lit(c, head, n);
	r->id = s_text(c, ID_MAX, 1);
	s_lit(c, ",\"version\":", 11);
	if (c->ok && c->p < c->end && *c->p >= '1' && *c->p <= '9') {
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && v <= INT32_MAX)
			v = v * 10 + (*c->p++ - '0');
	}
	if (v < 1 || v > INT32_MAX)
		c->ok = 0;
	r->version = (int)v;
	s_lit(c, ",\"fields\":{", 11);
}

static void s_person(scan *c, fv_person *q)
{
	static const struct {
		const char *key;
		size_t max;
		int required;
	} f[] = {
		{"author", ID_MAX, 1}, {"name", TEXT_MAX, 1}, {"sex", ID_MAX, 1},
		{"birth", ID_MAX, 1}, {"resident_id", ID_MAX, 1}, {"phone", ID_MAX, 0},
		{"village", TEXT_MAX, 1}, {"household", ID_MAX, 0}, {"categories", TEXT_MAX, 0},
		{"contact1_name", TEXT_MAX, 0}, {"contact1_phone", ID_MAX, 0},
		{"contact2_name", TEXT_MAX, 0}, {"contact2_phone", ID_MAX, 0},
		{"status", ID_MAX, 1}, {"status_date", ID_MAX, 0},
		{"status_reason", TEXT_MAX, 0}, {"created_at", ID_MAX, 1},
		{"updated_at", ID_MAX, 1},
	};
	char **to[] = {
		&q->author, &q->name, &q->sex, &q->birth, &q->resident_id, &q->phone,
		&q->village, &q->household, &q->categories, &q->contact_name[0],
		&q->contact_phone[0], &q->contact_name[1], &q->contact_phone[1], &q->status,
		&q->status_date, &q->status_reason, &q->created_at, &q->updated_at,
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0] && c->ok; i++)
		*to[i] = s_field(c, f[i].key, f[i].max, f[i].required, i == 0);
	q->last_visit = fv_xstrdup("");
}

static void s_visit(scan *c, fv_visit *v)
{
	size_t n;
	v->author = s_field(c, "author", ID_MAX, 1, 1);
	v->person = s_field(c, "person", ID_MAX, 1, 0);
	v->form_id = s_field(c, "form_id", ID_MAX, 1, 0);
	v->form_version = s_field(c, "form_version", ID_MAX, 1, 0);
	s_lit(c, ",\"answers\":", 11);
	if (c->ok && (n = answers_len(c->p, c->end)) != 0) {
		v->answers = fv_xstrndup(c->p, n);   /* parse_visit writes it back as it is */
		c->p += n;
	} else {
		c->ok = 0;
	}
	v->checkin = s_field(c, "checkin", ID_MAX, 0, 0);
	v->checkout = s_field(c, "checkout", ID_MAX, 0, 0);
	v->services = s_field(c, "services", TEXT_MAX, 0, 0);
	v->visit_date = s_field(c, "visit_date", ID_MAX, 1, 0);
	v->created_at = s_field(c, "created_at", ID_MAX, 1, 0);
	v->submitted_at = s_field(c, "submitted_at", ID_MAX, 1, 0);
	v->state = FV_VISIT_SUBMITTED;
	v->duration = -1;
	v->band = fv_xstrdup("");
	v->alerts = fv_xstrdup("");
	v->updated_at = fv_xstrdup("");
}

/* 1 when line is a person or visit line as fieldvisit writes it, read
 * into r; else 0 and r is empty. */
static int scan_record(const char *line, size_t len, fv_record *r)
{
	static const char person[] = "{\"table\":\"person\",\"id\":";
	static const char visit[] = "{\"table\":\"visit\",\"id\":";
	scan c = {line, line + len, 1};
	if (len > sizeof person && memcmp(line, person, sizeof person - 1) == 0) {
		r->table = FV_REC_PERSON;
		s_head(&c, person, sizeof person - 1, r);
		if (c.ok)
			s_person(&c, &r->person);
		if (c.ok) {
			r->person.id = fv_xstrdup(r->id);
			r->person.version = r->version;
		}
	} else if (len > sizeof visit && memcmp(line, visit, sizeof visit - 1) == 0) {
		r->table = FV_REC_VISIT;
		s_head(&c, visit, sizeof visit - 1, r);
		if (c.ok)
			s_visit(&c, &r->visit);
		if (c.ok) {
			r->visit.id = fv_xstrdup(r->id);
			r->visit.version = r->version;
		}
	} else {
		return 0;
	}
	s_lit(&c, "}}", 2);
	if (c.ok && c.p == c.end)
		return 1;
	fv_record_release(r);
	return 0;
}

fv_status fv_record_parse(const char *line, size_t len, size_t lineno, fv_record *r,
			  fv_errors *err)
{
	json_error_t jerr;
	json_t *o, *t, *id, *ver;
	parse p = {NULL, lineno, err, err->n};

	memset(r, 0, sizeof *r);
	if (scan_record(line, len, r))
		return FV_OK;
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o || !json_is_object(o)) {
		fv_errors_add(err, NULL, 0, "record %zu: not a JSON object%s%s", lineno,
			      o ? "" : ": ", o ? "" : jerr.text);
		json_decref(o);
		return FV_EINVAL;
	}
	t = json_object_get(o, "table");
	id = json_object_get(o, "id");
	ver = json_object_get(o, "version");
	p.fields = json_object_get(o, "fields");
	r->table = FV_REC_NTABLES;
	for (int i = 0; t && json_is_string(t) && i < FV_REC_NTABLES; i++)
		if (strcmp(json_string_value(t), table_names[i]) == 0)
			r->table = (fv_record_table)i;
	if (r->table == FV_REC_NTABLES)
		fv_errors_add(err, NULL, 0, "record %zu: unknown table", lineno);
	else if (!json_is_string(id) || !json_string_length(id) ||
		 json_string_length(id) > ID_MAX || memchr(json_string_value(id), '\0',
							   json_string_length(id)))
		fv_errors_add(err, NULL, 0, "record %zu: no id, or one longer than %d", lineno,
			      ID_MAX);
	else if (!json_is_integer(ver) || json_integer_value(ver) < 1 ||
		 json_integer_value(ver) > INT32_MAX)
		fv_errors_add(err, NULL, 0, "record %zu: the version is not a whole number from 1",
			      lineno);
	else if (!json_is_object(p.fields))
		fv_errors_add(err, NULL, 0, "record %zu: no fields object", lineno);
	if (err->n != p.before) {
		json_decref(o);
		return FV_EINVAL;
	}
	r->id = fv_xstrdup(json_string_value(id));
	r->version = (int)json_integer_value(ver);
	switch (r->table) {
	case FV_REC_HELLO:
		r->name = text(&p, "name", TEXT_MAX, 1);
		r->device = text(&p, "device", ID_MAX, 1);
		key(&p, "sign_pk", r->sign_pk, sizeof r->sign_pk);
		key(&p, "box_pk", r->box_pk, sizeof r->box_pk);
		key(&p, "proof", r->proof, sizeof r->proof);
		break;
	case FV_REC_PERSON:
		parse_person(&p, &r->person);
		r->person.id = fv_xstrdup(r->id);
		r->person.version = r->version;
		break;
	case FV_REC_VISIT:
		parse_visit(&p, &r->visit);
		r->visit.id = fv_xstrdup(r->id);
		r->visit.version = r->version;
		break;
	case FV_REC_RECEIPT:
		r->text = text(&p, "table", ID_MAX, 1);
		break;
	case FV_REC_REVIEW:
		parse_review(&p, &r->review);
		r->review.id = fv_xstrdup(r->id);
		r->review.version = r->version;
		break;
	case FV_REC_FORM:
		r->text = text(&p, "form_version", ID_MAX, 1);
		r->text2 = text(&p, "csv", CSV_MAX, 1);
		break;
	case FV_REC_RULE:
		r->text = text(&p, "rule_version", ID_MAX, 1);
		r->text2 = text(&p, "csv", CSV_MAX, 1);
		break;
	case FV_REC_ACK:
		r->seq = integer(&p, "seq", 0, INT64_MAX);
		break;
	}
	json_decref(o);
	if (err->n != p.before) {
		fv_record_release(r);
		return FV_EINVAL;
	}
	return FV_OK;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

static json_t *str(const char *s)
{
	json_t *j = json_string(s ? s : "");
	if (!j)   /* not UTF-8: the store holds UTF-8 only, so this is a bug */
		j = json_string("");
	return j;
}

static char *line_of(const char *table, const char *id, int version, json_t *fields)
{
	json_t *o = json_object();
	json_object_set_new(o, "table", json_string(table));
	json_object_set_new(o, "id", str(id));
	json_object_set_new(o, "version", json_integer(version));
	json_object_set_new(o, "fields", fields);
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!text) {
		fputs("fieldvisit: out of memory\n", stderr);
		exit(4);
	}
	return text;
}

/*
 * Person and visit lines are written directly, not through a jansson
 * tree: an export writes 100,000 of them.  The bytes are exactly what
 * json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) makes of the same object
 * (tests/unit/test_sync.c compares them): '"', '\\' and control
 * characters escaped (\b \f \n \r \t, else \u00XX), the rest as is; text
 * that is not UTF-8 is written as "" (as str() does).
 */
/* 1 when s holds no byte above 0x7F (then it is UTF-8). */
static int ascii(const char *s, size_t n)
{
	unsigned char any = 0;
	for (size_t i = 0; i < n; i++)
		any |= (unsigned char)s[i];
	return any < 0x80;
}

static void put_string(fv_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || (!ascii(s, n) && !fv_utf8_valid(s, n))) {
		fv_buf_adds(b, "\"\"");
		return;
	}
	fv_buf_add_json_string(b, s, n);
}

/* ,"key":"value" (without the comma for the first field) */
static void put_field(fv_buf *b, const char *key, const char *value, int first)
{
	if (!first)
		fv_buf_addc(b, ',');
	put_string(b, key);
	fv_buf_addc(b, ':');
	put_string(b, value);
}

static void put_head(fv_buf *b, const char *table, const char *id, int version)
{
	fv_buf_adds(b, "{\"table\":");
	put_string(b, table);
	fv_buf_adds(b, ",\"id\":");
	put_string(b, id);
	fv_buf_addf(b, ",\"version\":%d,\"fields\":{", version);
}

/* The length of a JSON string at p as json_dumps writes one (see
 * put_string), or 0 when it is not one. */
static size_t canonical_string(const char *p, const char *end)
{
	const char *q = p + 1;
	if (p >= end || *p != '"')
		return 0;
	while (q < end && *q != '"') {
		unsigned char c = (unsigned char)*q;
		if (c < 0x20)
			return 0;
		if (c != '\\') {
			q++;
			continue;
		}
		if (end - q < 2)
			return 0;
		switch (q[1]) {
		case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't':
			q += 2;
			break;
		case 'u':
			/* \u0001..\u001F but those with a short form; never \u0000 */
			if (end - q < 6 || memcmp(q + 2, "00", 2) != 0 || (q[4] != '0' && q[4] != '1') ||
			    !strchr("0123456789ABCDEF", q[5]) || !q[5] ||
			    (q[4] == '0' && strchr("089ACD", q[5])))
				return 0;
			q += 6;
			break;
		default:
			return 0;
		}
	}
	if (q >= end || (!ascii(p + 1, (size_t)(q - p - 1)) && !fv_utf8_valid(p + 1, (size_t)(q - p - 1))))
		return 0;
	return (size_t)(q + 1 - p);
}

/* The length of an object of strings at a exactly as json_dumps writes
 * one, each key once (so that parsing and dumping it again gives the same
 * bytes), or 0; objects of more than KEYS_MAX keys are left to jansson. */
#define KEYS_MAX 256
static size_t answers_len(const char *a, const char *end)
{
	const char *p = a;
	const char *key[KEYS_MAX];
	size_t k, klen[KEYS_MAX], nkeys = 0;
	if (p >= end || *p++ != '{')
		return 0;
	if (p < end && *p == '}')
		return (size_t)(p + 1 - a);
	for (;;) {
		if (!(k = canonical_string(p, end)) || nkeys == KEYS_MAX)
			return 0;
		/* one spelling per string: the same key is the same bytes */
		for (size_t i = 0; i < nkeys; i++)
			if (klen[i] == k && memcmp(key[i], p, k) == 0)
				return 0;
		key[nkeys] = p;
		klen[nkeys++] = k;
		p += k;
		if (p >= end || *p++ != ':' || !(k = canonical_string(p, end)))
			return 0;
		p += k;
		if (p >= end)
			return 0;
		if (*p == '}')
			return (size_t)(p + 1 - a);
		if (*p++ != ',')
			return 0;
	}
}

/* 1 when answers is such an object and nothing else. */
static int canonical_answers(const char *a)
{
	size_t n = strlen(a);
	return n && answers_len(a, a + n) == n;
}

char *fv_record_person_line(const fv_person *p)
{
	fv_buf b;
	fv_buf_init(&b);
	sync_person_line(&b, p);
	return fv_buf_take(&b);
}

void sync_person_line(fv_buf *b, const fv_person *p)
{
	const char *k[] = {
		"author", "name", "sex", "birth", "resident_id", "phone", "village", "household",
		"categories", "contact1_name", "contact1_phone", "contact2_name",
		"contact2_phone", "status", "status_date", "status_reason", "created_at",
		"updated_at",
	};
	const char *v[] = {
		p->author, p->name, p->sex, p->birth, p->resident_id, p->phone, p->village,
		p->household, p->categories, p->contact_name[0], p->contact_phone[0],
		p->contact_name[1], p->contact_phone[1], p->status, p->status_date,
		p->status_reason, p->created_at, p->updated_at,
	};
	put_head(b, "person", p->id, p->version);
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		put_field(b, k[i], v[i], i == 0);
	fv_buf_adds(b, "}}");
}

char *fv_record_visit_line(const fv_visit *v)
{
	fv_buf b;
	fv_buf_init(&b);
	sync_visit_line(&b, v);
	return fv_buf_take(&b);
}

void sync_visit_line(fv_buf *b, const fv_visit *v)
{
	const char *k[] = {"author", "person", "form_id", "form_version"};
	const char *x[] = {v->author, v->person, v->form_id, v->form_version};
	const char *k2[] = {"checkin", "checkout", "services", "visit_date", "created_at",
			    "submitted_at"};
	const char *x2[] = {v->checkin, v->checkout, v->services, v->visit_date, v->created_at,
			    v->submitted_at};
	const char *a = v->answers ? v->answers : "{}";
	put_head(b, "visit", v->id, v->version);
	for (size_t i = 0; i < 4; i++)
		put_field(b, k[i], x[i], i == 0);
	fv_buf_adds(b, ",\"answers\":");
	if (canonical_answers(a)) {
		fv_buf_adds(b, a);   /* as the store keeps them: the usual case */
	} else {
		/* anything else goes through jansson, as it always did */
		json_error_t jerr;
		json_t *answers = json_loads(a, 0, &jerr);
		if (!answers)
			answers = json_object();
		char *text = json_dumps(answers, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(answers);
		if (!text) {
			fputs("fieldvisit: out of memory\n", stderr);
			exit(4);
		}
		fv_buf_adds(b, text);
		free(text);
	}
	for (size_t i = 0; i < 6; i++)
		put_field(b, k2[i], x2[i], 0);
	fv_buf_adds(b, "}}");
}

char *fv_record_review_line(const fv_review *rv)
{
	json_t *f = json_object();
	json_object_set_new(f, "author", str(rv->author));
	json_object_set_new(f, "visit", str(rv->visit));
	json_object_set_new(f, "visit_version", json_integer(rv->visit_version));
	json_object_set_new(f, "decision", str(rv->decision));
	json_object_set_new(f, "comment", str(rv->comment));
	json_object_set_new(f, "reviewed_at", str(rv->reviewed_at));
	return line_of("review", rv->id, rv->version, f);
}

char *sync_line(const char *table, const char *id, int version, json_t *fields)
{
	return line_of(table, id, version, fields);
}
