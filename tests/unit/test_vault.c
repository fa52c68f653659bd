/*
 * Unit tests of the vault: keys, ids, hashing, the page cipher, the
 * passphrase rules and costs, key files (create, unlock, rewrap, recover,
 * damage and repair of either copy, forged costs) and recovery key files.
 *
 * Key files use vault_pw_fast() so the whole program runs in well under a
 * second, apart from one calibration (a single 64 MiB hash).  Files go to a
 * fresh folder under $TMPDIR (or /tmp), removed at the end.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fieldvisit/vault.h"
#include "tap.h"

/* Key file layout (src/vault/keyfile.c): the offsets the tests forge. */
#define KF_SIZE 280
#define OFF_VERSION 8
#define OFF_STORE 12
#define OFF_KDF 28
#define OFF_OPS 32
#define OFF_MEM 40
#define OFF_SALT 48
#define OFF_NONCE 64
#define OFF_WRAPPED 88
#define OFF_RPK 136
#define OFF_SUM 248

#define PASS "correct horse battery"
#define PASS2 "staple in the village"

static char *dir;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Time limits are for a native run; `make valgrind` sets FV_VALGRIND=1,
 * and memcheck runs code 20 to 50 times slower. */
static double time_scale(void)
{
	const char *v = getenv("FV_VALGRIND");
	return v && strcmp(v, "1") == 0 ? 50.0 : 1.0;
}

static const char *first(const fv_errors *e)
{
	return e->n ? e->lines[0] : "";
}

/* 1 when some line of e equals want. */
static int has_line(const fv_errors *e, const char *want)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->lines[i], want) == 0)
			return 1;
	for (size_t i = 0; i < e->n; i++)
		diag("error: %s", e->lines[i]);
	return 0;
}

static char *in_dir(const char *name)
{
	return fv_xasprintf("%s/%s", dir, name);
}

/* The bytes of path; *len their count.  NULL when it cannot be read. */
static uint8_t *slurp(const char *path, size_t *len)
{
	char *data;
	fv_errors err;
	fv_errors_init(&err);
	if (fv_read_file(path, &data, len, &err) != FV_OK)
		data = NULL;
	fv_errors_release(&err);
	return (uint8_t *)data;
}

static void spill(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(data, 1, len, fp) != len || fclose(fp) != 0) {
		diag("cannot write %s", path);
		exit(99);
	}
}

static int same_file(const char *a, const char *b)
{
	size_t na, nb;
	uint8_t *da = slurp(a, &na), *db = slurp(b, &nb);
	int same = da && db && na == nb && memcmp(da, db, na) == 0;
	free(da);
	free(db);
	return same;
}

/* 1 when the n bytes of needle occur in hay[0..len). */
static int contains(const uint8_t *hay, size_t len, const uint8_t *needle, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

static void fix_checksum(uint8_t *kf)
{
	vault_hash(kf + OFF_SUM, 32, kf, OFF_SUM);
}

static void remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *p = fv_xasprintf("%s/%s", path, de->d_name);
		struct stat sb;
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			remove_dir(p);
		else
			unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

/* ------------------------------------------------------------------ keys, ids */

static void test_keys(void)
{
	uint8_t raw[VAULT_KEY_BYTES];
	vault_key *a = vault_key_random(), *b = vault_key_random(), *c;

	ok(memcmp(vault_key_bytes(a), vault_key_bytes(b), VAULT_KEY_BYTES) != 0,
	   "two random keys differ");
	for (int i = 0; i < VAULT_KEY_BYTES; i++)
		raw[i] = (uint8_t)i;
	c = vault_key_from(raw);
	ok(memcmp(vault_key_bytes(c), raw, sizeof raw) == 0, "vault_key_from copies the bytes");
	vault_key_free(c);

	vault_key *d1 = vault_key_derive(a, 1, "fvpage01");
	vault_key *d1b = vault_key_derive(a, 1, "fvpage01");
	vault_key *d2 = vault_key_derive(a, 2, "fvpage01");
	vault_key *dc = vault_key_derive(a, 1, "fvother1");
	vault_key *db = vault_key_derive(b, 1, "fvpage01");
	ok(memcmp(vault_key_bytes(d1), vault_key_bytes(d1b), VAULT_KEY_BYTES) == 0,
	   "derivation is deterministic");
	ok(memcmp(vault_key_bytes(d1), vault_key_bytes(d2), VAULT_KEY_BYTES) != 0,
	   "derived keys differ per id");
	ok(memcmp(vault_key_bytes(d1), vault_key_bytes(dc), VAULT_KEY_BYTES) != 0,
	   "derived keys differ per context");
	ok(memcmp(vault_key_bytes(d1), vault_key_bytes(db), VAULT_KEY_BYTES) != 0,
	   "derived keys differ per master");
	ok(memcmp(vault_key_bytes(d1), vault_key_bytes(a), VAULT_KEY_BYTES) != 0,
	   "a derived key is not the master");
	vault_key_free(d1);
	vault_key_free(d1b);
	vault_key_free(d2);
	vault_key_free(dc);
	vault_key_free(db);
	vault_key_free(a);
	vault_key_free(b);
	vault_key_free(NULL);

	vault_wipe(raw, sizeof raw);
	int zero = 1;
	for (size_t i = 0; i < sizeof raw; i++)
		zero &= raw[i] == 0;
	ok(zero, "vault_wipe zeroes");
}

static int uuid_ok(const char *u)
{
	if (strlen(u) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (u[i] != '-')
				return 0;
		} else if (!strchr("0123456789abcdef", u[i])) {
			return 0;
		}
	}
	return u[14] == '4' && strchr("89ab", u[19]) != NULL;
}

