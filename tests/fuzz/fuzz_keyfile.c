/*
 * Fuzz target: the key file reader (src/vault/keyfile.c), fed arbitrary
 * bytes as a key file with no backup.  Each input is unlocked with a fixed
 * passphrase and recovered with a fixed recovery secret key.  Nothing may
 * crash, leak or read out of bounds, and nothing but a well-formed file
 * (right length, magic, version, checksum, KDF and cost bounds) may reach
 * Argon2: that is what keeps a forged file from costing time or memory,
 * and what keeps this target fast.
 *
 * The seed corpus (tests/fuzz/corpus/keyfile/) holds key files made by
 * vault_keyfile_create with vault_pw_fast() costs and the recovery key
 * below, and damaged copies of them:
 *   valid          opens with PASSPHRASE and with recovery_sk
 *   other_pass     well-formed, made with another passphrase (FV_EPASS)
 *   bad_checksum   valid with a byte of the slot flipped
 *   truncated      the first 100 bytes of valid
 *   huge_cost      valid asking for 1 TiB, checksum fixed: refused unhashed
 *
 *   libFuzzer:  ./configure CC=clang --enable-fuzzing && make
 *               tests/fuzz/fuzz_keyfile tests/fuzz/corpus/keyfile
 *   replay:     tests/unit/test_fuzz_corpus (make check)
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fieldvisit/vault.h"
#include "fuzz.h"

#define PASSPHRASE "fuzzing passphrase"

/* the secret half of the corpus's recovery key: bytes 1, 2, ..., 32 */
static const uint8_t recovery_sk[VAULT_BOX_SK_BYTES] = {
	1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

/* Remove what the vault may have written next to path (a repaired backup,
 * temp files). */
static void remove_extras(const char *path)
{
	static const char *const extra[] = {".tmp", ".bak", ".bak.tmp"};

	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
		char *p = fv_xasprintf("%s%s", path, extra[i]);
		unlink(p);
		free(p);
	}
}

/* Write the input as path, with nothing next to it. */
static void put_input(const char *path, const uint8_t *data, size_t size)
{
	FILE *fp;

	remove_extras(path);
	fp = fopen(path, "wb");
	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		abort();
}

FV_FUZZ_ENTRY(keyfile)
{
	const char *tmp = getenv("TMPDIR");
	char *dir, *path;
	fv_errors err;
	vault_key *master = NULL;
	uint8_t store_id[VAULT_STORE_ID_BYTES];

	if (vault_init() != FV_OK)
		abort();
	if (!tmp || !*tmp)
		tmp = "/tmp";
	dir = fv_xasprintf("%s/fv-fuzz-keyfile-XXXXXX", tmp);
	if (!mkdtemp(dir))
		abort();
	path = fv_xasprintf("%s/k", dir);
	fv_errors_init(&err);

	put_input(path, data, size);
	if (vault_keyfile_unlock(path, PASSPHRASE, &master, store_id, &err) == FV_OK)
		vault_key_free(master);
	fv_errors_release(&err);

	put_input(path, data, size);
	if (vault_keyfile_recover(path, recovery_sk, &master, store_id, &err) == FV_OK)
		vault_key_free(master);
	fv_errors_release(&err);

	remove_extras(path);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	return 0;
}
