/*
 * fieldvisit store: the facts schedules are computed from.
 *
 * Three queries -- the people, the visits that count (sched_fact, whose
 * SQL functions are here too), the alerts not closed -- joined as the
 * rows are read.  Reading everyone, the pages of those tables are asked
 * for ahead and the page cache is kept small: each page is read once.  Every
 * text goes into one arena (offsets while it grows, pointers at the end),
 * so that 100,000 visits are not 200,000 small allocations.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* posix_fadvise */
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data_internal.h"

typedef struct arena {
	fv_buf b;
} arena;

/* Keep column col's text; returns its offset + 1 (0 is "no text"). */
static uintptr_t keep(arena *a, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	int n = sqlite3_column_bytes(st, col);
	uintptr_t off = a->b.len + 1;
	fv_buf_add(&a->b, t ? (const char *)t : "", t ? (size_t)n : 0);
	fv_buf_addc(&a->b, '\0');
	return off;
}

static const char *at(const arena *a, const char *off)
{
	uintptr_t o = (uintptr_t)off;
	return o ? a->b.s + o - 1 : "";
}

/* The date of a "YYYY-MM-DD..." column, or FV_SCHED_NO_DATE. */
static int32_t date_col(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	char day[11];
	int32_t d;
	if (!t || sqlite3_column_bytes(st, col) < 10)
		return FV_SCHED_NO_DATE;
	memcpy(day, t, 10);
	day[10] = '\0';
	return fv_date_parse(day, &d) ? d : FV_SCHED_NO_DATE;
}

/* ------------------------------------------------------------------ */
/* The SQL functions of sched_fact's triggers                          */

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The 16 bytes of t when it is a lower-case UUID (8-4-4-4-12 hex digits),
 * written the only way they read back the same. */
static int uuid_bytes(const unsigned char *t, int n, uint8_t out[16])
{
	if (n != 36)
		return 0;
	for (int i = 0, k = 0; i < 36; k++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (t[i++] != '-')
				return 0;
		}
		int hi = hexval(t[i]), lo = hexval(t[i + 1]);
		if (hi < 0 || lo < 0)
			return 0;
		out[k] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return 1;
}

static void uuid_text(const uint8_t b[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	char *o = out;
	for (int k = 0; k < 16; k++) {
		if (k == 4 || k == 6 || k == 8 || k == 10)
			*o++ = '-';
		*o++ = hex[b[k] >> 4];
		*o++ = hex[b[k] & 15];
	}
	*o = '\0';
}

/* The day of "YYYY-MM-DD..." as date_col reads it. */
static int text_day(const unsigned char *t, int n, int32_t *d)
{
	char day[11];
	if (!t || n < 10)
		return 0;
	memcpy(day, t, 10);
	day[10] = '\0';
	return fv_date_parse(day, d);
}

/*
 * The facts of sched_fact (schema 10): a blob of entries, one per visit
 * that counts, sorted by day, then visit id:
 *
 *   day       int32 LE   the visit date (INT32_MIN: not a date)
 *   duration  int32 LE   minutes, -1 unknown
 *   followup  int32 LE   the follow-up day, INT32_MIN none
 *   tag       u8         0: the id is a lower-case UUID, as its 16 bytes;
 *                        1: the id is its text
 *   idlen     u16 LE     bytes of the id
 *   formlen   u16 LE     bytes of the form id
 *   id        idlen bytes
 *   form      formlen bytes
 *
 * A row holds the visits of one person in one span of 512 days (day /
 * 512, rounded toward zero as C and SQLite divide), so that a reader of
 * recent visits skips older rows and a trigger rewrites a small blob.
 */
enum { ENTRY_HEAD = 17, SPAN_DAYS = 512 };

typedef struct entry {
	const uint8_t *p;   /* the encoded entry */
	size_t n;           /* its length */
	size_t idn, formn;
} entry;

static void put32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;
	p[0] = (uint8_t)u;
	p[1] = (uint8_t)(u >> 8);
	p[2] = (uint8_t)(u >> 16);
	p[3] = (uint8_t)(u >> 24);
}