static void test_ids(void)
{
	char u[37], v[37];
	int good = 1;
	static const uint8_t empty_hash[32] = {
		0x0e, 0x57, 0x51, 0xc0, 0x26, 0xe5, 0x43, 0xb2, 0xe8, 0xab, 0x2e,
		0xb0, 0x60, 0x99, 0xda, 0xa1, 0xd1, 0xe5, 0xdf, 0x47, 0x77, 0x8f,
		0x77, 0x87, 0xfa, 0xab, 0x45, 0xcd, 0xf1, 0x2f, 0xe3, 0xa8,
	};
	uint8_t h[32];

	for (int i = 0; i < 200; i++) {
		vault_uuid(u);
		if (!uuid_ok(u)) {
			diag("bad uuid %s", u);
			good = 0;
		}
	}
	ok(good, "200 UUIDs are v4, lowercase, 8-4-4-4-12");
	vault_uuid(v);
	ok(strcmp(u, v) != 0, "two UUIDs differ");

	vault_hash(h, sizeof h, "", 0);
	ok(memcmp(h, empty_hash, sizeof h) == 0, "vault_hash is BLAKE2b-256 (empty input)");

	/* the reference vector of BLAKE2b (blake2b-kat.txt, key 00..3f, empty
	 * input) and one from Python's hashlib.blake2b */
	static const uint8_t kat64[16] = {0x10, 0xeb, 0xb6, 0x77, 0x00, 0xb1, 0x86, 0x8e,
					  0xfb, 0x44, 0x17, 0x98, 0x7a, 0xcf, 0x46, 0x90};
	static const uint8_t abc16[16] = {0xcc, 0x61, 0x1a, 0x26, 0x73, 0xca, 0x66, 0xe9,
					  0xf7, 0xfc, 0x64, 0xb9, 0x95, 0xc5, 0x46, 0x7c};
	uint8_t key[64], kh[64];
	for (int i = 0; i < 64; i++)
		key[i] = (uint8_t)i;
	vault_keyed_hash(kh, 64, key, 64, "", 0);
	ok(memcmp(kh, kat64, sizeof kat64) == 0, "vault_keyed_hash: BLAKE2b-512, key 00..3f");
	vault_keyed_hash(kh, 16, key, 16, "abc", 3);
	ok(memcmp(kh, abc16, sizeof abc16) == 0, "vault_keyed_hash: 16 bytes, 16-byte key, 'abc'");

	char p1[37], p2[37], p3[37];
	vault_uuid_pin(42);
	vault_uuid(p1);
	vault_uuid(p2);
	vault_uuid_pin(42);
	vault_uuid(p3);
	vault_uuid_pin(0);
	ok(strcmp(p1, p3) == 0 && strcmp(p1, p2) != 0 && uuid_ok(p1) && uuid_ok(p2),
	   "pinned UUIDs: the same sequence again, each a v4 UUID (%s)", p1);
	vault_uuid(u);
	ok(strcmp(u, p2) != 0 && strcmp(u, p1) != 0, "unpinned: random again");

	uint8_t r1[32] = {0}, r2[32] = {0};
	vault_random(r1, sizeof r1);
	vault_random(r2, sizeof r2);
	ok(memcmp(r1, r2, sizeof r1) != 0, "vault_random gives different bytes");
}

/* ------------------------------------------------------------------ pages */

static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + 3);
}

