/*
 * fieldvisit vault: what vault.c, keyfile.c and recovery.c share.  Nothing
 * outside src/vault/ includes this header; the rest of the program uses the
 * vault_* API of fieldvisit/vault.h.
 */
#ifndef FV_VAULT_INTERNAL_H
#define FV_VAULT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fieldvisit/vault.h"

/* Argon2id cost bounds.  Key files whose cost is outside them are treated as
 * damaged before any hashing, so a forged file cannot make us allocate a
 * terabyte or spin for an hour; vault_pw_calibrate never leaves them. */
#define VAULT_PW_OPS_MAX 100u
#define VAULT_PW_MEM_MIN 8192u               /* crypto_pwhash_MEMLIMIT_MIN */
#define VAULT_PW_MEM_MAX (UINT64_C(4) << 30) /* 4 GiB */

#define VAULT_PW_SALT_BYTES 16

/* Abort with a message when vault_init() has not run: libsodium's guarded
 * allocator needs it, and calling the vault before it is a programming
 * error, not a condition to handle. */
void vault_require_init(void);

/* n bytes of guarded memory (sodium_malloc: guard pages, locked, canary);
 * release with vault_secure_free, which wipes it.  Never returns NULL: out
 * of memory prints "fieldvisit: out of memory" and exits 4, as fv_xmalloc. */
void *vault_secure_alloc(size_t n);
void vault_secure_free(void *p);

/* 1 when c is within the bounds above (and what this machine's size_t and
 * libsodium can express), else 0. */
int vault_pwcost_valid(vault_pwcost c);

/* Argon2id13 of pass (strlen bytes) with salt and cost c into out (32
 * bytes).  Returns 0, or -1 when libsodium refuses (out of memory for c.mem;
 * errno is then set).  c must be valid (vault_pwcost_valid). */
int vault_pwhash(uint8_t out[VAULT_KEY_BYTES], const char *pass,
		 const uint8_t salt[VAULT_PW_SALT_BYTES], vault_pwcost c);

/* Read at most cap bytes of the regular file path into buf (no stdio, so
 * no copy is left in a stdio buffer); *len is the count read.  A file
 * longer than cap gives *len == cap, so pass one byte more than the
 * longest valid content.  Returns 0, or -1 with errno set when path cannot
 * be opened or read or is not a regular file (EINVAL). */
int vault_read_small(const char *path, void *buf, size_t cap, size_t *len);

/* 1 when something (even a dangling symlink) is at path. */
int vault_path_exists(const char *path);

#endif
