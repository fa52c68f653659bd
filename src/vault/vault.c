/*
 * fieldvisit vault: libsodium start-up, keys in guarded memory, random
 * bytes and ids, hashing, the page cipher and the passphrase rules and
 * costs.  Key files are keyfile.c, recovery key files recovery.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <sodium.h>

#include "vault_internal.h"

/* The passphrase rule of vault_passphrase_problem. */
#define PASS_MIN_CHARS 8
/* vault_pw_calibrate never goes below this much memory (DESIGN.md §4). */
#define CALIBRATE_MEM_FLOOR (UINT64_C(64) << 20)

#define PAGE_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define PAGE_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define PAGE_AD_BYTES (VAULT_STORE_ID_BYTES + 4)

_Static_assert(PAGE_NONCE_BYTES + PAGE_TAG_BYTES == VAULT_PAGE_RESERVE,
	       "the page reserve holds a nonce and a tag");
_Static_assert(VAULT_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES &&
	       VAULT_KEY_BYTES == crypto_kdf_KEYBYTES, "vault keys are 32 bytes");
_Static_assert(VAULT_BOX_PK_BYTES == crypto_box_PUBLICKEYBYTES &&
	       VAULT_BOX_SK_BYTES == crypto_box_SECRETKEYBYTES, "box keys are 32 bytes");
_Static_assert(VAULT_PW_SALT_BYTES == crypto_pwhash_SALTBYTES, "Argon2 salt");
_Static_assert(VAULT_PW_MEM_MIN == crypto_pwhash_MEMLIMIT_MIN, "Argon2 memory floor");

struct vault_key {
	uint8_t b[VAULT_KEY_BYTES];
};

static int initialised;

fv_status vault_init(void)
{
	struct rlimit none = {0, 0};

	if (sodium_init() < 0)
		return FV_EIO;
	if (setrlimit(RLIMIT_CORE, &none) != 0)
		return FV_EIO;
#ifdef __linux__
	/* RLIMIT_CORE does not stop a core_pattern pipe (systemd-coredump,
	 * apport) on every system; a non-dumpable process gets no core at
	 * all, and cannot be ptraced by other processes of the user. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return FV_EIO;
#endif
	initialised = 1;
	return FV_OK;
}

void vault_require_init(void)
{
	if (!initialised) {
		fputs("fieldvisit: internal error: vault used before vault_init()\n", stderr);
		abort();
	}
}

void *vault_secure_alloc(size_t n)
{
	void *p;

	vault_require_init();
	p = sodium_malloc(n);
	if (!p) {
		fputs("fieldvisit: out of memory\n", stderr);
		exit(4);
	}
	return p;
}

void vault_secure_free(void *p)
{
	sodium_free(p);   /* wipes; NULL is fine */
}

