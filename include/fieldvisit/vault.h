/*
 * fieldvisit vault: the only module that includes sodium.h.  Every secret of
 * the program lives here, in sodium_malloc memory that is locked, guarded
 * and wiped when freed.  Names are vault_*; crypto_* is libsodium's prefix.
 *
 * Key file ("sidecar", PATH.keys next to the database, PATH.keys.bak its
 * backup copy): the store master key wrapped in slots.
 *   - a passphrase slot: Argon2id (crypto_pwhash) with the salt and the
 *     limits stored in the slot -> a key that wraps the master key with
 *     XChaCha20-Poly1305;
 *   - a recovery slot: the master key sealed (crypto_box_seal) to a
 *     recovery public key.
 * The file is binary, little-endian, 280 bytes, and ends in a BLAKE2b-256
 * checksum of everything before it (layout: src/vault/keyfile.c).  It is
 * replaced atomically (temp file, fsync, rename, fsync of the folder), and
 * PATH.bak is a second copy of the *current* content, written right after
 * PATH.  It is deliberately not the previous version: a backup that kept
 * the old passphrase slot would let an old, perhaps leaked, passphrase open
 * the store after it was changed.  At every instant at least one of the
 * two files opens with the old or the new passphrase.
 */
#ifndef FIELDVISIT_VAULT_H
#define FIELDVISIT_VAULT_H

#include <stddef.h>
#include <stdint.h>

#include "fieldvisit/core.h"

#define VAULT_KEY_BYTES 32
#define VAULT_STORE_ID_BYTES 16
#define VAULT_BOX_PK_BYTES 32
#define VAULT_BOX_SK_BYTES 32
/* Page cipher: [ciphertext][24-byte nonce][16-byte tag] */
#define VAULT_PAGE_RESERVE 40
/* The largest page the cipher takes (SQLite's largest page size). */
#define VAULT_PAGE_MAX 65536

/* Initialise libsodium and turn core dumps off (RLIMIT_CORE 0, and on Linux
 * the process is made non-dumpable, so no crash reporter gets a core and
 * other processes of the same user cannot ptrace it: start a debugger with
 * the program rather than attach it).  Call it before anything else of the
 * vault (the others abort with a message when it has not run); calling it
 * again is harmless.  Returns FV_EIO when libsodium cannot start or core
 * dumps cannot be turned off. */
FV_MUST_CHECK fv_status vault_init(void);

/* A 32-byte secret in guarded memory. */
typedef struct vault_key vault_key;

/* Making a key never returns NULL: out of memory prints "fieldvisit: out
 * of memory" and exits 4, as fv_xmalloc.  The bytes are read-only once
 * made.  Free every key with vault_key_free.
 *
 * A new random key. */
vault_key *vault_key_random(void);
/* A key from 32 bytes (copied; the caller wipes its copy). */
vault_key *vault_key_from(const uint8_t bytes[VAULT_KEY_BYTES]);
/* Derive subkey number id for purpose ctx (8 characters, e.g. "fvpage01")
 * from a master key (crypto_kdf). */
vault_key *vault_key_derive(const vault_key *master, uint64_t id, const char ctx[8]);
/* Wipe and free; NULL is fine. */
void vault_key_free(vault_key *k);
/* The key's bytes, for the module that needs them (read-only). */
const uint8_t *vault_key_bytes(const vault_key *k);

/* Wipe n bytes at p (sodium_memzero). */
void vault_wipe(void *p, size_t n);
/* Fill p with n random bytes. */
void vault_random(void *p, size_t n);
/* A random UUID v4 as lowercase text, 8-4-4-4-12 (37 bytes with the NUL). */
void vault_uuid(char out[37]);
/* BLAKE2b (crypto_generichash, unkeyed) of in, outlen bytes: 16 to 64
 * (another length is a programming error and aborts). */
void vault_hash(uint8_t *out, size_t outlen, const void *in, size_t inlen);
/* Keyed BLAKE2b (crypto_generichash with a key of 16 to 64 bytes) of in,
 * outlen bytes (16 to 64; other lengths are a programming error and
 * abort).  The same key and input give the same bytes on every machine:
 * reproducible draws (callback samples) rank records by it. */
void vault_keyed_hash(uint8_t *out, size_t outlen, const uint8_t *key, size_t keylen,
		      const void *in, size_t inlen);
/*
 * For tests that compare whole outputs with golden files: from now on
 * vault_uuid gives a fixed sequence of UUIDs drawn from seed (a new
 * random-looking id each call, the same sequence in every run) instead of
 * random ones; seed 0 goes back to random ids.  Never used by the program.
 */
void vault_uuid_pin(uint64_t seed);

/*
 * Page cipher (XChaCha20-Poly1305, a fresh random nonce on every seal).
 * page is len bytes (the database page size, VAULT_PAGE_RESERVE < len <=
 * VAULT_PAGE_MAX; another size is a programming error and aborts) whose
 * last VAULT_PAGE_RESERVE bytes are reserved: seal encrypts the first
 * len - 40 bytes in place and writes the nonce and tag into the reserve;
 * the associated data is store_id (16 bytes) || pgno (4 bytes,
 * little-endian), so a page cannot be moved within a store or spliced from
 * another.  open checks and decrypts in place and returns 1, or returns 0
 * when the page is not authentic (wrong key, store id or page number, any
 * byte changed; an all-zero page is not authentic either) and leaves it
 * unchanged.  No allocation: open uses up to 64 KiB of stack, wiped after.
 * k is a key derived for pages (vault_key_derive), not the master key.
 */
void vault_page_seal(const vault_key *k, const uint8_t store_id[VAULT_STORE_ID_BYTES],
		     uint32_t pgno, uint8_t *page, size_t len);