static int32_t get32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

static size_t get16(const uint8_t *p)
{
	return (size_t)p[0] | (size_t)p[1] << 8;
}

static int32_t value_day(sqlite3_value *v)
{
	int32_t d;
	if (sqlite3_value_type(v) == SQLITE_TEXT &&
	    text_day(sqlite3_value_text(v), sqlite3_value_bytes(v), &d))
		return d;
	return INT32_MIN;
}

/* The entry of one visit (argv: date, id, form id, duration, followup_due)
 * appended to b; 0 when an id is too long to keep. */
static int encode_entry(fv_buf *b, sqlite3_value **argv)
{
	const unsigned char *id = sqlite3_value_text(argv[1]);
	const unsigned char *form = sqlite3_value_text(argv[2]);
	int idn = id ? sqlite3_value_bytes(argv[1]) : 0;
	int formn = form ? sqlite3_value_bytes(argv[2]) : 0;
	uint8_t head[ENTRY_HEAD], uuid[16];
	if (idn > 0xffff || formn > 0xffff)
		return 0;
	int is_uuid = id && uuid_bytes(id, idn, uuid);
	put32(head, value_day(argv[0]));
	put32(head + 4,
	      sqlite3_value_type(argv[3]) == SQLITE_NULL ? -1 : sqlite3_value_int(argv[3]));
	put32(head + 8, value_day(argv[4]));
	head[12] = is_uuid ? 0 : 1;
	if (is_uuid)
		idn = 16;
	head[13] = (uint8_t)idn;
	head[14] = (uint8_t)(idn >> 8);
	head[15] = (uint8_t)formn;
	head[16] = (uint8_t)(formn >> 8);
	fv_buf_add(b, (const char *)head, sizeof head);
	if (is_uuid)
		fv_buf_add(b, (const char *)uuid, sizeof uuid);
	else if (idn)
		fv_buf_add(b, (const char *)id, (size_t)idn);
	if (formn)
		fv_buf_add(b, (const char *)form, (size_t)formn);
	return 1;
}

/* The entry at blob + at (n bytes in all) into *e; 0 when there is none
 * whole there. */
static int entry_at(const uint8_t *blob, size_t n, size_t at, entry *e)
{
	if (n - at < ENTRY_HEAD)
		return 0;
	const uint8_t *p = blob + at;
	size_t idn = get16(p + 13), formn = get16(p + 15);
	if (n - at - ENTRY_HEAD < idn + formn || p[12] > 1 || (p[12] == 0 && idn != 16))
		return 0;
	*e = (entry){p, ENTRY_HEAD + idn + formn, idn, formn};
	return 1;
}

/* Split blob (n bytes) into entries: a new array in *out, their count in
 * *count; 0 when the blob is not a list of entries. */
static int split(const uint8_t *blob, size_t n, entry **out, size_t *count)
{
	size_t cap = 0, k = 0, at = 0;
	entry *e = NULL, one;
	while (at < n && entry_at(blob, n, at, &one)) {
		e = fv_xgrow(e, &cap, k + 1, sizeof *e);
		e[k++] = one;
		at += one.n;
	}
	*out = e;
	*count = k;
	return at == n;
}

/* The visit id of e against that of f: tag, length, bytes. */
static int cmp_id(const entry *e, const entry *f)
{
	if (e->p[12] != f->p[12])
		return e->p[12] < f->p[12] ? -1 : 1;
	if (e->idn != f->idn)
		return e->idn < f->idn ? -1 : 1;
	return memcmp(e->p + ENTRY_HEAD, f->p + ENTRY_HEAD, e->idn);
}

static int cmp_entry(const void *x, const void *y)
{
	const entry *a = x, *b = y;
	int32_t da = get32(a->p), db = get32(b->p);
	if (da != db)
		return da < db ? -1 : 1;
	return cmp_id(a, b);
}

