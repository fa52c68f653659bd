/*
 * fieldvisit vault: key files, the store master key wrapped in slots.
 *
 * Layout, version 1: 280 bytes, integers little-endian.
 *
 *   offset size  field
 *        0    8  magic "FVKEYS01"
 *        8    4  format version: 1
 *       12   16  store id
 *            --- passphrase slot
 *       28    4  KDF: 2 = Argon2id v1.3 (libsodium's crypto_pwhash_ALG_ARGON2ID13)
 *       32    8  ops (1..100)
 *       40    8  memory in bytes (8 KiB..4 GiB)
 *       48   16  salt
 *       64   24  nonce
 *       88   48  master key wrapped with XChaCha20-Poly1305 under the
 *                Argon2id key: ciphertext (32) || tag (16); the associated
 *                data is bytes 0..63, so the magic, version, store id, KDF,
 *                cost and salt are all bound to the wrapped key
 *            --- recovery slot
 *      136   32  recovery public key (X25519)
 *      168   80  master key sealed to it (crypto_box_seal: ephemeral public
 *                key 32 || ciphertext 32 || tag 16)
 *            ---
 *      248   32  BLAKE2b-256 of bytes 0..247
 *
 * A file is well-formed when it is exactly this long, has the magic, the
 * version, the checksum, the KDF and a cost within bounds.  Everything is
 * checked before Argon2 runs, so a damaged or forged file costs nothing,
 * and only a well-formed file whose slot does not open means a wrong
 * passphrase.
 *
 * PATH.bak holds a copy of PATH (see vault.h for why it is not the
 * previous version).  Writes go PATH first, then PATH.bak, each atomically,
 * so at every instant one of them opens with the old or the new passphrase.
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include <sodium.h>

#include "vault_internal.h"

#define KF_MAGIC "FVKEYS01"
#define KF_VERSION 1u
#define KF_KDF_ARGON2ID13 2u

enum {
	OFF_MAGIC = 0,
	OFF_VERSION = 8,
	OFF_STORE = 12,
	OFF_KDF = 28,
	OFF_OPS = 32,
	OFF_MEM = 40,
	OFF_SALT = 48,
	OFF_NONCE = 64,
	OFF_WRAPPED = 88,
	OFF_RPK = 136,
	OFF_SEALED = 168,
	OFF_SUM = 248,
	KF_SIZE = 280,
};

#define WRAPPED_BYTES (VAULT_KEY_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define SEALED_BYTES (VAULT_KEY_BYTES + crypto_box_SEALBYTES)
#define SUM_BYTES 32

_Static_assert(OFF_STORE + VAULT_STORE_ID_BYTES == OFF_KDF, "layout");
_Static_assert(OFF_SALT + VAULT_PW_SALT_BYTES == OFF_NONCE, "layout");
_Static_assert(OFF_NONCE + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == OFF_WRAPPED,
	       "layout");
_Static_assert(OFF_WRAPPED + WRAPPED_BYTES == OFF_RPK, "layout");
_Static_assert(OFF_RPK + VAULT_BOX_PK_BYTES == OFF_SEALED, "layout");
_Static_assert(OFF_SEALED + SEALED_BYTES == OFF_SUM, "layout");
_Static_assert(OFF_SUM + SUM_BYTES == KF_SIZE, "layout");
_Static_assert(KF_KDF_ARGON2ID13 == crypto_pwhash_ALG_ARGON2ID13, "KDF id");

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static vault_pwcost kf_cost(const uint8_t *kf)
{
	vault_pwcost c = {get_u64(kf + OFF_OPS), get_u64(kf + OFF_MEM)};
	return c;
}

static void kf_checksum(const uint8_t *kf, uint8_t sum[SUM_BYTES])
{
	vault_hash(sum, SUM_BYTES, kf, OFF_SUM);
}

/* 1 when the len bytes at kf are a well-formed key file (see the top). */
static int kf_wellformed(const uint8_t *kf, size_t len)
{
	uint8_t sum[SUM_BYTES];

	if (len != KF_SIZE || memcmp(kf + OFF_MAGIC, KF_MAGIC, 8) != 0 ||
	    get_u32(kf + OFF_VERSION) != KF_VERSION)
		return 0;
	kf_checksum(kf, sum);
	if (memcmp(sum, kf + OFF_SUM, SUM_BYTES) != 0)
		return 0;
	return get_u32(kf + OFF_KDF) == KF_KDF_ARGON2ID13 && vault_pwcost_valid(kf_cost(kf));
}

