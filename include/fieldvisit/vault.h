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

/*
 * Sync keys and bundles (src/vault/sign.c).  A store has an Ed25519
 * signing key pair and an X25519 box key pair; the secret halves are kept
 * as 32-byte vault_keys (the Ed25519 secret is its seed), inside the
 * encrypted database.
 */
#define VAULT_SIGN_PK_BYTES 32
#define VAULT_SIGNATURE_BYTES 64
#define VAULT_KEY_ID_BYTES 8
#define VAULT_SEALED_KEY_BYTES 80     /* a 32-byte key sealed with crypto_box_seal */
#define VAULT_HASH512_BYTES 64
#define VAULT_STREAM_HEADER_BYTES 24  /* secretstream header */
#define VAULT_STREAM_ABYTES 17        /* what each chunk adds */
#define VAULT_AEAD_NONCE_BYTES 24
#define VAULT_AEAD_TAG_BYTES 16
/* "1a2b-3c4d-5e6f-7a8b" and its NUL */
#define VAULT_FINGERPRINT_BYTES 20

/* A new signing key pair: *seed (the secret, free with vault_key_free)
 * and its public key. */
void vault_sign_keypair(vault_key **seed, uint8_t pk[VAULT_SIGN_PK_BYTES]);
/* The public key of a signing seed. */
void vault_sign_public(const vault_key *seed, uint8_t pk[VAULT_SIGN_PK_BYTES]);
/* Ed25519 signature of msg (len bytes) with the key pair of seed. */
void vault_sign(const vault_key *seed, const void *msg, size_t len,
		uint8_t sig[VAULT_SIGNATURE_BYTES]);
/* 1 when sig is a valid signature of msg by pk, else 0 (also for a public
 * key that is not a valid point). */
FV_MUST_CHECK int vault_sign_verify(const uint8_t pk[VAULT_SIGN_PK_BYTES], const void *msg,
				    size_t len, const uint8_t sig[VAULT_SIGNATURE_BYTES]);

/* A new X25519 box key pair: *sk (free with vault_key_free) and pk. */
void vault_box_keypair(vault_key **sk, uint8_t pk[VAULT_BOX_PK_BYTES]);
/* The public key of a box secret key. */
void vault_box_public(const vault_key *sk, uint8_t pk[VAULT_BOX_PK_BYTES]);

/* Seal key (32 bytes) to the box public key pk (crypto_box_seal): only
 * the holder of the secret key opens it.  0, or -1 when pk is not a
 * usable public key. */
FV_MUST_CHECK int vault_seal_key(const vault_key *key, const uint8_t pk[VAULT_BOX_PK_BYTES],
				 uint8_t sealed[VAULT_SEALED_KEY_BYTES]);
/* Open a sealed key with the box key pair (sk, pk): a new key, or NULL
 * when it was not sealed to this key pair or was changed. */
vault_key *vault_seal_open_key(const uint8_t sealed[VAULT_SEALED_KEY_BYTES],
			       const vault_key *sk, const uint8_t pk[VAULT_BOX_PK_BYTES]);

/* The key id of a signing public key: the first 8 bytes of its BLAKE2b-256
 * hash.  The fingerprint is the key id as 16 lowercase hex digits in four
 * groups, "1a2b-3c4d-5e6f-7a8b": what two people compare. */
void vault_key_id(const uint8_t pk[VAULT_SIGN_PK_BYTES], uint8_t id[VAULT_KEY_ID_BYTES]);
void vault_fingerprint(const uint8_t id[VAULT_KEY_ID_BYTES], char out[VAULT_FINGERPRINT_BYTES]);

/* Streaming BLAKE2b-512 (unkeyed).  new never returns NULL; final writes
 * the 64 bytes and frees h. */
typedef struct vault_hasher vault_hasher;
vault_hasher *vault_hasher_new(void);
void vault_hasher_update(vault_hasher *h, const void *in, size_t len);
void vault_hasher_final(vault_hasher *h, uint8_t out[VAULT_HASH512_BYTES]);
/* Drop a hasher without a result (NULL is fine). */
void vault_hasher_free(vault_hasher *h);

/* A keyed BLAKE2b-256 of in (a MAC): proofs that the sender knows key. */
void vault_mac(const vault_key *key, const void *in, size_t len, uint8_t out[32]);
/* Compare n bytes in constant time: 1 when equal. */
int vault_equal(const void *a, const void *b, size_t n);

/*
 * crypto_secretstream_xchacha20poly1305: a stream of chunks, each
 * authenticated and in order; the last one carries the FINAL tag.
 * push_new writes the 24-byte stream header; push encrypts len bytes of in
 * into out (len + VAULT_STREAM_ABYTES bytes), final marks the last chunk.
 * pull_new returns NULL for a header that cannot start a stream; pull
 * decrypts a chunk (inlen >= VAULT_STREAM_ABYTES) into out (inlen - 17
 * bytes), sets *final when it is the last, and returns 0, or -1 when the
 * chunk is not authentic (changed, reordered, from another stream).
 * free wipes the state (NULL is fine).
 */
typedef struct vault_stream vault_stream;
vault_stream *vault_stream_push_new(const vault_key *key,
				    uint8_t header[VAULT_STREAM_HEADER_BYTES]);
void vault_stream_push(vault_stream *st, const uint8_t *in, size_t len, int final,
		       uint8_t *out);
vault_stream *vault_stream_pull_new(const vault_key *key,
				    const uint8_t header[VAULT_STREAM_HEADER_BYTES]);
FV_MUST_CHECK int vault_stream_pull(vault_stream *st, const uint8_t *in, size_t inlen,
				    uint8_t *out, int *final);
void vault_stream_free(vault_stream *st);

/*
 * XChaCha20-Poly1305 of a small message with a key: out is
 * [24-byte random nonce][ciphertext][16-byte tag] (len + 40 bytes),
 * the associated data ad (adlen bytes, may be 0) is authenticated too.
 * open writes len - 40 bytes and returns 0, or -1 when not authentic.
 */
void vault_aead_seal(const vault_key *key, const void *ad, size_t adlen, const uint8_t *in,
		     size_t len, uint8_t *out);
FV_MUST_CHECK int vault_aead_open(const vault_key *key, const void *ad, size_t adlen,
				  const uint8_t *in, size_t len, uint8_t *out);
/* A key from a high-entropy secret text (an invitation code): keyed
 * BLAKE2b-256 of text under the 8-character context ctx.  Not for
 * passphrases (no work factor): only for random codes. */
vault_key *vault_key_from_code(const char *text, const char ctx[8]);

#endif
