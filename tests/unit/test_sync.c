/*
 * Unit tests of sync: the vault's bundle primitives (src/vault/sign.c),
 * the bundle format (src/sync/bundle.c, records.c) and import into real
 * stores (src/sync/sync.c, src/store/sync.c).
 *
 *   - a supervisor and a worker are made through the API (invitation,
 *     join, hello), the worker submits visits and writes an up-bundle;
 *   - tampering: the bundle with one byte flipped at 2,000 positions
 *     spread over the file (every byte of the header and the trailer
 *     among them) and cut at 200 lengths: every variant is refused with
 *     one line naming the file, and a dump of every table of the
 *     supervisor's store is the same before and after;
 *   - the bad-bundle corpus: tests/corpus/bundles/errors.txt names each
 *     case and the exact one-line error it must give; the cases are built
 *     here, signed with the worker's real key where the case needs a good
 *     signature (a damaged chunk, a stream without its last chunk, a zip
 *     bomb, an invalid record, a conflict...);
 *   - the same (id, version) with other content is a conflict kept aside.
 *
 * FV_KEEP=1 keeps the folder of the stores and bundles.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fieldvisit/forms.h"
#include "fieldvisit/rules.h"
#include "fieldvisit/store.h"
#include "fieldvisit/sync.h"
#include "../../src/store/store_internal.h"
#include "tap.h"
#include "errs.h"

#define PASS "correct horse battery"

static char *dir;

static const char *srcdir(void)
{
	const char *s = getenv("FV_SRCDIR");
	return s && *s ? s : FV_SRCDIR;
}

static char *path_in(const char *name)
{
	return fv_xasprintf("%s/%s", dir, name);
}

static void write_bytes(const char *path, const void *p, size_t n)
{
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(p, 1, n, fp) != n || fclose(fp) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(99);
	}
}

static uint8_t *read_bytes(const char *path, size_t *n)
{
	char *text;
	fv_errors e;
	fv_errors_init(&e);
	if (fv_read_file(path, &text, n, &e) != FV_OK) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(99);
	}
	fv_errors_release(&e);
	return (uint8_t *)text;
}

/* Every table of the store, every row, as text. */
static char *dump(fv_store *s)
{
	fv_buf b;
	sqlite3_stmt *t, *r;
	fv_buf_init(&b);
	if (sqlite3_prepare_v2(s->db, "SELECT name FROM sqlite_schema WHERE type = 'table'"
			       " ORDER BY name", -1, &t, NULL) != SQLITE_OK)
		return fv_buf_take(&b);
	while (sqlite3_step(t) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(t, 0);
		char *sql = fv_xasprintf("SELECT * FROM \"%s\" ORDER BY 1, 2", name);
		fv_buf_addf(&b, "[%s]\n", name);
		if (sqlite3_prepare_v2(s->db, sql, -1, &r, NULL) == SQLITE_OK) {
			while (sqlite3_step(r) == SQLITE_ROW) {
				for (int c = 0; c < sqlite3_column_count(r); c++) {
					const unsigned char *v = sqlite3_column_text(r, c);
					fv_buf_addf(&b, "%s|", v ? (const char *)v : "NULL");
				}
				fv_buf_addc(&b, '\n');
			}
			sqlite3_finalize(r);
		}
		free(sql);
	}
	sqlite3_finalize(t);
	return fv_buf_take(&b);
}

/* ------------------------------------------------------------------ */
/* The vault's primitives                                              */

static void test_vault(void)
{
	vault_key *seed, *box, *k, *opened;
	uint8_t pk[32], bpk[32], pk2[32], sig[64], sealed[80], id[8], h1[64], h2[64];
	char fp[VAULT_FINGERPRINT_BYTES];
	const char msg[] = "a visit record";

	vault_sign_keypair(&seed, pk);
	vault_sign_public(seed, pk2);
	ok(memcmp(pk, pk2, 32) == 0, "the public key of a seed is the one made with it");
	vault_sign(seed, msg, sizeof msg, sig);
	ok(vault_sign_verify(pk, msg, sizeof msg, sig), "a signature verifies");
	sig[5] ^= 1;
	ok(!vault_sign_verify(pk, msg, sizeof msg, sig), "a changed signature does not");
	sig[5] ^= 1;
	ok(!vault_sign_verify(pk, msg, sizeof msg - 1, sig), "nor one over other bytes");

	vault_box_keypair(&box, bpk);
	vault_box_public(box, pk2);
	ok(memcmp(bpk, pk2, 32) == 0, "the public half of a box key");
	k = vault_key_random();
	ok(vault_seal_key(k, bpk, sealed) == 0, "a key sealed to a box key");
	opened = vault_seal_open_key(sealed, box, bpk);
	ok(opened && memcmp(vault_key_bytes(opened), vault_key_bytes(k), 32) == 0,
	   "and opened with its secret half");
	vault_key_free(opened);
	sealed[40] ^= 1;
	ok(!vault_seal_open_key(sealed, box, bpk), "a changed sealed key does not open");

	vault_key_id(pk, id);
	vault_hash(h1, 32, pk, 32);
	ok(memcmp(id, h1, 8) == 0, "the key id is the first 8 bytes of BLAKE2b-256");
	vault_fingerprint((const uint8_t *)"\x01\x23\x45\x67\x89\xab\xcd\xef", fp);
	is_str(fp, "0123-4567-89ab-cdef", "a fingerprint is four groups of hex");

	vault_hasher *h = vault_hasher_new();
	vault_hasher_update(h, "ab", 2);
	vault_hasher_update(h, "c", 1);
	vault_hasher_final(h, h1);
	vault_hash(h2, 64, "abc", 3);
	ok(memcmp(h1, h2, 64) == 0, "streaming BLAKE2b-512 is BLAKE2b-512");

	uint8_t head[24], c1[3 + 17], c2[2 + 17], p[3];
	int final;
	vault_stream *st = vault_stream_push_new(k, head);
	vault_stream_push(st, (const uint8_t *)"abc", 3, 0, c1);
	vault_stream_push(st, (const uint8_t *)"de", 2, 1, c2);
	vault_stream_free(st);
	st = vault_stream_pull_new(k, head);
	ok(vault_stream_pull(st, c1, sizeof c1, p, &final) == 0 && !final &&
	   memcmp(p, "abc", 3) == 0, "a chunk decrypts");
	ok(vault_stream_pull(st, c2, sizeof c2, p, &final) == 0 && final, "the last one is final");
	vault_stream_free(st);
	st = vault_stream_pull_new(k, head);
	ok(vault_stream_pull(st, c2, sizeof c2, p, &final) != 0, "chunks out of order do not");
	vault_stream_free(st);

	uint8_t sealed_msg[5 + 40], back[5];
	vault_aead_seal(k, "ad", 2, (const uint8_t *)"hello", 5, sealed_msg);
	ok(vault_aead_open(k, "ad", 2, sealed_msg, sizeof sealed_msg, back) == 0 &&
	   memcmp(back, "hello", 5) == 0, "aead round trip");
	ok(vault_aead_open(k, "AD", 2, sealed_msg, sizeof sealed_msg, back) != 0,
	   "other associated data does not open");
	vault_key_free(k);
	vault_key_free(seed);
	vault_key_free(box);
}