/* The entries e (n) in order, as the result of cx. */
static void result_entries(sqlite3_context *cx, entry *e, size_t n)
{
	size_t total = 0;
	qsort(e, n, sizeof *e, cmp_entry);
	for (size_t i = 0; i < n; i++)
		total += e[i].n;
	uint8_t *out = fv_xmalloc(total ? total : 1);
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(out + at, e[i].p, e[i].n);
		at += e[i].n;
	}
	sqlite3_result_blob64(cx, out, total, free);
}

static const char too_long[] = "a visit or form id too long for the schedule facts";
static const char damaged[] = "damaged schedule facts";

/* fv_pack_one(date, id, form_id, duration, followup_due): one entry. */
static void sql_pack_one(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	fv_buf b;
	(void)argc;
	fv_buf_init(&b);
	if (encode_entry(&b, argv))
		sqlite3_result_blob64(cx, b.s, b.len, SQLITE_TRANSIENT);
	else
		sqlite3_result_error(cx, too_long, -1);
	fv_buf_release(&b);
}

/* fv_pack_put(facts, entries): facts with entries in, each in place of
 * the entry of the same visit. */
static void sql_pack_put(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	entry *old = NULL, *add = NULL;
	size_t nold = 0, nadd = 0;
	(void)argc;
	if (!split(sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]), &old, &nold) ||
	    !split(sqlite3_value_blob(argv[1]), (size_t)sqlite3_value_bytes(argv[1]), &add, &nadd)) {
		sqlite3_result_error(cx, damaged, -1);
	} else {
		size_t cap = 0, k = 0;
		entry *all = NULL;
		for (size_t i = 0; i < nold; i++) {
			size_t j = 0;
			while (j < nadd && cmp_id(&old[i], &add[j]) != 0)
				j++;
			if (j == nadd) {
				all = fv_xgrow(all, &cap, k + 1, sizeof *all);
				all[k++] = old[i];
			}
		}
		for (size_t j = 0; j < nadd; j++) {
			all = fv_xgrow(all, &cap, k + 1, sizeof *all);
			all[k++] = add[j];
		}
		result_entries(cx, all, k);
		free(all);
	}
	free(old);
	free(add);
}

/* fv_pack_del(facts, id): facts without the entry of visit id. */
static void sql_pack_del(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	entry *e = NULL, gone;
	size_t n = 0;
	fv_buf key;
	(void)argc;
	fv_buf_init(&key);
	/* an entry made from the id alone (its other fields are made from the
	 * id too, and are not compared): only its id part is used */
	sqlite3_value *args[5] = {argv[1], argv[1], argv[1], argv[1], argv[1]};
	int have = encode_entry(&key, args) &&
		   entry_at((const uint8_t *)key.s, key.len, 0, &gone);
	if (!split(sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]), &e, &n)) {
		sqlite3_result_error(cx, damaged, -1);
	} else {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!have || cmp_id(&e[i], &gone) != 0)
				e[k++] = e[i];
		result_entries(cx, e, k);
	}
	fv_buf_release(&key);
	free(e);
}

/* fv_pack_agg(date, id, form_id, duration, followup_due): the entries of
 * a group, in order. */
static void sql_pack_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	fv_buf *b = sqlite3_aggregate_context(cx, sizeof *b);
	(void)argc;
	if (!b) {
		sqlite3_result_error_nomem(cx);
		return;
	}
	if (!b->s)
		fv_buf_init(b);
	if (!encode_entry(b, argv))
		sqlite3_result_error(cx, too_long, -1);
}

static void sql_pack_final(sqlite3_context *cx)
{
	fv_buf *b = sqlite3_aggregate_context(cx, 0);
	entry *e = NULL;
	size_t n = 0;
	if (!b || !b->s) {
		sqlite3_result_null(cx);
		return;
	}
	if (split((const uint8_t *)b->s, b->len, &e, &n))
		result_entries(cx, e, n);
	else
		sqlite3_result_error(cx, damaged, -1);
	free(e);
	fv_buf_release(b);
}