static void test_pages(void)
{
	enum { LEN = 4096 };
	static uint8_t plain[VAULT_PAGE_MAX], page[VAULT_PAGE_MAX], sealed[VAULT_PAGE_MAX],
		again[VAULT_PAGE_MAX];
	uint8_t sid[VAULT_STORE_ID_BYTES], sid2[VAULT_STORE_ID_BYTES];
	vault_key *master = vault_key_random();
	vault_key *k = vault_key_derive(master, 1, "fvpage01");
	vault_key *other = vault_key_derive(master, 2, "fvpage01");
	static const struct {
		const char *what;
		size_t at;
	} flips[] = {
		{"first ciphertext byte", 0},
		{"a ciphertext byte", 1000},
		{"last ciphertext byte", LEN - 41},
		{"a nonce byte", LEN - 40},
		{"last nonce byte", LEN - 17},
		{"a tag byte", LEN - 16},
		{"last tag byte", LEN - 1},
	};

	vault_random(sid, sizeof sid);
	memcpy(sid2, sid, sizeof sid);
	sid2[15] ^= 1;
	fill(plain, LEN);
	memcpy(page, plain, LEN);
	vault_page_seal(k, sid, 7, page, LEN);
	ok(memcmp(page, plain, LEN - VAULT_PAGE_RESERVE) != 0, "seal encrypts the page");
	ok(!contains(page, LEN, plain + 100, 16), "no plaintext run survives sealing");
	memcpy(sealed, page, LEN);
	ok(vault_page_open(k, sid, 7, page, LEN) == 1, "open: a sealed page opens");
	ok(memcmp(page, plain, LEN - VAULT_PAGE_RESERVE) == 0, "open: the content comes back");

	memcpy(again, plain, LEN);
	vault_page_seal(k, sid, 7, again, LEN);
	ok(memcmp(again, sealed, LEN) != 0, "sealing the same page twice gives new bytes (nonce)");

	for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
		memcpy(page, sealed, LEN);
		page[flips[i].at] ^= 0x20;
		memcpy(again, page, LEN);
		int opened = vault_page_open(k, sid, 7, page, LEN);
		ok(!opened && memcmp(page, again, LEN) == 0,
		   "tampered %s: does not open, page unchanged", flips[i].what);
	}

	memcpy(page, sealed, LEN);
	ok(!vault_page_open(k, sid, 8, page, LEN) && memcmp(page, sealed, LEN) == 0,
	   "wrong page number: does not open, page unchanged");
	ok(!vault_page_open(k, sid, 7 + (1u << 24), page, LEN) && memcmp(page, sealed, LEN) == 0,
	   "page number differing in its high byte: does not open");
	ok(!vault_page_open(k, sid2, 7, page, LEN) && memcmp(page, sealed, LEN) == 0,
	   "wrong store id: does not open, page unchanged");
	ok(!vault_page_open(other, sid, 7, page, LEN) && memcmp(page, sealed, LEN) == 0,
	   "wrong key: does not open, page unchanged");
	memset(page, 0, LEN);
	ok(!vault_page_open(k, sid, 7, page, LEN), "an all-zero page does not open");

	static const size_t sizes[] = {VAULT_PAGE_RESERVE + 1, 512, 65536};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i];
		fill(plain, n);
		memcpy(page, plain, n);
		vault_page_seal(k, sid, UINT32_MAX, page, n);
		int opened = vault_page_open(k, sid, UINT32_MAX, page, n);
		ok(opened && memcmp(page, plain, n - VAULT_PAGE_RESERVE) == 0,
		   "%zu-byte page: round trip", n);
	}
	vault_key_free(k);
	vault_key_free(other);
	vault_key_free(master);
}

/* ------------------------------------------------------------------ passphrases, costs */

static void test_passphrases(void)
{
	const char *reason = "the passphrase must have at least 8 characters";
	is_str(vault_passphrase_problem("1234567"), reason, "7 characters: refused");
	is_str(vault_passphrase_problem(""), reason, "empty: refused");
	is_str(vault_passphrase_problem(NULL), reason, "NULL: refused");
	is_str(vault_passphrase_problem("12345678"), NULL, "8 characters: fine");
	is_str(vault_passphrase_problem("八个汉字组成密码"), NULL, "8 Chinese characters: fine");
	is_str(vault_passphrase_problem("七个汉字组成密"), reason,
	       "7 Chinese characters (21 bytes): refused");

	vault_pwcost fast = vault_pw_fast();
	ok(fast.ops == 1 && fast.mem == 8192, "fast cost: 1 pass over 8 KiB");

	double t0 = now();
	vault_pwcost c = vault_pw_calibrate(0.001, 0);
	double took = now() - t0;
	ok(c.ops == 1 && c.mem == (UINT64_C(64) << 20),
	   "calibrate to a tiny target: 1 pass over 64 MiB (got %llu over %llu)",
	   (unsigned long long)c.ops, (unsigned long long)c.mem);
	ok(took < 2.0 * time_scale(), "calibration took %.2f s", took);
}

/* ------------------------------------------------------------------ recovery key files */