/* ------------------------------------------------------------------ */
/* The format                                                          */

static int sink_buf(void *ctx, const void *p, size_t n, fv_errors *e)
{
	(void)e;
	fv_buf_add(ctx, p, n);
	return 0;
}

typedef struct lines {
	size_t n;
	fv_buf all;
} lines;

static int collect(void *ctx, const char *line, size_t len, fv_errors *e)
{
	lines *l = ctx;
	(void)e;
	l->n++;
	fv_buf_add(&l->all, line, len);
	fv_buf_addc(&l->all, '\n');
	return 0;
}

/* Sign header + body of buf again with seed (after a test changed it). */
static void resign(uint8_t *buf, size_t len, const vault_key *seed)
{
	uint8_t hash[64];
	vault_hasher *h = vault_hasher_new();
	vault_hasher_update(h, buf, len - 64);
	vault_hasher_final(h, hash);
	vault_sign(seed, hash, sizeof hash, buf + len - 64);
}

static void test_format(void)
{
	vault_key *seed, *box;
	uint8_t pk[32], bpk[32], hash[64], enc[FV_BUNDLE_HEADER_BYTES];
	fv_bundle_header h, back;
	fv_bundle_writer *w;
	fv_bundle_info info;
	fv_buf file, text;
	lines got = {0};
	uint64_t x = 88172645463325252ull;

	vault_sign_keypair(&seed, pk);
	vault_box_keypair(&box, bpk);
	memset(&h, 0, sizeof h);
	h.version = 1;
	h.kind = FV_BUNDLE_UP;
	memset(h.id, 7, 16);
	vault_key_id(pk, h.sender);
	memcpy(h.sender_pk, pk, 32);
	memset(h.recipient, 9, 8);
	h.seq = 3;
	memset(h.prev_hash, 5, 64);
	h.created = 1795000000;
	fv_bundle_header_encode(&h, enc);
	ok(memcmp(enc, "FVBNDL01\x01\x00\x02", 11) == 0, "header: magic, version 1, kind up");

	fv_buf_init(&file);
	fv_buf_init(&text);
	fv_buf_init(&got.all);
	ok(fv_bundle_writer_new(&h, bpk, sink_buf, &file, &w, &err) == FV_OK, "a writer");
	/* 3 MB of lines that do not compress much: several chunks */
	for (int i = 0; i < 30000; i++) {
		char line[128];
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int n = snprintf(line, sizeof line, "{\"n\":%d,\"x\":\"%016llx%016llx\"}", i,
				 (unsigned long long)x, (unsigned long long)(x * 31));
		fv_bundle_writer_add(w, line, (size_t)n);
		fv_buf_add(&text, line, (size_t)n);
		fv_buf_addc(&text, '\n');
	}
	ok(fv_bundle_writer_finish(w, seed, hash, &err) == FV_OK, "finished and signed");
	fv_bundle_writer_free(w);
	ok(file.len > FV_BUNDLE_HEADER_BYTES + 3 * (FV_BUNDLE_CHUNK + 17), "more than 3 chunks"
	   " (%zu bytes)", file.len);
	ok(fv_bundle_check("b", (uint8_t *)file.s, file.len, &info, &err) == FV_OK && info.sig_ok,
	   "its header parses and its signature is valid");
	ok(memcmp(info.hash, hash, 64) == 0, "the hash is the writer's");
	ok(fv_bundle_header_parse("b", (uint8_t *)file.s, file.len, &back, &err) == FV_OK &&
	   back.seq == 3 && back.created == 1795000000 && memcmp(back.prev_hash, h.prev_hash, 64) == 0,
	   "the header reads back");
	ok(fv_bundle_records("b", (uint8_t *)file.s, file.len, box, bpk, 0, collect, &got, NULL,
			     NULL, &err) == FV_OK, "the records decrypt and inflate");
	ok(got.n == 30000 && got.all.len == text.len && memcmp(got.all.s, text.s, text.len) == 0,
	   "every line comes back as written (%zu)", got.n);
	reset();
	ok(fv_bundle_records("b", (uint8_t *)file.s, file.len, box, bpk, 1 << 20, collect, &got,
			     NULL, NULL, &err) == FV_EINVAL &&
	   has_line("b: too large when inflated (more than 1048576 bytes)"),
	   "the inflation cap stops it");
	reset();

	/* a damaged chunk under a valid signature */
	file.s[FV_BUNDLE_HEADER_BYTES + 24 + FV_BUNDLE_CHUNK + 17 + 100] ^= 1;
	resign((uint8_t *)file.s, file.len, seed);
	got.n = 0;
	fv_buf_reset(&got.all);
	ok(fv_bundle_records("b", (uint8_t *)file.s, file.len, box, bpk, 0, collect, &got, NULL,
			     NULL, &err) == FV_EINVAL && has_line("b: damaged chunk 2"),
	   "a changed byte in chunk 2, signed again: damaged chunk 2");
	reset();

	/* parse errors */
	const struct { size_t at; uint8_t v; const char *want; } cases[] = {
		{0, 'X', "b: not a fieldvisit bundle"},
		{8, 2, "b: unknown bundle version 2 (this fieldvisit reads version 1)"},
		{10, 9, "b: unknown bundle kind 9"},
		{30, 0xff, "b: the sender key id does not match the sender's key"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t copy[FV_BUNDLE_MIN_BYTES];
		memcpy(copy, file.s, sizeof copy);
		copy[cases[i].at] = cases[i].v;
		ok(fv_bundle_header_parse("b", copy, sizeof copy, &back, &err) == FV_EINVAL &&
		   has_line(cases[i].want), "header: %s", cases[i].want);
		reset();
	}
	ok(fv_bundle_header_parse("b", (uint8_t *)file.s, 300, &back, &err) == FV_EINVAL &&
	   has_line("b: truncated (300 bytes; a bundle has at least 340)"), "a short file");
	reset();
	lines l2 = {0};
	fv_buf_init(&l2.all);
	ok(fv_bundle_split_lines("s", "{}\n{}", 5, collect, &l2, &err) == FV_EINVAL &&
	   has_line("s: the last record has no line end"), "a stream must end with a line end");
	reset();
	fv_buf_release(&l2.all);
	fv_buf_release(&file);
	fv_buf_release(&text);
	fv_buf_release(&got.all);
	vault_key_free(seed);
	vault_key_free(box);
}

/* ------------------------------------------------------------------ */
/* Stores                                                              */

static fv_store *sup, *wk, *other;
static char *up_path;     /* the worker's first up-bundle */
static char visit_id[FV_ID_BYTES], person_id[FV_ID_BYTES];

static fv_store *make_store(const char *name, fv_role role, const uint8_t *rpk)
{
	char *path = path_in(name), *forms = fv_xasprintf("%s/forms", srcdir());
	uint8_t pk[32];
	fv_store_init in = {role, name, PASS, vault_pw_fast(), rpk ? rpk : pk};
	fv_store *s = NULL;
	vault_random(pk, sizeof pk);
	if (fv_store_create(path, &in, forms, &s, &err) != FV_OK)
		show_errors("making a store");
	free(path);
	free(forms);
	return s;
}

static fv_store *enrol(const char *name, fv_store *lead)
{
	fv_rules *rules = NULL;
	char *rdir = fv_xasprintf("%s/assets/rules", srcdir()), *inv_path, *hello;
	char code[FV_INVITE_CODE_BYTES];
	fv_invitation *inv = NULL;
	fv_sync_report rep;
	fv_store *s = NULL;
	if (fv_rules_load_dir(rdir, &rules, &err) != FV_OK ||
	    fv_sync_invite(lead, name, "Dongcun", rules, dir, &inv_path, code, &err) != FV_OK ||
	    fv_invitation_open(inv_path, code, &inv, &err) != FV_OK) {
		show_errors("inviting");
		exit(99);
	}
	s = make_store(name, FV_ROLE_WORKER, fv_invitation_recovery_pk(inv));
	if (!s || fv_sync_join(s, inv, dir, &hello, &err) != FV_OK ||
	    fv_sync_import(lead, hello, NULL, &rep, &err) != FV_OK) {
		show_errors("joining");
		exit(99);
	}
	fv_sync_report_release(&rep);
	fv_invitation_free(inv);
	fv_rules_free(rules);
	free(rdir);
	free(inv_path);
	free(hello);
	return s;
}

static void submit(fv_store *s, const char *person, char id[FV_ID_BYTES])
{
	fv_form *f;
	fv_answers a = {0};
	static const char *const q[] = {"q1", "q2", "q3", "q4", "q5", "q6", "q7"};
	fv_visit_input vi = {person, "2026-11-19T09:00", "2026-11-19T10:00", "comfort"};
	if (fv_store_form_load(s, "gad7", &f, &err) != FV_OK)
		exit(99);
	for (size_t i = 0; i < 7; i++)
		fv_answers_add(&a, q[i], i == 2 ? "2" : "1");
	if (fv_visit_submit(s, f, &vi, &a, id, &err) != FV_OK)
		show_errors("submitting");
	fv_answers_release(&a);
	fv_form_free(f);
}

static void setup_stores(void)
{
	fv_person_input p = {"Li Xiuying", "female", "1949-12-31", "11010519491231002X", "",
			     "Dongcun", "", "gaoling", {NULL, NULL}, {NULL, NULL}, NULL};
	fv_sync_file *files;
	size_t n;
	uint8_t rpk[32];
	vault_random(rpk, sizeof rpk);
	sup = make_store("sup", FV_ROLE_SUPERVISOR, rpk);
	ok(sup && fv_sync_team_create(sup, rpk, &err) == FV_OK, "a supervisor's team");
	wk = enrol("worker", sup);
	ok(wk != NULL, "a worker enrolled (invitation, join, hello)");
	ok(fv_person_add(wk, &p, person_id, &err) == FV_OK, "the worker registers a person");
	for (int i = 0; i < 3; i++)
		submit(wk, person_id, visit_id);
	ok(fv_sync_export(wk, dir, NULL, &files, &n, &err) == FV_OK && n == 1,
	   "the worker writes an up-bundle");
	up_path = fv_xstrdup(n ? files[0].path : "");
	fv_sync_files_free(files, n);
	other = make_store("other", FV_ROLE_SUPERVISOR, rpk);
	ok(other && fv_sync_team_create(other, rpk, &err) == FV_OK, "a supervisor of another team");
	reset();
}

/* ------------------------------------------------------------------ */
/* Tampering                                                           */

static void test_tamper(void)
{
	size_t len, refused = 0, one_line = 0, named = 0;
	uint8_t *orig = read_bytes(up_path, &len);
	char *variant = path_in("variant.fvb");
	char *before = dump(sup), *after;
	size_t positions[2000], np = 0;

	/* all of the header and trailer, the rest spread over the body */
	for (size_t i = 0; i < FV_BUNDLE_HEADER_BYTES; i++)
		positions[np++] = i;
	for (size_t i = len - FV_BUNDLE_TRAILER_BYTES; i < len; i++)
		positions[np++] = i;
	size_t body = len - FV_BUNDLE_HEADER_BYTES - FV_BUNDLE_TRAILER_BYTES, left = 2000 - np;
	for (size_t k = 0; k < left; k++)
		positions[np++] = FV_BUNDLE_HEADER_BYTES + k * body / left;
	ok(np == 2000, "2000 positions (%zu bytes of body)", body);

	for (size_t k = 0; k < np + 200; k++) {
		fv_sync_report rep;
		size_t n = len;
		uint8_t *v = fv_xmalloc(len);
		memcpy(v, orig, len);
		if (k < np)
			v[positions[k]] ^= (uint8_t)(1u << (k % 8));
		else
			n = (k - np) * (len - 1) / 199;   /* 0 .. len - 1 */
		write_bytes(variant, v, n);
		free(v);
		reset();
		fv_status st = fv_sync_import(sup, variant, NULL, &rep, &err);
		fv_sync_report_release(&rep);
		refused += st == FV_EINVAL;
		one_line += err.n == 1;
		named += err.n >= 1 && strncmp(err.lines[0], variant, strlen(variant)) == 0;
		if (st != FV_EINVAL || err.n != 1) {
			diag("variant %zu (%s %zu): status %d", k, k < np ? "flip at" : "cut to",
			     k < np ? positions[k] : n, (int)st);
			show_errors("for this variant");
		}
	}
	ok(refused == 2200, "every variant is refused (%zu of 2200)", refused);
	ok(one_line == 2200 && named == 2200, "each with one line naming the file");
	after = dump(sup);
	ok(strcmp(before, after) == 0, "the supervisor's store is the same, every table");
	free(after);

	reset();
	fv_sync_report rep;
	ok(fv_sync_import(sup, up_path, NULL, &rep, &err) == FV_OK && rep.added == 4,
	   "the bundle itself imports (%zu added)", rep.added);
	fv_sync_report_release(&rep);
	free(before);
	free(orig);
	free(variant);
	reset();
}

/* ------------------------------------------------------------------ */
/* The bad-bundle corpus                                               */

/* The previous hash craft() writes (zeros: none). */
static uint8_t craft_prev[64];

/* Build a bundle from the worker to rcpt with lines, signed by the
 * sender from, into path. */
static void craft(const char *path, fv_store *from, fv_store *rcpt, int kind, uint64_t seq,
		  const char *const *ls, size_t n)
{
	fv_sync_self me, to;
	fv_bundle_header h;
	fv_bundle_writer *w;
	fv_buf file;
	uint8_t hash[64];
	if (fv_store_sync_self(from, &me, &err) != FV_OK ||
	    fv_store_sync_self(rcpt, &to, &err) != FV_OK)
		exit(99);
	memset(&h, 0, sizeof h);
	h.version = 1;
	h.kind = (uint8_t)kind;
	vault_random(h.id, 16);
	memcpy(h.sender, me.key_id, 8);
	memcpy(h.sender_pk, me.sign_pk, 32);
	memcpy(h.recipient, to.key_id, 8);
	h.seq = seq;
	memcpy(h.prev_hash, craft_prev, 64);
	h.created = 1795000000;
	fv_buf_init(&file);
	if (fv_bundle_writer_new(&h, to.box_pk, sink_buf, &file, &w, &err) != FV_OK)
		exit(99);
	for (size_t i = 0; i < n; i++)
		fv_bundle_writer_add(w, ls[i], strlen(ls[i]));
	if (fv_bundle_writer_finish(w, me.sign_seed, hash, &err) != FV_OK)
		exit(99);
	fv_bundle_writer_free(w);
	write_bytes(path, file.s, file.len);
	fv_buf_release(&file);
	fv_sync_self_release(&me);
	fv_sync_self_release(&to);
}

/* The worker's stored visit as a record line, with answers replaced. */
static char *visit_line(const char *answers)
{
	fv_visit v;
	if (fv_visit_get(wk, visit_id, 0, &v, &err) != FV_OK)
		exit(99);
	if (answers) {
		free(v.answers);
		v.answers = fv_xstrdup(answers);
	}
	char *line = fv_record_visit_line(&v);
	fv_visit_release(&v);
	return line;
}

static void test_corpus(void)
{
	char *list = fv_xasprintf("%s/tests/corpus/bundles/errors.txt", srcdir());
	size_t len;
	char *text = (char *)read_bytes(list, &len);
	char *good = visit_line(NULL);
	char *bad_answers = visit_line("{\"q1\":\"7\",\"q2\":\"1\",\"q3\":\"2\",\"q4\":\"1\","
				       "\"q5\":\"1\",\"q6\":\"1\",\"q7\":\"1\",\"score\":\"8\","
				       "\"band\":\"mild\"}");
	char *conflict = visit_line("{\"q1\":\"0\",\"q2\":\"0\",\"q3\":\"0\",\"q4\":\"0\","
				    "\"q5\":\"0\",\"q6\":\"0\",\"q7\":\"0\",\"score\":\"0\","
				    "\"band\":\"minimal\"}");
	size_t cases = 0;
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || !*line)
			continue;
		char *tab = strchr(line, '\t');
		if (!tab) {
			ok(0, "errors.txt: no tab in '%s'", line);
			continue;
		}
		*tab = '\0';
		const char *name = line, *want = tab + 1;
		char *path = path_in(name);
		fv_store *into = sup;
		const char *one[1];
		cases++;
		if (strcmp(name, "not-a-bundle.fvb") == 0) {
			write_bytes(path, "PK\x03\x04 a zip file", 15);
		} else if (strcmp(name, "unknown-version.fvb") == 0 ||
			   strcmp(name, "truncated.fvb") == 0 ||
			   strcmp(name, "bad-signature.fvb") == 0) {
			size_t n;
			uint8_t *b = read_bytes(up_path, &n);
			if (name[0] == 'u')
				b[8] = 2;
			else if (name[0] == 'b')
				b[n / 2] ^= 0x10;
			write_bytes(path, b, name[0] == 't' ? 200 : n);
			free(b);
		} else if (strcmp(name, "wrong-recipient.fvb") == 0) {
			one[0] = good;
			craft(path, wk, other, FV_BUNDLE_UP, 9, one, 1);
		} else if (strcmp(name, "unknown-sender.fvb") == 0) {
			one[0] = good;
			craft(path, other, sup, FV_BUNDLE_UP, 1, one, 1);
		} else if (strcmp(name, "wrong-kind.fvb") == 0) {
			one[0] = good;
			craft(path, wk, sup, FV_BUNDLE_DOWN, 9, one, 1);
		} else if (strcmp(name, "zip-bomb.fvb") == 0) {
			/* valid acknowledgements padded with 15 MiB of blanks each:
			 * a few kilobytes that inflate past the 64 MiB cap */
			fv_sync_self me;
			char hexid[17];
			static const char digits[] = "0123456789abcdef";
			if (fv_store_sync_self(sup, &me, &err) != FV_OK)
				exit(99);
			for (int i = 0; i < 8; i++) {
				hexid[2 * i] = digits[me.key_id[i] >> 4];
				hexid[2 * i + 1] = digits[me.key_id[i] & 15];
			}
			hexid[16] = '\0';
			fv_sync_self_release(&me);
			size_t pad = 15u << 20;
			char *l = fv_xmalloc(pad + 128);
			int k = snprintf(l, 128, "{\"table\":\"ack\",\"id\":\"%s\",\"version\":1,",
					 hexid);
			memset(l + k, ' ', pad);
			strcpy(l + k + pad, "\"fields\":{\"seq\":0}}");
			const char *ls[6] = {l, l, l, l, l, l};
			craft(path, wk, sup, FV_BUNDLE_UP, 9, ls, 6);
			free(l);
		} else if (strcmp(name, "invalid-answers.fvb") == 0) {
			one[0] = bad_answers;
			/* a new id, so it is checked, not compared */
			char *l = fv_xstrdup(bad_answers);
			memcpy(strstr(l, visit_id), "00000000", 8);
			one[0] = l;
			craft(path, wk, sup, FV_BUNDLE_UP, 9, one, 1);
			free(l);
		} else if (strcmp(name, "not-json.fvb") == 0) {
			one[0] = "{\"table\": \"visit\", ";
			craft(path, wk, sup, FV_BUNDLE_UP, 9, one, 1);
		} else if (strcmp(name, "unknown-table.fvb") == 0) {
			one[0] = "{\"table\":\"password\",\"id\":\"x\",\"version\":1,\"fields\":{}}";
			craft(path, wk, sup, FV_BUNDLE_UP, 9, one, 1);
		} else if (strcmp(name, "review-upwards.fvb") == 0) {
			one[0] = "{\"table\":\"review\",\"id\":\"x\",\"version\":1,\"fields\":"
				 "{\"author\":\"a\",\"visit\":\"v\",\"visit_version\":1,"
				 "\"decision\":\"approved\",\"reviewed_at\":\"2026-11-20\"}}";
			craft(path, wk, sup, FV_BUNDLE_UP, 9, one, 1);
		} else if (strcmp(name, "replayed.fvb") == 0) {
			size_t n;
			uint8_t *b = read_bytes(up_path, &n);
			write_bytes(path, b, n);
			free(b);
		} else if (strcmp(name, "conflict.fvb") == 0) {
			/* the next bundle in the worker's chain, after the real one */
			fv_bundle_info info;
			size_t n;
			uint8_t *b = read_bytes(up_path, &n);
			if (fv_bundle_check(up_path, b, n, &info, &err) != FV_OK)
				exit(99);
			free(b);
			memcpy(craft_prev, info.hash, 64);
			one[0] = conflict;
			craft(path, wk, sup, FV_BUNDLE_UP, 3, one, 1);   /* next in the chain */
		} else {
			ok(0, "errors.txt: no way to build %s", name);
			free(path);
			continue;
		}
		/* the expected line with FILE, OTHER, ID and NEWID filled in */
		char ofp[VAULT_FINGERPRINT_BYTES], newid[FV_ID_BYTES];
		snprintf(newid, sizeof newid, "00000000%s", visit_id + 8);
		if (fv_sync_fingerprint(other, ofp, &err) != FV_OK)
			exit(99);
		const char *from[] = {"FILE", "OTHER", "NEWID", "ID"};
		const char *to[] = {path, ofp, newid, visit_id};
		char *expect = fv_xstrdup(want);
		for (size_t k = 0; k < 4; k++) {
			char *at;
			while ((at = strstr(expect, from[k]))) {
				char *next = fv_xasprintf("%.*s%s%s", (int)(at - expect), expect, to[k],
							  at + strlen(from[k]));
				free(expect);
				expect = next;
			}
		}
		char *before = dump(into);
		fv_sync_report rep;
		reset();
		fv_status st = fv_sync_import(into, path, NULL, &rep, &err);
		if (strcmp(name, "conflict.fvb") == 0) {
			ok(st == FV_OK && rep.conflicts == 1 && rep.notes.n == 1 &&
			   strcmp(rep.notes.lines[0], expect) == 0, "%s: %s", name, want);
			if (rep.notes.n)
				diag("note: %s", rep.notes.lines[0]);
			fv_conflict *c;
			size_t nc;
			ok(fv_store_sync_conflicts(sup, &c, &nc, &err) == FV_OK && nc == 1 &&
			   strcmp(c[0].id, visit_id) == 0 && strcmp(c[0].record, conflict) == 0,
			   "the conflicting record is kept whole");
			fv_conflict_list_free(c, nc);
			fv_visit v;
			ok(fv_visit_get(sup, visit_id, 1, &v, &err) == FV_OK &&
			   strstr(v.answers, "\"q1\":\"1\""), "the visit here is not overwritten");
			fv_visit_release(&v);
		} else {
			ok(st != FV_OK && err.n == 1 && strcmp(err.lines[0], expect) == 0, "%s: %s",
			   name, want);
			if (err.n != 1 || strcmp(err.lines[0], expect) != 0)
				show_errors(expect);
			char *after = dump(into);
			ok(strcmp(before, after) == 0, "%s: the store is unchanged", name);
			free(after);
		}
		fv_sync_report_release(&rep);
		free(before);
		free(expect);
		free(path);
	}
	ok(cases >= 14, "the corpus has %zu cases", cases);
	free(good);
	free(bad_answers);
	free(conflict);
	free(text);
	free(list);
	reset();
}

