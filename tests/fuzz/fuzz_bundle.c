/*
 * Fuzz target: the bundle header parser and the signature check
 * (src/sync/bundle.c), fed arbitrary bytes as a whole bundle file.  The
 * header is parsed, the signature checked with the key the header names,
 * and when the input is long enough its body is run through the chunk
 * reader with a fixed box key pair (the file key never opens, so this
 * reaches the sealed-key check; the record stream has its own target,
 * fuzz_records).  Nothing may crash, leak or read out of bounds.
 *
 * Seeds (tests/fuzz/corpus/bundle/): a real up-bundle header, a hello, a
 * cut one, one with another version, kind and sequence 0.
 */
#include <stdlib.h>

#include "fieldvisit/sync.h"
#include "fuzz.h"

static int drop(void *ctx, const char *line, size_t len, fv_errors *err)
{
	(void)ctx, (void)line, (void)len, (void)err;
	return 0;
}

FV_FUZZ_ENTRY(bundle)
{
	static vault_key *sk;
	static uint8_t pk[VAULT_BOX_PK_BYTES];
	fv_bundle_info info;
	fv_errors err;

	if (vault_init() != FV_OK)
		abort();
	if (!sk)
		vault_box_keypair(&sk, pk);
	fv_errors_init(&err);
	if (fv_bundle_check("fuzz", data, size, &info, &err) == FV_OK &&
	    fv_bundle_records("fuzz", data, size, sk, pk, 1 << 20, drop, NULL, NULL, NULL,
			      &err) == FV_OK)
		abort();   /* the file key is sealed to another key: it never opens */
	fv_errors_release(&err);
	return 0;
}