static void test_recovery(uint8_t pk_out[VAULT_BOX_PK_BYTES], uint8_t sk_out[VAULT_BOX_SK_BYTES])
{
	char *path = in_dir("recovery.key"), *bad = in_dir("bad.key");
	uint8_t pk[VAULT_BOX_PK_BYTES], pk2[VAULT_BOX_PK_BYTES], sk[VAULT_BOX_SK_BYTES];
	fv_errors err;
	struct stat sb;
	char *want;

	fv_errors_init(&err);
	ok(vault_recovery_create(path, pk, &err) == FV_OK, "recovery key created");
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "recovery key file is 0600");
	ok(vault_recovery_create(path, pk2, &err) == FV_EIO, "an existing recovery key is kept");
	want = fv_xasprintf("%s: already exists (a recovery key is never overwritten)", path);
	is_str(first(&err), want, "... with a message naming it");
	free(want);
	fv_errors_release(&err);

	ok(vault_recovery_load(path, sk, pk2, &err) == FV_OK, "recovery key loads");
	ok(memcmp(pk, pk2, sizeof pk) == 0, "its public half is the one created");
	memcpy(pk_out, pk, sizeof pk);
	memcpy(sk_out, sk, sizeof sk);

	/* CRLF line ends are fine */
	size_t len;
	uint8_t *text = slurp(path, &len);
	fv_buf crlf;
	fv_buf_init(&crlf);
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			fv_buf_addc(&crlf, '\r');
		fv_buf_addc(&crlf, (char)text[i]);
	}
	spill(bad, crlf.s, crlf.len);
	ok(vault_recovery_load(bad, sk, pk2, &err) == FV_OK && memcmp(pk, pk2, sizeof pk) == 0,
	   "a recovery key with CRLF line ends loads");
	fv_buf_release(&crlf);

	/* the three lines: header, secret half, public half */
	char *lines = fv_xstrdup((char *)text), *save = NULL;
	char *hdr = strtok_r(lines, "\n", &save);
	char *l_sk = strtok_r(NULL, "\n", &save);
	char *l_pk = strtok_r(NULL, "\n", &save);
	ok(hdr && l_sk && l_pk && strcmp(hdr, "fieldvisit recovery key v1") == 0 &&
	   strlen(l_sk) == 44 && strlen(l_pk) == 44 && strtok_r(NULL, "\n", &save) == NULL,
	   "recovery key file: a header line and two base64 lines");
	struct {
		const char *what;
		char *content;
	} cases[] = {
		{"an empty file", fv_xstrdup("")},
		{"the header only", fv_xasprintf("%s\n", hdr)},
		{"another header", fv_xasprintf("fieldvisit recovery key v2\n%s\n%s\n", l_sk, l_pk)},
		{"the halves swapped", fv_xasprintf("%s\n%s\n%s\n", hdr, l_pk, l_sk)},
		{"the public half of another key", fv_xasprintf("%s\n%s\n%s\n", hdr, l_sk, l_sk)},
		{"a secret half that is not base64",
		 fv_xasprintf("%s\n%.43s*\n%s\n", hdr, l_sk, l_pk)},
		{"a secret half one character short", fv_xasprintf("%s\n%.43s\n%s\n", hdr, l_sk, l_pk)},
		{"a line more", fv_xasprintf("%s\n%s\n%s\nmore\n", hdr, l_sk, l_pk)},
		{"a key file instead", fv_xstrdup("FVKEYS01\001\000\000\000")},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fv_errors_release(&err);
		spill(bad, cases[i].content, strlen(cases[i].content));
		ok(vault_recovery_load(bad, sk, pk2, &err) == FV_EINVAL,
		   "recovery key with %s: refused", cases[i].what);
		want = fv_xasprintf("%s: not a fieldvisit recovery key", bad);
		is_str(first(&err), want, "... not a fieldvisit recovery key");
		free(want);
		free(cases[i].content);
	}
	/* one byte past the longest valid file */
	fv_errors_release(&err);
	uint8_t big[4096];
	memset(big, 'A', sizeof big);
	spill(bad, big, sizeof big);
	ok(vault_recovery_load(bad, sk, pk2, &err) == FV_EINVAL, "a 4 KiB file: refused");
	fv_errors_release(&err);
	unlink(bad);
	ok(vault_recovery_load(bad, sk, pk2, &err) == FV_EIO, "a missing recovery key: FV_EIO");
	want = fv_xasprintf("%s: cannot read: No such file or directory", bad);
	is_str(first(&err), want, "... naming the file and the reason");
	free(want);
	fv_errors_release(&err);

	vault_wipe(lines, len);   /* strtok_r cut it with NULs */
	free(lines);
	vault_wipe(text, len);
	free(text);
	free(path);
	free(bad);
	vault_wipe(sk, sizeof sk);
}

/* ------------------------------------------------------------------ key files */

struct kf_env {
	char *path, *bak;
	vault_key *master;
	uint8_t sid[VAULT_STORE_ID_BYTES];
	uint8_t rpk[VAULT_BOX_PK_BYTES], rsk[VAULT_BOX_SK_BYTES];
	char *damaged_msg;
};