/* Remove the folder and what is in it. */
static void remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *p = fv_xasprintf("%s/%s", path, e->d_name);
		unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(path);
}


/* ------------------------------------------------------------------ */
/* Record lines written directly are what jansson writes               */

static json_t *jstr(const char *s)
{
	json_t *j = json_string(s ? s : "");
	return j ? j : json_string("");
}

/* The line as jansson makes it (how fv_record_*_line worked before). */
static char *jansson_line(const char *table, const char *id, int version, json_t *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "table", json_string(table));
	json_object_set_new(o, "id", jstr(id));
	json_object_set_new(o, "version", json_integer(version));
	json_object_set_new(o, "fields", f);
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

static char *jansson_visit(const fv_visit *v)
{
	json_t *f = json_object();
	json_error_t jerr;
	json_t *a = json_loads(v->answers ? v->answers : "{}", 0, &jerr);
	const char *k[] = {"author", "person", "form_id", "form_version"};
	const char *x[] = {v->author, v->person, v->form_id, v->form_version};
	for (size_t i = 0; i < 4; i++)
		json_object_set_new(f, k[i], jstr(x[i]));
	json_object_set_new(f, "answers", a ? a : json_object());
	const char *k2[] = {"checkin", "checkout", "services", "visit_date", "created_at",
			    "submitted_at"};
	const char *x2[] = {v->checkin, v->checkout, v->services, v->visit_date, v->created_at,
			    v->submitted_at};
	for (size_t i = 0; i < 6; i++)
		json_object_set_new(f, k2[i], jstr(x2[i]));
	return jansson_line("visit", v->id, v->version, f);
}