int vault_read_small(const char *path, void *buf, size_t cap, size_t *len)
{
	struct stat sb;
	uint8_t *p = buf;
	int fd, saved;

	*len = 0;
	/* O_NONBLOCK: a FIFO must not hang the open; no effect on files */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) != 0)
		goto fail;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	while (*len < cap) {
		ssize_t n = read(fd, p + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	close(fd);
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int vault_path_exists(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) == 0;
}

/* ------------------------------------------------------------------ keys */

/* A writable key; the caller fills it and calls key_lock. */
static vault_key *key_alloc(void)
{
	return vault_secure_alloc(sizeof(vault_key));
}

static vault_key *key_lock(vault_key *k)
{
	/* Best effort: a key that stays writable is still guarded and wiped. */
	(void)sodium_mprotect_readonly(k);
	return k;
}

vault_key *vault_key_random(void)
{
	vault_key *k = key_alloc();
	crypto_kdf_keygen(k->b);
	return key_lock(k);
}

vault_key *vault_key_from(const uint8_t bytes[VAULT_KEY_BYTES])
{
	vault_key *k = key_alloc();
	memcpy(k->b, bytes, VAULT_KEY_BYTES);
	return key_lock(k);
}

vault_key *vault_key_derive(const vault_key *master, uint64_t id, const char ctx[8])
{
	vault_key *k = key_alloc();
	/* fails only for a subkey length out of range, and 32 is in range */
	if (crypto_kdf_derive_from_key(k->b, sizeof k->b, id, ctx, master->b) != 0)
		abort();
	return key_lock(k);
}

void vault_key_free(vault_key *k)
{
	sodium_free(k);
}

const uint8_t *vault_key_bytes(const vault_key *k)
{
	return k->b;
}

/* ------------------------------------------------------------------ bytes */

void vault_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

void vault_random(void *p, size_t n)
{
	vault_require_init();
	randombytes_buf(p, n);
}

/* The pinned sequence of vault_uuid_pin: the seed and a counter, hashed. */
static uint64_t uuid_seed, uuid_count;

void vault_uuid_pin(uint64_t seed)
{
	uuid_seed = seed;
	uuid_count = 0;
}

void vault_uuid(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t b[16];
	size_t o = 0;

	if (uuid_seed) {
		uint64_t in[2] = {uuid_seed, uuid_count++};
		vault_hash(b, sizeof b, in, sizeof in);
	} else {
		vault_random(b, sizeof b);
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);   /* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);   /* variant 10xx (RFC 4122) */
	for (size_t i = 0; i < sizeof b; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0f];
	}
	out[o] = '\0';
}

void vault_hash(uint8_t *out, size_t outlen, const void *in, size_t inlen)
{
	vault_require_init();
	if (crypto_generichash(out, outlen, in, inlen, NULL, 0) != 0) {
		fprintf(stderr, "fieldvisit: internal error: vault_hash of %zu bytes\n", outlen);
		abort();
	}
}

void vault_keyed_hash(uint8_t *out, size_t outlen, const uint8_t *key, size_t keylen,
		      const void *in, size_t inlen)
{
	vault_require_init();
	if (keylen < crypto_generichash_KEYBYTES_MIN || keylen > crypto_generichash_KEYBYTES_MAX ||
	    crypto_generichash(out, outlen, in, inlen, key, keylen) != 0) {
		fprintf(stderr, "fieldvisit: internal error: vault_keyed_hash of %zu bytes\n",
			outlen);
		abort();
	}
}

/* ------------------------------------------------------------------ pages */

static void page_check_len(const char *what, size_t len)
{
	if (len <= VAULT_PAGE_RESERVE || len > VAULT_PAGE_MAX) {
		fprintf(stderr, "fieldvisit: internal error: %s of a %zu-byte page\n", what, len);
		abort();
	}
}

static void page_ad(uint8_t ad[PAGE_AD_BYTES], const uint8_t store_id[VAULT_STORE_ID_BYTES],
		    uint32_t pgno)
{
	memcpy(ad, store_id, VAULT_STORE_ID_BYTES);
	ad[VAULT_STORE_ID_BYTES + 0] = (uint8_t)pgno;
	ad[VAULT_STORE_ID_BYTES + 1] = (uint8_t)(pgno >> 8);
	ad[VAULT_STORE_ID_BYTES + 2] = (uint8_t)(pgno >> 16);
	ad[VAULT_STORE_ID_BYTES + 3] = (uint8_t)(pgno >> 24);
}

void vault_page_seal(const vault_key *k, const uint8_t store_id[VAULT_STORE_ID_BYTES],
		     uint32_t pgno, uint8_t *page, size_t len)
{
	uint8_t ad[PAGE_AD_BYTES];
	size_t n;
	uint8_t *nonce, *tag;

	page_check_len("vault_page_seal", len);
	n = len - VAULT_PAGE_RESERVE;
	nonce = page + n;
	tag = nonce + PAGE_NONCE_BYTES;
	page_ad(ad, store_id, pgno);
	randombytes_buf(nonce, PAGE_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt_detached(page, tag, NULL, page, n, ad,
							    sizeof ad, NULL, nonce, k->b);
}

int vault_page_open(const vault_key *k, const uint8_t store_id[VAULT_STORE_ID_BYTES],
		    uint32_t pgno, uint8_t *page, size_t len)
{
	/* Not in place: on a failed tag libsodium zeroes the output buffer,
	 * and a page that does not open must be left as it was. */
	uint8_t plain[VAULT_PAGE_MAX - VAULT_PAGE_RESERVE];
	uint8_t ad[PAGE_AD_BYTES];
	size_t n;

	page_check_len("vault_page_open", len);
	n = len - VAULT_PAGE_RESERVE;
	page_ad(ad, store_id, pgno);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(plain, NULL, page, n,
								page + n + PAGE_NONCE_BYTES,
								ad, sizeof ad, page + n,
								k->b) != 0)
		return 0;
	memcpy(page, plain, n);
	sodium_memzero(plain, n);
	return 1;
}