/* Unlock env's key file with pass: the status, and whether the master key
 * and the store id are the right ones when it opened. */
static fv_status unlock(const struct kf_env *e, const char *pass, int *right, fv_errors *err)
{
	vault_key *m = (vault_key *)1;
	uint8_t sid[VAULT_STORE_ID_BYTES];
	fv_status st = vault_keyfile_unlock(e->path, pass, &m, sid, err);
	*right = st == FV_OK && m &&
		 memcmp(vault_key_bytes(m), vault_key_bytes(e->master), VAULT_KEY_BYTES) == 0 &&
		 memcmp(sid, e->sid, sizeof sid) == 0;
	if (st != FV_OK && m != NULL) {
		diag("master not NULL after a failed unlock");
		*right = -1;
	}
	vault_key_free(m);
	return st;
}

static void test_keyfile_create(struct kf_env *e)
{
	fv_errors err;
	struct stat sb;
	size_t len;
	int right;
	char *want;

	fv_errors_init(&err);
	ok(vault_keyfile_create(e->path, e->master, e->sid, PASS, vault_pw_fast(), e->rpk,
				&err) == FV_OK,
	   "key file created");
	for (size_t i = 0; i < err.n; i++)
		diag("%s", err.lines[i]);
	ok(stat(e->path, &sb) == 0 && sb.st_size == KF_SIZE && (sb.st_mode & 0777) == 0600,
	   "key file: 280 bytes, mode 0600");
	ok(stat(e->bak, &sb) == 0 && (sb.st_mode & 0777) == 0600 && same_file(e->path, e->bak),
	   "backup written, the same bytes, mode 0600");
	uint8_t *kf = slurp(e->path, &len);
	ok(kf && memcmp(kf, "FVKEYS01\001\000\000\000", 12) == 0 &&
	   memcmp(kf + OFF_STORE, e->sid, VAULT_STORE_ID_BYTES) == 0 &&
	   memcmp(kf + OFF_RPK, e->rpk, VAULT_BOX_PK_BYTES) == 0 && kf[OFF_KDF] == 2 &&
	   kf[OFF_OPS] == 1 && kf[OFF_MEM + 1] == 0x20,
	   "layout: magic, version 1, store id, Argon2id, cost, recovery key");
	ok(!contains(kf, len, vault_key_bytes(e->master), VAULT_KEY_BYTES),
	   "the master key is not in the file in clear");
	free(kf);

	ok(unlock(e, PASS, &right, &err) == FV_OK && right == 1,
	   "unlock with the passphrase: the master key and store id");
	fv_errors_release(&err);
	ok(unlock(e, "wrong passphrase!", &right, &err) == FV_EPASS && right == 0,
	   "wrong passphrase: FV_EPASS, no key");
	is_str(first(&err), "wrong passphrase", "... message 'wrong passphrase'");
	fv_errors_release(&err);

	ok(vault_keyfile_create(e->path, e->master, e->sid, PASS, vault_pw_fast(), e->rpk,
				&err) == FV_EIO,
	   "create over an existing key file: refused");
	want = fv_xasprintf("%s: a key file already exists", e->path);
	is_str(first(&err), want, "... naming it");
	free(want);
	fv_errors_release(&err);

	/* refusals that write nothing */
	char *p2 = in_dir("other.keys"), *p2bak = in_dir("other.keys.bak");
	spill(p2bak, "x", 1);
	ok(vault_keyfile_create(p2, e->master, e->sid, PASS, vault_pw_fast(), e->rpk, &err) ==
		   FV_EIO && stat(p2, &sb) != 0,
	   "create when only the backup exists: refused, nothing written");
	unlink(p2bak);
	fv_errors_release(&err);
	ok(vault_keyfile_create(p2, e->master, e->sid, "short", vault_pw_fast(), e->rpk, &err) ==
		   FV_EINVAL,
	   "create with a 5-character passphrase: FV_EINVAL");
	is_str(first(&err), "the passphrase must have at least 8 characters", "... the reason");
	fv_errors_release(&err);
	vault_pwcost huge = {1, UINT64_C(1) << 40}, slow = {101, 8192};
	ok(vault_keyfile_create(p2, e->master, e->sid, PASS, huge, e->rpk, &err) == FV_ERANGE &&
		   vault_keyfile_create(p2, e->master, e->sid, PASS, slow, e->rpk, &err) == FV_ERANGE,
	   "create with 1 TiB or 101 passes: FV_ERANGE");
	fv_errors_release(&err);
	uint8_t zero_pk[VAULT_BOX_PK_BYTES] = {0};
	ok(vault_keyfile_create(p2, e->master, e->sid, PASS, vault_pw_fast(), zero_pk, &err) ==
		   FV_EINVAL,
	   "create with an all-zero recovery key: FV_EINVAL");
	fv_errors_release(&err);
	ok(stat(p2, &sb) != 0 && stat(p2bak, &sb) != 0, "... and nothing was written");
	char *nodir = in_dir("no/such/dir.keys");
	ok(vault_keyfile_create(nodir, e->master, e->sid, PASS, vault_pw_fast(), e->rpk, &err) ==
		   FV_EIO,
	   "create in a missing folder: FV_EIO");
	want = fv_xasprintf("%s.tmp: cannot create: No such file or directory", nodir);
	is_str(first(&err), want, "... naming the file");
	free(want);
	fv_errors_release(&err);
	free(nodir);
	free(p2);
	free(p2bak);
}