/* fv_span(date): day / 512 of a date, of INT32_MIN when it is not one. */
static void sql_span(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_int(cx, value_day(argv[0]) / SPAN_DAYS);
}

int store_sched_functions(sqlite3 *db)
{
	static const struct {
		const char *name;
		int n;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} fns[] = {
		{"fv_span", 1, sql_span},
		{"fv_pack_one", 5, sql_pack_one},
		{"fv_pack_put", 2, sql_pack_put},
		{"fv_pack_del", 2, sql_pack_del},
	};
	const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
	int rc = SQLITE_OK;
	for (size_t i = 0; i < sizeof fns / sizeof fns[0] && rc == SQLITE_OK; i++)
		rc = sqlite3_create_function_v2(db, fns[i].name, fns[i].n, flags, NULL, fns[i].fn,
						NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(db, "fv_pack_agg", 5, flags, NULL, NULL,
						sql_pack_step, sql_pack_final, NULL);
	return rc;
}

/* What sched_fact must hold, as visit_fact and the triggers of schema 10
 * say it, against what it holds. */
#define SCHED_FROM_FACTS                                                                  \
	"SELECT p.rowid, fv_span(f.visit_date),"                                          \
	" fv_pack_agg(f.visit_date, f.id, f.form_id, f.duration, f.followup_due)"         \
	" FROM visit_fact f LEFT JOIN person p ON p.id = f.person_id GROUP BY 1, 2"
#define SCHED_ROWS "SELECT person, span, facts FROM sched_fact"

fv_status store_check_sched(fv_store *s, fv_errors *err)
{
	static const struct {
		const char *sql, *what;
	} checks[] = {
		{"SELECT count(*) FROM (" SCHED_FROM_FACTS " EXCEPT " SCHED_ROWS ")",
		 "people's visits that count differ from their schedule facts"},
		{"SELECT count(*) FROM (" SCHED_ROWS " EXCEPT " SCHED_FROM_FACTS ")",
		 "schedule facts are not those of visits that count"},
	};
	size_t before = err->n;
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		sqlite3_stmt *q = store_prepare(s, checks[i].sql, err);
		if (!q)
			return FV_EIO;
		int rc = sqlite3_step(q);
		sqlite3_int64 n = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
		sqlite3_finalize(q);
		if (rc != SQLITE_ROW)
			return store_error(s, rc, "checking the schedule facts", err);
		if (n)
			fv_errors_add(err, s->path, 0, "integrity: %lld %s", (long long)n,
				      checks[i].what);
	}
	return err->n == before ? FV_OK : FV_EIO;
}

/* ------------------------------------------------------------------ */
/* Reading the facts                                                   */

/* The person of rowid among people (np, ascending rowids), searching on
 * from *ip: rows come in rowid order too.  NULL for a row of no one. */
static fv_sched_person *person_by_rowid(fv_sched_person *people, const sqlite3_int64 *rowids,
					size_t np, size_t *ip, sqlite3_int64 rowid)
{
	while (*ip < np) {
		if (rowids[*ip] == rowid)
			return &people[*ip];
		if (rowids[*ip] > rowid)
			return NULL;
		++*ip;
	}
	return NULL;
}

/* The person of the row at q (its column 0, a person id) among people
 * (byid: their indexes in id order, ids still arena offsets), searching on
 * from *ip: rows come in person id order too.  NULL for a row of no one. */
static fv_sched_person *person_of(const arena *a, fv_sched_person *people, const size_t *byid,
				  size_t np, size_t *ip, sqlite3_stmt *q)
{
	const char *id = (const char *)sqlite3_column_text(q, 0);
	if (!id)
		return NULL;
	while (*ip < np) {
		fv_sched_person *p = &people[byid[*ip]];
		int c = strcmp(at(a, p->id), id);
		if (c == 0)
			return p;
		if (c > 0)
			return NULL;
		++*ip;
	}
	return NULL;
}