/* ------------------------------------------------------------------ passphrases */

const char *vault_passphrase_problem(const char *pass)
{
	if (!pass || fv_utf8_len(pass) < PASS_MIN_CHARS)
		return "the passphrase must have at least 8 characters";
	return NULL;
}

/* The most memory a cost may ask for on this machine. */
static uint64_t pw_mem_max(void)
{
	uint64_t max = VAULT_PW_MEM_MAX;
	if ((uint64_t)crypto_pwhash_MEMLIMIT_MAX < max)
		max = (uint64_t)crypto_pwhash_MEMLIMIT_MAX;
	if ((uint64_t)SIZE_MAX < max)
		max = (uint64_t)SIZE_MAX;
	return max;
}

int vault_pwcost_valid(vault_pwcost c)
{
	return c.ops >= crypto_pwhash_OPSLIMIT_MIN && c.ops <= VAULT_PW_OPS_MAX &&
	       c.mem >= VAULT_PW_MEM_MIN && c.mem <= pw_mem_max();
}

int vault_pwhash(uint8_t out[VAULT_KEY_BYTES], const char *pass,
		 const uint8_t salt[VAULT_PW_SALT_BYTES], vault_pwcost c)
{
	vault_require_init();
	return crypto_pwhash(out, VAULT_KEY_BYTES, pass, strlen(pass), salt, c.ops,
			     (size_t)c.mem, crypto_pwhash_ALG_ARGON2ID13);
}

static double monotonic_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

vault_pwcost vault_pw_calibrate(double target_seconds, uint64_t min_mem)
{
	vault_pwcost c = {1, CALIBRATE_MEM_FLOOR};
	uint8_t salt[VAULT_PW_SALT_BYTES];
	uint8_t *out = vault_secure_alloc(VAULT_KEY_BYTES);
	double t0, took, ops;
	int rc;

	if (min_mem > c.mem)
		c.mem = min_mem;
	if (c.mem > pw_mem_max())
		c.mem = pw_mem_max();
	vault_random(salt, sizeof salt);
	/* Argon2's time is a fixed part (allocating and first touching the
	 * memory) plus a part linear in ops: time one and two passes, and
	 * solve for the ops that reach the target. */
	t0 = monotonic_seconds();
	rc = vault_pwhash(out, "fieldvisit calibration", salt, c);
	took = monotonic_seconds() - t0;
	double fixed = 0.0, pass = took;
	if (rc == 0 && target_seconds > 2 * took) {
		vault_pwcost two = {2, c.mem};
		t0 = monotonic_seconds();
		rc = vault_pwhash(out, "fieldvisit calibration", salt, two);
		double took2 = monotonic_seconds() - t0;
		if (took2 > took) {
			pass = took2 - took;
			fixed = took - pass > 0.0 ? took - pass : 0.0;
		}
	}
	vault_secure_free(out);
	if (rc != 0 || !(pass > 0.0) || !(target_seconds > took))
		return c;
	ops = (target_seconds - fixed) / pass + 0.5;
	c.ops = ops >= (double)VAULT_PW_OPS_MAX ? VAULT_PW_OPS_MAX : (uint64_t)ops;
	if (c.ops < 1)
		c.ops = 1;
	return c;
}

vault_pwcost vault_pw_fast(void)
{
	vault_pwcost c = {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
	return c;
}