static void test_lines(void)
{
	const char *texts[] = {
		"", "plain", "张三 李四", "quote \" and \\ backslash", "ctl \b\f\n\r\t \x01\x1f\x7f",
		"slash / and \xe2\x80\xa8", "bad utf-8 \xff\xfe", "\xc0\xaf overlong",
		"surrogate \xed\xa0\x80", "emoji \xf0\x9f\x98\x80",
	};
	const char *answers[] = {
		"{}", "{\"q1\":\"1\",\"score\":\"3\"}", "{\"q1\":\"a\\\"b\\\\c\\n\\u001F\\u0001\"}",
		"{\"名字\":\"张三\"}", "{\"q1\": \"1\"}", "{\"q1\":1}", "not json", "",
		"{\"q1\":\"\\u0000\"}", "{\"q1\":\"\\u000A\"}", "{\"q1\":\"\\/\"}",
		"{\"q1\":\"\\u00e9\"}", "{\"q1\":\"x\"", "{\"q1\":\"x\"}}", "{\"q1\":\"\xff\"}",
		"{\"a\":\"1\",\"a\":\"2\"}", "[]", "{\"q1\":\"1\",}",
	};
	size_t nt = sizeof texts / sizeof texts[0], same = 0, total = 0;
	for (size_t i = 0; i < nt; i++) {
		for (size_t j = 0; j < sizeof answers / sizeof answers[0]; j++) {
			fv_visit v = {0};
			v.id = (char *)texts[i];
			v.version = (int)(i + 1);
			v.author = (char *)texts[(i + 1) % nt];
			v.person = (char *)texts[(i + 2) % nt];
			v.form_id = "phq9";
			v.form_version = (char *)texts[(i + 3) % nt];
			v.answers = (char *)answers[j];
			v.checkin = (char *)texts[(i + 4) % nt];
			v.checkout = NULL;
			v.services = (char *)texts[(i + 5) % nt];
			v.visit_date = "2026-11-20";
			v.created_at = (char *)texts[(i + 6) % nt];
			v.submitted_at = (char *)texts[(i + 7) % nt];
			char *mine = fv_record_visit_line(&v), *want = jansson_visit(&v);
			if (strcmp(mine, want) == 0)
				same++;
			else
				diag("visit line differs:\n  %s\n  %s", mine, want);
			total++;
			free(mine);
			free(want);
		}
		fv_person p = {0};
		char **f[] = {&p.author, &p.name, &p.sex, &p.birth, &p.resident_id, &p.phone,
			      &p.village, &p.household, &p.categories, &p.contact_name[0],
			      &p.contact_phone[0], &p.contact_name[1], &p.contact_phone[1],
			      &p.status, &p.status_date, &p.status_reason, &p.created_at,
			      &p.updated_at};
		const char *k[] = {
			"author", "name", "sex", "birth", "resident_id", "phone", "village",
			"household", "categories", "contact1_name", "contact1_phone",
			"contact2_name", "contact2_phone", "status", "status_date",
			"status_reason", "created_at", "updated_at",
		};
		json_t *jf = json_object();
		p.id = (char *)texts[i];
		p.version = 3;
		for (size_t m = 0; m < sizeof f / sizeof f[0]; m++) {
			*f[m] = m == 5 ? NULL : (char *)texts[(i + m) % nt];
			json_object_set_new(jf, k[m], jstr(*f[m]));
		}
		char *mine = fv_record_person_line(&p);
		char *want = jansson_line("person", p.id, p.version, jf);
		if (strcmp(mine, want) == 0)
			same++;
		else
			diag("person line differs:\n  %s\n  %s", mine, want);
		total++;
		free(mine);
		free(want);
	}
	is_num(same, total, "person and visit lines are byte for byte what jansson writes");

	/* and a visit line read back gives its answers as jansson dumps them */
	size_t answers_same = 0, answers_total = 0;
	same = total = 0;
	for (size_t i = 0; i < nt; i++) {
		for (size_t j = 0; j < nt; j++) {
			json_t *a = json_object();
			json_object_set_new(a, "q1", json_string(texts[j]));
			json_object_set_new(a, texts[i], json_string(texts[(j + 1) % nt]));
			json_object_set_new(a, "z", json_string(texts[i]));
			char *want = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
			/* read as answers: the names and values jansson holds */
			fv_answers got = {0};
			fv_errors ae;
			fv_errors_init(&ae);
			int agree = fv_answers_parse("a", want, strlen(want), &got, &ae) == FV_OK &&
				    got.n == json_object_size(a);
			for (size_t k = 0; agree && k < got.n; k++) {
				json_t *x = json_object_get(a, got.items[k].name);
				agree = x && strcmp(json_string_value(x), got.items[k].value) == 0;
			}
			answers_same += agree;
			answers_total++;
			if (!agree)
				diag("answers not read as jansson holds them: %s", want);
			fv_answers_release(&got);
			fv_errors_release(&ae);
			json_decref(a);
			fv_visit v = {0};
			v.id = "v1";
			v.version = 1;
			v.author = v.person = v.form_version = "x";
			v.form_id = "phq9";
			v.answers = want;
			v.checkin = v.services = "";
			v.visit_date = "2026-11-20";
			v.created_at = v.submitted_at = "2026-11-20T10:00:00.000+08:00";
			char *line = fv_record_visit_line(&v);
			fv_record r;
			fv_errors e;
			fv_errors_init(&e);
			if (fv_record_parse(line, strlen(line), 1, &r, &e) == FV_OK) {
				if (strcmp(r.visit.answers, want) == 0)
					same++;
				else
					diag("answers read back differ:\n  %s\n  %s", r.visit.answers,
					     want);
				fv_record_release(&r);
			} else {
				diag("not read: %s", line);
			}
			total++;
			fv_errors_release(&e);
			free(line);
			free(want);
		}
	}
	is_num(same, total, "answers read from a line are byte for byte json_dumps'");
	is_num(answers_same, answers_total, "... and read as answers, what jansson holds");
	/* the forms jansson reads and fieldvisit does not write */
	const char *forms[] = {
		"{\"q1\": \"1\"}", "{\"q1\":\"\\u00e9\\/\\u001f\"}", "{\"q1\":\"\\u001f\"}",
		"{\"q1\":1,\"q2\":[\"a\",2]}", "{\"q1\":\"1\",\"q1\":\"2\"}", "{\"q1\":\"\\u0000\"}",
		"{\"q1\":\"\xff\"}", "{\"q1\":\"1\"} ", "{\"q1\":\"1\",}", "{}", "{\"\":\"\"}",
	};
	const char *want_forms[] = {
		"q1=1;", "q1=\xc3\xa9/\x1f;", "q1=\x1f;", "q1=1;q2=a 2;", "error", "error", "error",
		"q1=1;", "error", "", "=;",
	};
	size_t forms_same = 0;
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		fv_answers got = {0};
		fv_errors ae;
		fv_buf b;
		fv_errors_init(&ae);
		fv_buf_init(&b);
		fv_buf_adds(&b, "");
		if (fv_answers_parse("a", forms[i], strlen(forms[i]), &got, &ae) != FV_OK)
			fv_buf_adds(&b, "error");
		for (size_t k = 0; k < got.n; k++)
			fv_buf_addf(&b, "%s=%s;", got.items[k].name, got.items[k].value);
		if (strcmp(b.s, want_forms[i]) == 0)
			forms_same++;
		else
			diag("%s: %s, want %s", forms[i], b.s, want_forms[i]);
		fv_buf_release(&b);
		fv_answers_release(&got);
		fv_errors_release(&ae);
	}
	is_num(forms_same, sizeof forms / sizeof forms[0], "answers in other forms still read by jansson");
}