/* Replace the copy at path with a damaged version of good. */
enum damage { FLIP_MAGIC, FLIP_SLOT, FLIP_SUM, TRUNCATE, EMPTY, LONGER, DELETE };
static const char *const damage_name[] = {
	"a flipped magic byte", "a flipped byte in the slot", "a flipped checksum byte",
	"truncated to 100 bytes", "empty", "one byte longer", "deleted",
};

static void damage(const char *path, const uint8_t *good, enum damage how)
{
	uint8_t buf[KF_SIZE + 1];
	memcpy(buf, good, KF_SIZE);
	buf[KF_SIZE] = 0;
	switch (how) {
	case FLIP_MAGIC: buf[0] ^= 1; spill(path, buf, KF_SIZE); break;
	case FLIP_SLOT: buf[OFF_WRAPPED + 3] ^= 1; spill(path, buf, KF_SIZE); break;
	case FLIP_SUM: buf[KF_SIZE - 1] ^= 1; spill(path, buf, KF_SIZE); break;
	case TRUNCATE: spill(path, buf, 100); break;
	case EMPTY: spill(path, buf, 0); break;
	case LONGER: spill(path, buf, KF_SIZE + 1); break;
	case DELETE: unlink(path); break;
	}
}

static int content_is(const char *path, const uint8_t *want)
{
	size_t len;
	uint8_t *got = slurp(path, &len);
	int same = got && len == KF_SIZE && memcmp(got, want, KF_SIZE) == 0;
	free(got);
	return same;
}

static void test_damage(struct kf_env *e)
{
	fv_errors err;
	size_t len;
	int right;
	uint8_t *good = slurp(e->path, &len);

	fv_errors_init(&err);
	for (int how = FLIP_MAGIC; how <= DELETE; how++) {
		damage(e->path, good, (enum damage)how);
		ok(unlock(e, PASS, &right, &err) == FV_OK && right == 1,
		   "main copy %s: unlocked from the backup", damage_name[how]);
		ok(content_is(e->path, good) && content_is(e->bak, good),
		   "... and the main copy repaired");
		fv_errors_release(&err);
	}
	for (int how = FLIP_MAGIC; how <= DELETE; how++) {
		damage(e->bak, good, (enum damage)how);
		ok(unlock(e, PASS, &right, &err) == FV_OK && right == 1 &&
			   content_is(e->bak, good),
		   "backup %s: unlocked, the backup repaired", damage_name[how]);
		fv_errors_release(&err);
	}

	damage(e->bak, good, FLIP_SLOT);
	ok(unlock(e, "wrong passphrase!", &right, &err) == FV_EPASS,
	   "damaged backup, wrong passphrase: FV_EPASS");
	ok(!content_is(e->bak, good), "... and nothing repaired without the passphrase");
	fv_errors_release(&err);

	damage(e->path, good, TRUNCATE);
	damage(e->bak, good, FLIP_SUM);
	ok(unlock(e, PASS, &right, &err) == FV_EIO && right == 0, "both copies damaged: FV_EIO");
	is_str(first(&err), e->damaged_msg, "... with the message");
	fv_errors_release(&err);
	ok(vault_keyfile_rewrap(e->path, e->master, PASS2, vault_pw_fast(), &err) == FV_EIO,
	   "rewrap with both copies damaged: FV_EIO");
	is_str(first(&err), e->damaged_msg, "... with the message");
	fv_errors_release(&err);
	damage(e->path, good, DELETE);
	damage(e->bak, good, DELETE);
	ok(unlock(e, PASS, &right, &err) == FV_EIO, "both copies missing: FV_EIO");
	is_str(first(&err), e->damaged_msg, "... with the message");
	fv_errors_release(&err);
	ok(vault_keyfile_recover(e->path, e->rsk, &(vault_key *){NULL}, e->sid, &err) == FV_EIO,
	   "recover with both copies missing: FV_EIO");
	fv_errors_release(&err);

	spill(e->path, good, KF_SIZE);
	spill(e->bak, good, KF_SIZE);
	free(good);
}