typedef struct order {
	const char *village, *name, *id;
	size_t index;
} order;

static int cmp_order(const void *a, const void *b)
{
	const order *x = a, *y = b;
	int c = strcmp(x->village, y->village);
	if (!c)
		c = strcmp(x->name, y->name);
	if (!c)
		c = strcmp(x->id, y->id);
	return c;
}

/* people's ids while they are sorted (qsort has no context) */
static const arena *sorting_arena;
static const fv_sched_person *sorting_people;

static int cmp_byid(const void *a, const void *b)
{
	return strcmp(at(sorting_arena, sorting_people[*(const size_t *)a].id),
		      at(sorting_arena, sorting_people[*(const size_t *)b].id));
}

/* The form ids met so far, each kept once in the arena (there are a few
 * forms and 100,000 visits). */
typedef struct forms {
	uintptr_t *id;   /* arena offsets */
	size_t *n;       /* their lengths */
	size_t count, cap, ncap;
} forms;

static uintptr_t form_of(arena *a, forms *f, const uint8_t *form, size_t n)
{
	for (size_t i = 0; i < f->count; i++)
		if (f->n[i] == n && memcmp(a->b.s + f->id[i] - 1, form, n) == 0)
			return f->id[i];
	f->id = fv_xgrow(f->id, &f->cap, f->count + 1, sizeof *f->id);
	f->n = fv_xgrow(f->n, &f->ncap, f->count + 1, sizeof *f->n);
	f->id[f->count] = a->b.len + 1;
	f->n[f->count] = n;
	fv_buf_add(&a->b, (const char *)form, n);
	fv_buf_addc(&a->b, '\0');
	return f->id[f->count++];
}

/* ------------------------------------------------------------------ */
/* Reading ahead                                                       */

enum { PAGE = 4096, PREFETCH_LEVELS = 6 };

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The children of b-tree page pg (its decrypted bytes in page) into
 * *out; 0 when it is not an interior page. */
static int children(uint32_t pg, const uint8_t *page, uint32_t npages, uint32_t **out,
		    size_t *n, size_t *cap)
{
	size_t h = pg == 1 ? 100 : 0;
	if (page[h] != 0x02 && page[h] != 0x05)
		return 0;
	size_t cells = (size_t)page[h + 3] << 8 | page[h + 4];
	for (size_t i = 0; i <= cells; i++) {
		uint32_t child;
		if (i == cells) {
			child = be32(page + h + 8);   /* the right-most pointer */
		} else {
			size_t at = h + 12 + 2 * i;
			if (at + 2 > PAGE)
				return 1;
			size_t cell = (size_t)page[at] << 8 | page[at + 1];
			if (cell + 4 > PAGE)
				continue;
			child = be32(page + cell);
		}
		if (child >= 2 && child <= npages) {
			*out = fv_xgrow(*out, cap, *n + 1, sizeof **out);
			(*out)[(*n)++] = child;
		}
	}
	return 1;
}

/*
 * Ask the system for the pages of the b-trees of tables (their leaves
 * above all) before they are read one by one.  The schedule facts of a
 * store in use are spread over the file (each visit rewrites its
 * person's row), and a cold read of them was one disk wait per page; the
 * pages asked for at once come in parallel.  The interior pages are read
 * through the cipher VFS from the main file (a page newer in the log
 * only gives a hint less); nothing here can fail the read that follows.
 */