static size_t visits_in(fv_store *s)
{
	fv_visit *vs = NULL;
	size_t n = 0;
	if (fv_visit_list(s, NULL, &vs, &n, &err) != FV_OK)
		return (size_t)-1;
	fv_visit_list_free(vs, n);
	return n;
}

/* An import writes visits and receipts 32 to a statement: a bundle of 70
 * more visits (two full statements and a rest), the same records again,
 * and a bundle that repeats a visit record right after it (so the staged
 * visit must be written before the repeat is compared) and then carries
 * one with other content under the same id and version. */
static void test_batches(void)
{
	fv_sync_file *files;
	fv_sync_report rep;
	size_t n;
	char id[FV_ID_BYTES], last[FV_ID_BYTES];
	reset();
	for (int i = 0; i < 70; i++)
		submit(wk, person_id, id);
	ok(fv_sync_export(wk, dir, NULL, &files, &n, &err) == FV_OK && n == 1,
	   "70 more visits in an up-bundle");
	ok(n == 1 && fv_sync_import(sup, files[0].path, NULL, &rep, &err) == FV_OK,
	   "the supervisor imports them");
	ok(rep.added >= 70 && visits_in(sup) == visits_in(wk),
	   "every visit is here once (%zu added, %zu here, %zu there)", rep.added, visits_in(sup),
	   visits_in(wk));
	size_t records = rep.records;
	fv_sync_report_release(&rep);
	fv_sync_files_free(files, n);
	ok(fv_sync_export(wk, dir, NULL, &files, &n, &err) == FV_OK && n == 1 &&
	   fv_sync_import(sup, files[0].path, NULL, &rep, &err) == FV_OK,
	   "the same records again, in another bundle");
	ok(rep.added == 0 && rep.conflicts == 0 && rep.same == records && rep.same >= 70,
	   "... are all here already (%zu same of %zu)", rep.same, records);
	fv_sync_report_release(&rep);
	fv_sync_files_free(files, n);

	submit(wk, person_id, last);
	fv_visit v;
	if (fv_visit_get(wk, last, 0, &v, &err) != FV_OK)
		exit(99);
	char *line = fv_record_visit_line(&v);
	free(v.answers);
	v.answers = fv_xstrdup("{\"q1\":\"0\",\"q2\":\"0\",\"q3\":\"0\",\"q4\":\"0\",\"q5\":\"0\","
			       "\"q6\":\"0\",\"q7\":\"0\",\"score\":\"0\",\"band\":\"minimal\"}");
	char *other_line = fv_record_visit_line(&v);
	fv_visit_release(&v);
	const char *ls[] = {line, line, other_line};
	char *path = fv_xasprintf("%s/repeat.fvb", dir);
	craft(path, wk, sup, FV_BUNDLE_UP, 900, ls, 3);
	reset();
	ok(fv_sync_import(sup, path, NULL, &rep, &err) == FV_OK, "a bundle repeating a visit");
	ok(rep.added == 1 && rep.same == 1 && rep.conflicts == 1,
	   "... adds it once, finds the repeat the same and the other content a conflict"
	   " (%zu, %zu, %zu)", rep.added, rep.same, rep.conflicts);
	fv_sync_report_release(&rep);
	free(path);
	free(line);
	free(other_line);
	reset();
}