/* Well-formed files (right checksum) that are forged. */
static void test_forged(struct kf_env *e)
{
	static const struct {
		const char *what;
		size_t off;
		uint64_t value;
		int width;
	} refused[] = {
		{"1 TiB of memory", OFF_MEM, UINT64_C(1) << 40, 8},
		{"4 GiB + 1 of memory", OFF_MEM, (UINT64_C(4) << 30) + 1, 8},
		{"4 KiB of memory", OFF_MEM, 4096, 8},
		{"101 passes", OFF_OPS, 101, 8},
		{"2^64 - 1 passes", OFF_OPS, UINT64_MAX, 8},
		{"0 passes", OFF_OPS, 0, 8},
		{"format version 2", OFF_VERSION, 2, 4},
		{"KDF 1 (Argon2i)", OFF_KDF, 1, 4},
	};
	static const struct {
		const char *what;
		size_t off;
		uint8_t flip;
	} bound[] = {
		{"store id", OFF_STORE, 1},
		{"cost (1 pass -> 2)", OFF_OPS, 3},
		{"cost (8 KiB -> 16 KiB)", OFF_MEM + 1, 0x60},
		{"salt", OFF_SALT, 1},
		{"nonce", OFF_NONCE, 1},
		{"wrapped key", OFF_WRAPPED, 1},
	};
	fv_errors err;
	size_t len;
	int right;
	uint8_t *good = slurp(e->path, &len), forged[KF_SIZE];

	fv_errors_init(&err);
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		memcpy(forged, good, KF_SIZE);
		for (int b = 0; b < refused[i].width; b++)
			forged[refused[i].off + (size_t)b] = (uint8_t)(refused[i].value >> (8 * b));
		fix_checksum(forged);
		spill(e->path, forged, KF_SIZE);
		unlink(e->bak);
		double t0 = now();
		fv_status st = unlock(e, PASS, &right, &err);
		double took = now() - t0;
		ok(st == FV_EIO && took < 0.5 * time_scale(),
		   "a file asking for %s: refused as damaged in %.3f s",
		   refused[i].what, took);
		is_str(first(&err), e->damaged_msg, "... with the message");
		fv_errors_release(&err);
	}
	spill(e->bak, good, KF_SIZE);
	ok(unlock(e, PASS, &right, &err) == FV_OK && right == 1 && content_is(e->path, good),
	   "a forged main copy with a good backup: unlocked from the backup and repaired");
	fv_errors_release(&err);

	for (size_t i = 0; i < sizeof bound / sizeof bound[0]; i++) {
		memcpy(forged, good, KF_SIZE);
		forged[bound[i].off] ^= bound[i].flip;
		fix_checksum(forged);
		spill(e->path, forged, KF_SIZE);
		ok(unlock(e, PASS, &right, &err) == FV_EPASS,
		   "a changed %s (checksum fixed): the slot does not open", bound[i].what);
		fv_errors_release(&err);
	}
	spill(e->path, good, KF_SIZE);
	free(good);
}

static void test_rewrap(struct kf_env *e)
{
	fv_errors err;
	size_t len;
	int right;
	uint8_t *old = slurp(e->path, &len), *now_kf;

	fv_errors_init(&err);
	ok(vault_keyfile_rewrap(e->path, e->master, "short", vault_pw_fast(), &err) == FV_EINVAL,
	   "rewrap to a 5-character passphrase: FV_EINVAL");
	fv_errors_release(&err);
	vault_pwcost zero = {0, 0};
	ok(vault_keyfile_rewrap(e->path, e->master, PASS2, zero, &err) == FV_ERANGE,
	   "rewrap with a zero cost: FV_ERANGE");
	fv_errors_release(&err);
	ok(content_is(e->path, old) && content_is(e->bak, old), "... the files unchanged");

	ok(vault_keyfile_rewrap(e->path, e->master, PASS2, vault_pw_fast(), &err) == FV_OK,
	   "rewrap to a new passphrase");
	fv_errors_release(&err);
	now_kf = slurp(e->path, &len);
	ok(same_file(e->path, e->bak), "both copies have the new content");
	ok(memcmp(now_kf, old, OFF_KDF) == 0 &&
	   memcmp(now_kf + OFF_RPK, old + OFF_RPK, OFF_SUM - OFF_RPK) == 0,
	   "magic, version, store id and recovery slot kept");
	ok(memcmp(now_kf + OFF_SALT, old + OFF_SALT, 16) != 0, "a new salt");
	ok(unlock(e, PASS, &right, &err) == FV_EPASS, "the old passphrase no longer opens");
	fv_errors_release(&err);
	ok(unlock(e, PASS2, &right, &err) == FV_OK && right == 1, "the new one does");
	fv_errors_release(&err);
	unlink(e->path);
	ok(unlock(e, PASS, &right, &err) == FV_EPASS,
	   "the old passphrase does not open the backup either");
	fv_errors_release(&err);
	ok(unlock(e, PASS2, &right, &err) == FV_OK && right == 1 && content_is(e->path, now_kf),
	   "the new one opens the backup and repairs the main copy");
	fv_errors_release(&err);

	/* a crash between the two writes: new main copy, old backup */
	spill(e->bak, old, KF_SIZE);
	ok(unlock(e, PASS, &right, &err) == FV_EPASS,
	   "crash between the writes: the old passphrase does not open");
	fv_errors_release(&err);
	ok(unlock(e, PASS2, &right, &err) == FV_OK && right == 1 && content_is(e->bak, now_kf),
	   "... the new one does, and brings the backup up to date");
	fv_errors_release(&err);

	/* the backup cannot be written: the main copy is put back */
	unlink(e->bak);
	if (mkdir(e->bak, 0700) != 0)
		diag("cannot make %s a folder", e->bak);
	ok(vault_keyfile_rewrap(e->path, e->master, "a third passphrase", vault_pw_fast(),
				&err) == FV_EIO,
	   "rewrap when the backup cannot be written: FV_EIO");
	ok(has_line(&err, "the passphrase was not changed"), "... the passphrase was not changed");
	fv_errors_release(&err);
	ok(content_is(e->path, now_kf), "... the main copy is as it was");
	ok(unlock(e, PASS2, &right, &err) == FV_OK && right == 1, "... and opens as before");
	fv_errors_release(&err);
	rmdir(e->bak);
	ok(unlock(e, PASS2, &right, &err) == FV_OK && content_is(e->bak, now_kf),
	   "the backup is back after the next unlock");
	fv_errors_release(&err);
	free(old);
	free(now_kf);
}