FV_MUST_CHECK int vault_page_open(const vault_key *k,
				  const uint8_t store_id[VAULT_STORE_ID_BYTES], uint32_t pgno,
				  uint8_t *page, size_t len);

/* Argon2id cost, stored in the passphrase slot. */
typedef struct vault_pwcost {
	uint64_t ops;
	uint64_t mem;   /* bytes */
} vault_pwcost;

/* Measure this machine and return the cost that takes about target
 * seconds with at least min_mem bytes (never below 64 MiB, never above
 * 4 GiB): runs one Argon2id hash at ops 1 with that memory and scales ops
 * (1 to 100) to the target, so calibrating takes about target / ops
 * seconds (well under 2 s for a target of 1 s).  If that hash fails (no
 * memory), it returns ops 1 and the memory asked, and vault_keyfile_create
 * then reports the failure. */
vault_pwcost vault_pw_calibrate(double target_seconds, uint64_t min_mem);
/* The smallest cost libsodium allows (ops 1, 8 KiB): it protects nothing.
 * The program uses it instead of vault_pw_calibrate only when the test
 * suites set FIELDVISIT_TEST_FAST_KDF=1 (the caller checks the variable,
 * and should say on stderr that it is in effect); unit tests call it
 * directly. */
vault_pwcost vault_pw_fast(void);

/* Check a passphrase against the rules (at least 8 characters, counted as
 * UTF-8 characters, so 8 Chinese characters are enough).  Returns NULL when
 * fine, else the reason in English, e.g. "the passphrase must have at least
 * 8 characters" (a static string). */
const char *vault_passphrase_problem(const char *pass);

/*
 * Key files.  path is the key file itself; path.bak is its backup copy,
 * and path.tmp / path.bak.tmp are used while writing.
 *
 * create writes a new key file for master (store id given), with a
 * passphrase slot and a recovery slot sealed to recovery_pk, to path and
 * then path.bak (mode 0600); on failure neither is left behind.  It
 * refuses (FV_EIO, "PATH: a key file already exists") when path or
 * path.bak exists: overwriting a key file loses the store.  FV_EINVAL for
 * a passphrase that breaks vault_passphrase_problem's rules or an invalid
 * recovery_pk, FV_ERANGE for a cost outside 1..100 ops / 8 KiB..4 GiB.
 *
 * unlock opens the passphrase slot and gives a new master key (the caller
 * frees it) and the store id.  FV_EPASS "wrong passphrase" when the
 * passphrase is wrong (after the full Argon2 time); FV_EIO "PATH: key file
 * damaged or missing (and no usable backup PATH.bak)" when neither file is
 * a well-formed key file (missing, short, bad magic or checksum, unknown
 * version, absurd cost: all refused before any hashing); FV_EIO naming the
 * file when Argon2 cannot get the memory the file asks for.  path is used
 * when well-formed, else path.bak.  After a successful unlock the other
 * copy is repaired when it is damaged, missing or different (best effort:
 * a failed repair is not an error).  *master is NULL on failure.
 *
 * rewrap replaces the passphrase slot (new salt, new cost) and keeps the
 * store id and the recovery slot.  It writes path, then path.bak; if the
 * second write fails it puts the old content back into path, so on
 * failure the old passphrase still opens the store (unless the rollback
 * failed too: the error then says so).  master must be the key unlock
 * gave: rewrap cannot check it.  Same FV_EINVAL/FV_ERANGE as create.
 *
 * recover opens the recovery slot with the recovery secret key: FV_EPASS
 * "this recovery key does not belong to this store" when it is another
 * key; otherwise as unlock.  Every store needs a recovery public key: an
 * all-zero one is refused by create.
 */
FV_MUST_CHECK fv_status vault_keyfile_create(const char *path, const vault_key *master,
					     const uint8_t store_id[VAULT_STORE_ID_BYTES],
					     const char *passphrase, vault_pwcost cost,
					     const uint8_t recovery_pk[VAULT_BOX_PK_BYTES],
					     fv_errors *err);
FV_MUST_CHECK fv_status vault_keyfile_unlock(const char *path, const char *passphrase,
					     vault_key **master,
					     uint8_t store_id[VAULT_STORE_ID_BYTES],
					     fv_errors *err);
FV_MUST_CHECK fv_status vault_keyfile_rewrap(const char *path, const vault_key *master,
					     const char *passphrase, vault_pwcost cost,
					     fv_errors *err);
FV_MUST_CHECK fv_status vault_keyfile_recover(const char *path,
					      const uint8_t recovery_sk[VAULT_BOX_SK_BYTES],
					      vault_key **master,
					      uint8_t store_id[VAULT_STORE_ID_BYTES],
					      fv_errors *err);

/* A recovery key pair: the public half goes into key files, the secret
 * half into a file the user keeps elsewhere (written 0600, atomically).
 * The file is text, three lines: "fieldvisit recovery key v1", the secret
 * key and the public key in base64 (RFC 4648 with padding).  create
 * refuses a secret_path that exists (FV_EIO "FILE: already exists ..."):
 * overwriting it would orphan every store sealed to the old key.  load
 * gives both halves (the caller wipes sk with vault_wipe); FV_EIO when the
 * file cannot be read, FV_EINVAL "FILE: not a fieldvisit recovery key"
 * when it is not one or its halves do not match. */
FV_MUST_CHECK fv_status vault_recovery_create(const char *secret_path,
					      uint8_t pk[VAULT_BOX_PK_BYTES], fv_errors *err);
FV_MUST_CHECK fv_status vault_recovery_load(const char *secret_path,
					    uint8_t sk[VAULT_BOX_SK_BYTES],
					    uint8_t pk[VAULT_BOX_PK_BYTES], fv_errors *err);

#endif