/* Parse line as it is (person and visit lines as fieldvisit writes them
 * are read by a scan) and with a space after its '{' (so jansson reads
 * it): the same record written back, or the same error. */
static void parse_both(const char *line, size_t *same, size_t *total, size_t *scanned)
{
	fv_record r1, r2;
	fv_errors e1, e2;
	char *spaced = fv_xasprintf("{ %s", line + 1);
	fv_errors_init(&e1);
	fv_errors_init(&e2);
	fv_status s1 = fv_record_parse(line, strlen(line), 7, &r1, &e1);
	fv_status s2 = fv_record_parse(spaced, strlen(spaced), 7, &r2, &e2);
	int ok = s1 == s2 && e1.n == e2.n;
	for (size_t i = 0; ok && i < e1.n; i++)
		ok = strcmp(e1.lines[i], e2.lines[i]) == 0;
	if (ok && s1 == FV_OK) {
		char *a = NULL, *b = NULL;
		ok = r1.table == r2.table && r1.version == r2.version && strcmp(r1.id, r2.id) == 0;
		if (ok && r1.table == FV_REC_VISIT) {
			a = fv_record_visit_line(&r1.visit);
			b = fv_record_visit_line(&r2.visit);
			ok = strcmp(r1.visit.answers, r2.visit.answers) == 0 &&
			     r1.visit.state == r2.visit.state && r1.visit.duration == r2.visit.duration &&
			     strcmp(r1.visit.band, r2.visit.band) == 0 &&
			     strcmp(r1.visit.alerts, r2.visit.alerts) == 0 &&
			     strcmp(r1.visit.updated_at, r2.visit.updated_at) == 0;
		} else if (ok && r1.table == FV_REC_PERSON) {
			a = fv_record_person_line(&r1.person);
			b = fv_record_person_line(&r2.person);
			ok = strcmp(r1.person.last_visit, r2.person.last_visit) == 0;
		}
		if (ok && a)
			ok = strcmp(a, b) == 0;
		free(a);
		free(b);
	}
	if (ok)
		(*same)++;
	else
		diag("read differently: %s", line);
	(*total)++;
	if (s1 == FV_OK && (r1.table == FV_REC_VISIT || r1.table == FV_REC_PERSON))
		(*scanned)++;
	if (s1 == FV_OK)
		fv_record_release(&r1);
	if (s2 == FV_OK)
		fv_record_release(&r2);
	fv_errors_release(&e1);
	fv_errors_release(&e2);
	free(spaced);
}