static void test_recover(struct kf_env *e)
{
	fv_errors err;
	char *other = in_dir("other-recovery.key");
	uint8_t sk2[VAULT_BOX_SK_BYTES], pk2[VAULT_BOX_PK_BYTES], sid[VAULT_STORE_ID_BYTES];
	vault_key *m = NULL;
	size_t len;
	uint8_t *good = slurp(e->path, &len);

	fv_errors_init(&err);
	ok(vault_keyfile_recover(e->path, e->rsk, &m, sid, &err) == FV_OK && m &&
		   memcmp(vault_key_bytes(m), vault_key_bytes(e->master), VAULT_KEY_BYTES) == 0 &&
		   memcmp(sid, e->sid, sizeof sid) == 0,
	   "recover with the recovery secret key: the master key and store id");
	vault_key_free(m);
	m = NULL;
	fv_errors_release(&err);

	if (vault_recovery_create(other, pk2, &err) != FV_OK ||
	    vault_recovery_load(other, sk2, pk2, &err) != FV_OK)
		diag("cannot make a second recovery key");
	ok(vault_keyfile_recover(e->path, sk2, &m, sid, &err) == FV_EPASS && m == NULL,
	   "recover with another recovery key: FV_EPASS");
	is_str(first(&err), "this recovery key does not belong to this store", "... message");
	fv_errors_release(&err);

	damage(e->path, good, FLIP_SUM);
	ok(vault_keyfile_recover(e->path, e->rsk, &m, sid, &err) == FV_OK && m &&
		   content_is(e->path, good),
	   "recover from the backup repairs the main copy");
	vault_key_free(m);
	fv_errors_release(&err);
	vault_wipe(sk2, sizeof sk2);
	free(other);
	free(good);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct kf_env e;
	double t0 = now();

	if (!tmp || !*tmp)
		tmp = "/tmp";
	dir = fv_xasprintf("%s/fv-vault-XXXXXX", tmp);
	if (!mkdtemp(dir)) {
		printf("Bail out! cannot make a folder in %s\n", tmp);
		return 99;
	}
	if (!ok(vault_init() == FV_OK, "vault_init"))
		return done_testing();
	test_keys();
	test_ids();
	test_pages();
	test_passphrases();

	memset(&e, 0, sizeof e);
	e.path = in_dir("store.fv.keys");
	e.bak = in_dir("store.fv.keys.bak");
	e.damaged_msg = fv_xasprintf("%s: key file damaged or missing (and no usable backup %s)",
				     e.path, e.bak);
	e.master = vault_key_random();
	vault_random(e.sid, sizeof e.sid);
	test_recovery(e.rpk, e.rsk);
	test_keyfile_create(&e);
	test_damage(&e);
	test_forged(&e);
	test_rewrap(&e);
	test_recover(&e);

	vault_key_free(e.master);
	vault_wipe(e.rsk, sizeof e.rsk);
	free(e.path);
	free(e.bak);
	free(e.damaged_msg);
	remove_dir(dir);
	free(dir);
	diag("took %.2f s", now() - t0);
	return done_testing();
}