/* ------------------------------------------------------------------ the two copies */

typedef struct kf_files {
	char *path, *bak;
	uint8_t main[KF_SIZE], backup[KF_SIZE];
	int main_ok, bak_ok;
} kf_files;

/* Read a copy into out; 1 when it is well-formed. */
static int kf_read(const char *path, uint8_t out[KF_SIZE])
{
	uint8_t buf[KF_SIZE + 1];
	size_t len;

	if (vault_read_small(path, buf, sizeof buf, &len) != 0 || !kf_wellformed(buf, len))
		return 0;
	memcpy(out, buf, KF_SIZE);
	return 1;
}

static void kf_files_init(kf_files *f, const char *path)
{
	f->path = fv_xstrdup(path);
	f->bak = fv_xasprintf("%s.bak", path);
	f->main_ok = kf_read(f->path, f->main);
	f->bak_ok = kf_read(f->bak, f->backup);
}

static void kf_files_release(kf_files *f)
{
	free(f->path);
	free(f->bak);
}

/* The copy to use, NULL when neither is well-formed (err says so).  *file
 * is its name. */
static const uint8_t *kf_files_pick(const kf_files *f, const char **file, fv_errors *err)
{
	if (f->main_ok) {
		*file = f->path;
		return f->main;
	}
	if (f->bak_ok) {
		*file = f->bak;
		return f->backup;
	}
	fv_errors_add(err, f->path, 0, "key file damaged or missing (and no usable backup %s)",
		      f->bak);
	return NULL;
}

/* After the picked copy opened: make the other one equal to it, when it is
 * damaged, missing or different.  Returns the status of the write, which
 * the caller ignores: the store is open either way, and the next unlock
 * tries again. */
static fv_status kf_files_repair(const kf_files *f)
{
	fv_errors ignored;
	fv_status st = FV_OK;

	fv_errors_init(&ignored);
	if (!f->main_ok)
		st = fv_write_atomic(f->path, f->backup, KF_SIZE, 0600, &ignored);
	else if (!f->bak_ok || memcmp(f->main, f->backup, KF_SIZE) != 0)
		st = fv_write_atomic(f->bak, f->main, KF_SIZE, 0600, &ignored);
	fv_errors_release(&ignored);
	return st;
}

/* ------------------------------------------------------------------ slots */

/* Argon2id of pass with the salt and cost of kf into pwkey; file names the
 * key file when the memory cannot be had. */
static fv_status kf_derive(uint8_t pwkey[VAULT_KEY_BYTES], const uint8_t *kf, const char *pass,
			   const char *file, fv_errors *err)
{
	vault_pwcost cost = kf_cost(kf);

	if (vault_pwhash(pwkey, pass, kf + OFF_SALT, cost) != 0) {
		fv_errors_add(err, file, 0, "cannot derive the key with %llu MiB of memory: %s",
			      (unsigned long long)(cost.mem >> 20), strerror(errno));
		return FV_EIO;
	}
	return FV_OK;
}

/* Fill the passphrase slot of kf (whose bytes before OFF_KDF are set): new
 * salt and nonce, the cost, and master wrapped under Argon2id(pass).  file
 * names the key file in errors. */