/* Lines read by the scan are read as jansson reads them. */
static void test_scan(void)
{
	const char *texts[] = {
		"plain", "张三 李四", "quote \" and \\ backslash", "ctl \b\f\n\r\t \x01\x1f\x7f",
		"slash / and \xe2\x80\xa8", "emoji \xf0\x9f\x98\x80",
		"1234567890123456789012345678901234567890123456789012345678901234",
	};
	const char *answers[] = {
		"{}", "{\"q1\":\"1\",\"score\":\"3\"}", "{\"q1\":\"a\\\"b\\\\c\\n\\u001F\\u0001\"}",
		"{\"名字\":\"张三\"}",
	};
	size_t nt = sizeof texts / sizeof texts[0], same = 0, total = 0, scanned = 0;
	for (size_t i = 0; i < nt; i++) {
		for (size_t j = 0; j < sizeof answers / sizeof answers[0]; j++) {
			fv_visit v = {0};
			v.id = (char *)texts[(i + 1) % nt];
			v.version = (int)(i + 1);
			v.author = (char *)texts[i];
			v.person = (char *)texts[(i + 2) % nt];
			v.form_id = "phq9";
			v.form_version = (char *)texts[(i + 3) % nt];
			v.answers = (char *)answers[j];
			v.checkin = (char *)texts[(i + 4) % nt];
			v.checkout = NULL;
			v.services = (char *)texts[(i + 5) % nt];
			v.visit_date = "2026-11-20";
			v.created_at = (char *)texts[(i + 6) % nt];
			v.submitted_at = (char *)texts[(i + 7) % nt];
			char *line = fv_record_visit_line(&v);
			parse_both(line, &same, &total, &scanned);
			free(line);
		}
		fv_person p = {0};
		char **f[] = {&p.author, &p.name, &p.sex, &p.birth, &p.resident_id, &p.phone,
			      &p.village, &p.household, &p.categories, &p.contact_name[0],
			      &p.contact_phone[0], &p.contact_name[1], &p.contact_phone[1],
			      &p.status, &p.status_date, &p.status_reason, &p.created_at,
			      &p.updated_at};
		p.id = (char *)texts[(i + 1) % nt];
		p.version = 3;
		for (size_t m = 0; m < sizeof f / sizeof f[0]; m++)
			*f[m] = (char *)texts[(i + m) % nt];
		char *line = fv_record_person_line(&p);
		parse_both(line, &same, &total, &scanned);
		free(line);
	}
	/* lines the scan leaves to jansson, or takes only when jansson would */
	const char *odd[] = {
		"{\"table\":\"visit\",\"id\":\"v\",\"version\":0,\"fields\":{}}",
		"{\"table\":\"visit\",\"id\":\"v\",\"version\":01,\"fields\":{}}",
		"{\"table\":\"visit\",\"id\":\"v\",\"version\":2147483648,\"fields\":{}}",
		"{\"table\":\"visit\",\"id\":\"v\",\"version\":1,\"fields\":{}}",
		"{\"table\":\"person\",\"id\":\"\",\"version\":1,\"fields\":{}}",
		"{\"table\":\"visit\",\"id\":\"v\",\"version\":1,\"fields\":{\"author\":\"a\","
		"\"person\":\"p\",\"form_id\":\"f\",\"form_version\":\"1\",\"answers\":{},"
		"\"checkin\":\"12345678901234567890123456789012345678901234567890123456789012345\","
		"\"checkout\":\"\",\"services\":\"\",\"visit_date\":\"2026-11-20\","
		"\"created_at\":\"c\",\"submitted_at\":\"s\"}}",
		"{\"table\":\"visit\",\"id\":\"v\",\"version\":2147483647,\"fields\":{\"author\":\"a\","
		"\"person\":\"p\",\"form_id\":\"f\",\"form_version\":\"1\",\"answers\":{\"q\":\"1\"},"
		"\"checkin\":\"\",\"checkout\":\"\",\"services\":\"\",\"visit_date\":\"2026-11-20\","
		"\"created_at\":\"c\",\"submitted_at\":\"s\"}}",
		"{\"table\":\"visit\",\"id\":\"v\",\"version\":1,\"fields\":{\"author\":\"a\","
		"\"person\":\"p\",\"form_id\":\"f\",\"form_version\":\"1\",\"answers\":{\"q\":1},"
		"\"checkin\":\"\",\"checkout\":\"\",\"services\":\"\",\"visit_date\":\"2026-11-20\","
		"\"created_at\":\"c\",\"submitted_at\":\"s\"}}",
		"{\"table\":\"visit\",\"id\":\"v\",\"version\":1,\"fields\":{\"author\":\"a\","
		"\"person\":\"p\",\"form_id\":\"f\",\"form_version\":\"1\",\"answers\":{\"q\":\"1\","
		"\"q\":\"2\"},\"checkin\":\"\",\"checkout\":\"\",\"services\":\"\",\"visit_date\":"
		"\"2026-11-20\",\"created_at\":\"c\",\"submitted_at\":\"s\"}}",
		"{\"table\":\"visit\",\"id\":\"v\",\"version\":1,\"fields\":{\"author\":\"a\","
		"\"person\":\"p\",\"form_id\":\"f\",\"form_version\":\"1\",\"answers\":{},"
		"\"checkin\":\"\",\"checkout\":\"\",\"services\":\"\",\"visit_date\":\"2026-11-20\","
		"\"created_at\":\"c\",\"submitted_at\":\"\"}}",
		"{\"table\":\"visit\",\"id\":\"v\",\"version\":1,\"fields\":{\"author\":\"a\","
		"\"person\":\"p\",\"form_id\":\"f\",\"form_version\":\"1\",\"answers\":{},"
		"\"checkin\":\"\",\"checkout\":\"\",\"services\":\"\",\"visit_date\":\"2026-11-20\","
		"\"created_at\":\"c\",\"submitted_at\":\"s\",\"extra\":\"x\"}}",
		"{\"table\":\"visit\",\"id\":\"v\",\"version\":1,\"fields\":{\"author\":\"a\","
		"\"person\":\"p\",\"form_id\":\"f\",\"form_version\":\"1\",\"answers\":{},"
		"\"checkin\":\"\",\"checkout\":\"\",\"services\":\"\",\"visit_date\":\"2026-11-20\","
		"\"created_at\":\"c\",\"submitted_at\":\"s\"}} ",
	};
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
		parse_both(odd[i], &same, &total, &scanned);
	is_num(same, total, "person and visit lines read by the scan are read as jansson reads them");
	ok(scanned > nt * 3, "... and most of them were taken by the scan (%zu)", scanned);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	if (vault_init() != FV_OK)
		return 99;
	dir = fv_xasprintf("%s/fv-test-sync-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 99;
	fv_clock_set(1795168800.0);   /* 2026-11-20T10:00 */
	test_vault();
	test_format();
	test_lines();
	test_scan();
	setup_stores();
	if (sup && wk && other && *up_path) {
		test_tamper();
		test_corpus();
		test_batches();
	}
	fv_store_close(sup);
	fv_store_close(wk);
	fv_store_close(other);
	free(up_path);
	reset();
	if (getenv("FV_KEEP"))
		diag("kept %s", dir);
	else
		remove_dir(dir);
	free(dir);
	return done_testing();
}