size_t store_prefetch_tables(fv_store *s, const char *const *tables, size_t ntables)
{
	sqlite3_file *f = NULL;
	sqlite3_int64 size = 0;
	size_t asked = 0;
	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
	    !f || !f->pMethods || f->pMethods->xFileSize(f, &size) != SQLITE_OK || size < PAGE)
		return 0;
	int fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	uint32_t npages = (uint32_t)(size / PAGE);
	uint8_t *page = fv_xmalloc(PAGE);
	uint32_t *level = NULL, *next = NULL;
	size_t nlevel = 0, levelcap = 0, nnext = 0, nextcap = 0;
	for (size_t t = 0; t < ntables; t++) {
		sqlite3_stmt *q = NULL;
		if (sqlite3_prepare_v2(s->db, "SELECT rootpage FROM sqlite_schema WHERE name = ?1", -1,
				       &q, NULL) != SQLITE_OK)
			break;
		sqlite3_bind_text(q, 1, tables[t], -1, SQLITE_STATIC);
		uint32_t root = sqlite3_step(q) == SQLITE_ROW ? (uint32_t)sqlite3_column_int64(q, 0) : 0;
		sqlite3_finalize(q);
		if (!root || root > npages)
			continue;
		nlevel = 0;
		level = fv_xgrow(level, &levelcap, 1, sizeof *level);
		level[nlevel++] = root;
		/* level by level: the interior pages read, their children asked
		 * for together; a b-tree's leaves are all at one depth */
		for (int depth = 0; depth < PREFETCH_LEVELS && nlevel; depth++) {
			nnext = 0;
			for (size_t i = 0; i < nlevel; i++) {
				if (f->pMethods->xRead(f, page, PAGE, (sqlite3_int64)(level[i] - 1) * PAGE) !=
					    SQLITE_OK ||
				    !children(level[i], page, npages, &next, &nnext, &nextcap))
					break;
			}
			for (size_t i = 0; i < nnext; i++)
				asked += posix_fadvise(fd, (off_t)(next[i] - 1) * PAGE, PAGE,
						       POSIX_FADV_WILLNEED) == 0;
			uint32_t *swap = level;
			size_t swapcap = levelcap;
			level = next;
			levelcap = nextcap;
			nlevel = nnext;
			next = swap;
			nextcap = swapcap;
		}
	}
	free(level);
	free(next);
	free(page);
	close(fd);
	return asked;
}