static fv_status kf_wrap(uint8_t kf[KF_SIZE], const vault_key *master, const char *pass,
			 vault_pwcost cost, const char *file, fv_errors *err)
{
	uint8_t *pwkey = vault_secure_alloc(VAULT_KEY_BYTES);
	fv_status st;

	put_u32(kf + OFF_KDF, KF_KDF_ARGON2ID13);
	put_u64(kf + OFF_OPS, cost.ops);
	put_u64(kf + OFF_MEM, cost.mem);
	vault_random(kf + OFF_SALT, VAULT_PW_SALT_BYTES);
	vault_random(kf + OFF_NONCE, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	st = kf_derive(pwkey, kf, pass, file, err);
	if (st == FV_OK)
		crypto_aead_xchacha20poly1305_ietf_encrypt(kf + OFF_WRAPPED, NULL,
							   vault_key_bytes(master),
							   VAULT_KEY_BYTES, kf, OFF_NONCE, NULL,
							   kf + OFF_NONCE, pwkey);
	vault_secure_free(pwkey);
	return st;
}

/* Opens one slot of a well-formed key file into m (guarded memory). */
typedef fv_status slot_open_fn(const uint8_t *kf, const char *file, const void *arg,
			       uint8_t m[VAULT_KEY_BYTES], fv_errors *err);

static fv_status open_passphrase(const uint8_t *kf, const char *file, const void *arg,
				 uint8_t m[VAULT_KEY_BYTES], fv_errors *err)
{
	const char *pass = arg;
	uint8_t *pwkey = vault_secure_alloc(VAULT_KEY_BYTES);
	fv_status st = kf_derive(pwkey, kf, pass, file, err);

	if (st == FV_OK &&
	    crypto_aead_xchacha20poly1305_ietf_decrypt(m, NULL, NULL, kf + OFF_WRAPPED,
						       WRAPPED_BYTES, kf, OFF_NONCE,
						       kf + OFF_NONCE, pwkey) != 0) {
		fv_errors_add(err, NULL, 0, "wrong passphrase");
		st = FV_EPASS;
	}
	vault_secure_free(pwkey);
	return st;
}

static fv_status open_recovery(const uint8_t *kf, const char *file, const void *arg,
			       uint8_t m[VAULT_KEY_BYTES], fv_errors *err)
{
	const uint8_t *sk = arg;
	uint8_t pk[VAULT_BOX_PK_BYTES];

	(void)file;
	if (crypto_scalarmult_base(pk, sk) != 0 ||
	    memcmp(pk, kf + OFF_RPK, VAULT_BOX_PK_BYTES) != 0 ||
	    crypto_box_seal_open(m, kf + OFF_SEALED, SEALED_BYTES, pk, sk) != 0) {
		fv_errors_add(err, NULL, 0, "this recovery key does not belong to this store");
		return FV_EPASS;
	}
	return FV_OK;
}

/* The common part of unlock and recover: pick a well-formed copy, open
 * its slot with fn, give the master key and store id, repair the other
 * copy. */
static fv_status kf_open(const char *path, slot_open_fn *fn, const void *arg,
			 vault_key **master, uint8_t store_id[VAULT_STORE_ID_BYTES],
			 fv_errors *err)
{
	kf_files f;
	const uint8_t *kf;
	const char *file;
	fv_status st = FV_EIO;

	*master = NULL;
	vault_require_init();
	kf_files_init(&f, path);
	kf = kf_files_pick(&f, &file, err);
	if (kf) {
		uint8_t *m = vault_secure_alloc(VAULT_KEY_BYTES);
		st = fn(kf, file, arg, m, err);
		if (st == FV_OK) {
			*master = vault_key_from(m);
			memcpy(store_id, kf + OFF_STORE, VAULT_STORE_ID_BYTES);
			(void)kf_files_repair(&f);
		}
		vault_secure_free(m);
	}
	kf_files_release(&f);
	return st;
}

/* The checks create and rewrap share. */
static fv_status check_new_slot(const char *pass, vault_pwcost cost, fv_errors *err)
{
	const char *problem = vault_passphrase_problem(pass);

	vault_require_init();
	if (problem) {
		fv_errors_add(err, NULL, 0, "%s", problem);
		return FV_EINVAL;
	}
	if (!vault_pwcost_valid(cost)) {
		fv_errors_add(err, NULL, 0,
			      "Argon2 cost out of range: %llu passes over %llu bytes "
			      "(1 to %u passes, %u bytes to 4 GiB)",
			      (unsigned long long)cost.ops, (unsigned long long)cost.mem,
			      VAULT_PW_OPS_MAX, VAULT_PW_MEM_MIN);
		return FV_ERANGE;
	}
	return FV_OK;
}

/* ------------------------------------------------------------------ API */

fv_status vault_keyfile_create(const char *path, const vault_key *master,
			       const uint8_t store_id[VAULT_STORE_ID_BYTES],
			       const char *passphrase, vault_pwcost cost,
			       const uint8_t recovery_pk[VAULT_BOX_PK_BYTES], fv_errors *err)
{
	uint8_t kf[KF_SIZE];
	char *bak;
	fv_status st = check_new_slot(passphrase, cost, err);

	if (st != FV_OK)
		return st;
	bak = fv_xasprintf("%s.bak", path);
	if (vault_path_exists(path) || vault_path_exists(bak)) {
		fv_errors_add(err, vault_path_exists(path) ? path : bak, 0,
			      "a key file already exists");
		st = FV_EIO;
		goto out;
	}
	memset(kf, 0, sizeof kf);
	memcpy(kf + OFF_MAGIC, KF_MAGIC, 8);
	put_u32(kf + OFF_VERSION, KF_VERSION);
	memcpy(kf + OFF_STORE, store_id, VAULT_STORE_ID_BYTES);
	memcpy(kf + OFF_RPK, recovery_pk, VAULT_BOX_PK_BYTES);
	if (crypto_box_seal(kf + OFF_SEALED, vault_key_bytes(master), VAULT_KEY_BYTES,
			    recovery_pk) != 0) {
		fv_errors_add(err, NULL, 0, "invalid recovery public key");
		st = FV_EINVAL;
		goto out;
	}
	st = kf_wrap(kf, master, passphrase, cost, path, err);
	if (st != FV_OK)
		goto out;
	kf_checksum(kf, kf + OFF_SUM);
	st = fv_write_atomic(path, kf, KF_SIZE, 0600, err);
	if (st != FV_OK)
		goto out;
	st = fv_write_atomic(bak, kf, KF_SIZE, 0600, err);
	if (st != FV_OK)
		unlink(path);   /* all or nothing */
out:
	free(bak);
	return st;
}

fv_status vault_keyfile_unlock(const char *path, const char *passphrase, vault_key **master,
			       uint8_t store_id[VAULT_STORE_ID_BYTES], fv_errors *err)
{
	return kf_open(path, open_passphrase, passphrase, master, store_id, err);
}

fv_status vault_keyfile_recover(const char *path, const uint8_t recovery_sk[VAULT_BOX_SK_BYTES],
				vault_key **master, uint8_t store_id[VAULT_STORE_ID_BYTES],
				fv_errors *err)
{
	return kf_open(path, open_recovery, recovery_sk, master, store_id, err);
}

fv_status vault_keyfile_rewrap(const char *path, const vault_key *master,
			       const char *passphrase, vault_pwcost cost, fv_errors *err)
{
	kf_files f;
	const uint8_t *old;
	const char *file;
	uint8_t kf[KF_SIZE];
	fv_status st = check_new_slot(passphrase, cost, err);

	if (st != FV_OK)
		return st;
	kf_files_init(&f, path);
	old = kf_files_pick(&f, &file, err);
	if (!old) {
		st = FV_EIO;
		goto out;
	}
	/* keep the magic, version, store id and recovery slot */
	memcpy(kf, old, KF_SIZE);
	st = kf_wrap(kf, master, passphrase, cost, path, err);
	if (st != FV_OK)
		goto out;
	kf_checksum(kf, kf + OFF_SUM);
	st = fv_write_atomic(f.path, kf, KF_SIZE, 0600, err);
	if (st != FV_OK)
		goto out;
	st = fv_write_atomic(f.bak, kf, KF_SIZE, 0600, err);
	if (st != FV_OK) {
		/* path has the new slot, path.bak the old one: put the old one
		 * back so that the outcome is all or nothing */
		if (fv_write_atomic(f.path, old, KF_SIZE, 0600, err) == FV_OK)
			fv_errors_add(err, NULL, 0, "the passphrase was not changed");
		else
			fv_errors_add(err, f.path, 0,
				      "has the new passphrase, %s still the old one", f.bak);
	}
out:
	kf_files_release(&f);
	return st;
}