fv_status fv_store_schedule_facts(fv_store *s, const char *person, int32_t since,
				  fv_schedule_facts *out, fv_errors *err)
{
	arena a;
	size_t pcap = 0, vcap = 0, acap = 0;
	/* rows in rowid order, before the final order */
	fv_sched_person *people = NULL;
	sqlite3_int64 *rowids = NULL;
	uintptr_t *names = NULL, *villages = NULL;
	size_t rowcap = 0, namecap = 0, villcap = 0;
	size_t *byid = NULL;
	forms fm = {0};
	fv_sched_visit *visits = NULL;
	fv_sched_alert *alerts = NULL;
	size_t np = 0, nv = 0, na = 0;
	int rc = SQLITE_DONE;
	fv_status st = FV_OK;

	memset(out, 0, sizeof *out);
	fv_buf_init(&a.b);
	if (!person) {
		static const char *const read[] = {"person", "sched_fact", "alert", "alert_by_person"};
		(void)store_prefetch_tables(s, read, sizeof read / sizeof read[0]);
		store_scan_cache(s, 1);
	}

	/* the people, in the order of their rows (one pass over the table;
	 * in id order it was a seek into the table for each) */
	sqlite3_stmt *q = store_prepare(s,
		person ? "SELECT rowid, id, name, village, categories, status, status_date,"
			 " created_at FROM person WHERE id = ?1"
		       : "SELECT rowid, id, name, village, categories, status, status_date,"
			 " created_at FROM person ORDER BY rowid", err);
	if (!q) {
		st = FV_EIO;
		goto fail;
	}
	if (person)
		sqlite3_bind_text(q, 1, person, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		people = fv_xgrow(people, &pcap, np + 1, sizeof *people);
		rowids = fv_xgrow(rowids, &rowcap, np + 1, sizeof *rowids);
		names = fv_xgrow(names, &namecap, np + 1, sizeof *names);
		villages = fv_xgrow(villages, &villcap, np + 1, sizeof *villages);
		fv_sched_person *p = &people[np];
		memset(p, 0, sizeof *p);
		rowids[np] = sqlite3_column_int64(q, 0);
		p->id = (const char *)keep(&a, q, 1);
		names[np] = keep(&a, q, 2);
		villages[np] = keep(&a, q, 3);
		p->categories = (const char *)keep(&a, q, 4);
		const unsigned char *status = sqlite3_column_text(q, 5);
		p->active = status && strcmp((const char *)status, "active") == 0;
		p->status_date = date_col(q, 6);
		p->since = date_col(q, 7);
		np++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		st = store_error(s, rc, "reading people", err);
		goto fail;
	}

	/* the visits that count: the latest version, past the draft, not
	 * returned (sched_fact: visit_fact packed by person, kept by the
	 * schema's triggers) */
	q = store_prepare(s,
		person ? "SELECT person, facts FROM sched_fact WHERE person = ?2 AND span >= ?1"
		       : "SELECT person, facts FROM sched_fact WHERE span >= ?1 ORDER BY person",
		err);
	if (!q) {
		st = FV_EIO;
		goto fail;
	}
	sqlite3_bind_int(q, 1, since / SPAN_DAYS);
	if (person)
		sqlite3_bind_int64(q, 2, np ? rowids[0] : -1);
	size_t ip = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		/* joined as it is read: rows and people are both in rowid
		 * order, so a row's person is the next one with its rowid */
		fv_sched_person *p =
			person_by_rowid(people, rowids, np, &ip, sqlite3_column_int64(q, 0));
		if (!p)
			continue;
		const uint8_t *b = sqlite3_column_blob(q, 1);
		size_t n = (size_t)sqlite3_column_bytes(q, 1), at = 0;
		entry e;
		while (at < n) {
			if (!entry_at(b, n, at, &e)) {
				sqlite3_finalize(q);
				fv_errors_add(err, s->path, 0,
					      "the schedule facts are damaged ('fieldvisit check')");
				st = FV_EIO;
				goto fail;
			}
			at += e.n;
			int32_t day = get32(e.p);
			if (day == INT32_MIN || day < since)
				continue;
			visits = fv_xgrow(visits, &vcap, nv + 1, sizeof *visits);
			fv_sched_visit *v = &visits[nv];
			v->date = day;
			v->duration = get32(e.p + 4);
			v->followup_due = get32(e.p + 8);
			v->form_id = (const char *)form_of(&a, &fm, e.p + ENTRY_HEAD + e.idn, e.formn);
			v->id = (const char *)(uintptr_t)(a.b.len + 1);
			if (e.p[12] == 0) {
				char id[37];
				uuid_text(e.p + ENTRY_HEAD, id);
				fv_buf_add(&a.b, id, sizeof id);
			} else {
				fv_buf_add(&a.b, (const char *)e.p + ENTRY_HEAD, e.idn);
				fv_buf_addc(&a.b, '\0');
			}
			if (!p->nvisits++)
				p->visits = (const fv_sched_visit *)(uintptr_t)nv;
			if (p->since == FV_SCHED_NO_DATE || v->date < p->since)
				p->since = v->date;
			nv++;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		st = store_error(s, rc, "reading visits", err);
		goto fail;
	}

	/* the people in id order, for the alerts */
	byid = fv_xmalloc((np ? np : 1) * sizeof *byid);
	for (size_t i = 0; i < np; i++)
		byid[i] = i;
	sorting_arena = &a;
	sorting_people = people;
	qsort(byid, np, sizeof *byid, cmp_byid);
	sorting_arena = NULL;
	sorting_people = NULL;

	/* the alerts not closed, dated by the day they were raised (a join to
	 * the visit that raised them would read one page of the big visit
	 * table per alert) */
	q = store_prepare(s,
		"SELECT person_id, id, kind, raised_at FROM alert"
		" WHERE state <> 'closed' AND (?1 IS NULL OR person_id = ?1)"
		" ORDER BY person_id", err);
	if (!q) {
		st = FV_EIO;
		goto fail;
	}
	if (person)
		sqlite3_bind_text(q, 1, person, -1, SQLITE_TRANSIENT);
	ip = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		fv_sched_person *p = person_of(&a, people, byid, np, &ip, q);
		if (!p)
			continue;
		alerts = fv_xgrow(alerts, &acap, na + 1, sizeof *alerts);
		alerts[na].id = (const char *)keep(&a, q, 1);
		alerts[na].kind = (const char *)keep(&a, q, 2);
		alerts[na].raised = date_col(q, 3);
		if (!p->nalerts++)
			p->alerts = (const fv_sched_alert *)(uintptr_t)na;
		na++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		st = store_error(s, rc, "reading alerts", err);
		goto fail;
	}

	/* the arena is final: offsets become pointers */
	for (size_t i = 0; i < np; i++) {
		people[i].id = at(&a, people[i].id);
		people[i].categories = at(&a, people[i].categories);
	}
	for (size_t i = 0; i < nv; i++) {
		visits[i].id = at(&a, visits[i].id);
		visits[i].form_id = at(&a, visits[i].form_id);
	}
	for (size_t i = 0; i < na; i++) {
		alerts[i].id = at(&a, alerts[i].id);
		alerts[i].kind = at(&a, alerts[i].kind);
	}

	/* indexes become pointers */
	for (size_t i = 0; i < np; i++) {
		fv_sched_person *p = &people[i];
		p->visits = p->nvisits ? &visits[(uintptr_t)p->visits] : NULL;
		p->alerts = p->nalerts ? &alerts[(uintptr_t)p->alerts] : NULL;
	}

	/* the final order: village, name */
	order *ord = fv_xmalloc((np ? np : 1) * sizeof *ord);
	for (size_t i = 0; i < np; i++)
		ord[i] = (order){at(&a, (const char *)villages[i]), at(&a, (const char *)names[i]),
				 people[i].id, i};
	qsort(ord, np, sizeof *ord, cmp_order);
	out->people = fv_xmalloc((np ? np : 1) * sizeof *out->people);
	out->names = fv_xmalloc((np ? np : 1) * sizeof *out->names);
	out->villages = fv_xmalloc((np ? np : 1) * sizeof *out->villages);
	for (size_t i = 0; i < np; i++) {
		out->people[i] = people[ord[i].index];
		out->names[i] = (char *)ord[i].name;
		out->villages[i] = (char *)ord[i].village;
	}
	free(ord);
	out->n = np;
	out->visits = visits;
	out->nvisits = nv;
	out->alerts = alerts;
	out->nalerts = na;
	out->nstrings = 1;
	out->strings = fv_xmalloc(sizeof *out->strings);
	out->strings[0] = fv_buf_take(&a.b);
	free(people);
	free(rowids);
	free(names);
	free(villages);
	free(byid);
	free(fm.id);
	free(fm.n);
	if (!person)
		store_scan_cache(s, 0);
	return FV_OK;

fail:
	free(people);
	free(rowids);
	free(names);
	free(villages);
	free(byid);
	free(fm.id);
	free(fm.n);
	free(visits);
	free(alerts);
	fv_buf_release(&a.b);
	if (!person)
		store_scan_cache(s, 0);
	return st;
}

void fv_schedule_facts_release(fv_schedule_facts *f)
{
	if (!f)
		return;
	free(f->people);
	free(f->names);
	free(f->villages);
	free(f->visits);
	free(f->alerts);
	for (size_t i = 0; i < f->nstrings; i++)
		free(f->strings[i]);
	free(f->strings);
	memset(f, 0, sizeof *f);
}
