/*
 * fieldvisit vault: what sync bundles need -- signing (Ed25519), box keys
 * (X25519) and sealed file keys, key ids and fingerprints, streaming
 * BLAKE2b-512, the secretstream chunk cipher and a small AEAD for
 * invitations.  Secrets stay in guarded memory: the Ed25519 secret key is
 * kept as its 32-byte seed (a vault_key) and expanded only for the moment
 * of a signature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "vault_internal.h"

_Static_assert(VAULT_SIGN_PK_BYTES == crypto_sign_PUBLICKEYBYTES, "Ed25519 public key");
_Static_assert(VAULT_SIGNATURE_BYTES == crypto_sign_BYTES, "Ed25519 signature");
_Static_assert(VAULT_KEY_BYTES == crypto_sign_SEEDBYTES, "Ed25519 seed");
_Static_assert(VAULT_SEALED_KEY_BYTES == VAULT_KEY_BYTES + crypto_box_SEALBYTES, "sealed key");
_Static_assert(VAULT_STREAM_HEADER_BYTES ==
	       crypto_secretstream_xchacha20poly1305_HEADERBYTES, "stream header");
_Static_assert(VAULT_STREAM_ABYTES == crypto_secretstream_xchacha20poly1305_ABYTES,
	       "stream chunk overhead");
_Static_assert(VAULT_AEAD_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES &&
	       VAULT_AEAD_TAG_BYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES, "aead");

/* ------------------------------------------------------------------ signing */

void vault_sign_keypair(vault_key **seed, uint8_t pk[VAULT_SIGN_PK_BYTES])
{
	uint8_t *b = vault_secure_alloc(VAULT_KEY_BYTES);
	randombytes_buf(b, VAULT_KEY_BYTES);
	*seed = vault_key_from(b);
	vault_secure_free(b);
	vault_sign_public(*seed, pk);
}

/* The expanded secret key of a seed, in guarded memory. */
static uint8_t *expand(const vault_key *seed, uint8_t pk[VAULT_SIGN_PK_BYTES])
{
	uint8_t *sk = vault_secure_alloc(crypto_sign_SECRETKEYBYTES);
	crypto_sign_seed_keypair(pk, sk, vault_key_bytes(seed));
	return sk;
}

void vault_sign_public(const vault_key *seed, uint8_t pk[VAULT_SIGN_PK_BYTES])
{
	vault_secure_free(expand(seed, pk));
}

void vault_sign(const vault_key *seed, const void *msg, size_t len,
		uint8_t sig[VAULT_SIGNATURE_BYTES])
{
	uint8_t pk[VAULT_SIGN_PK_BYTES];
	uint8_t *sk = expand(seed, pk);
	crypto_sign_detached(sig, NULL, msg, len, sk);
	vault_secure_free(sk);
}

int vault_sign_verify(const uint8_t pk[VAULT_SIGN_PK_BYTES], const void *msg, size_t len,
		      const uint8_t sig[VAULT_SIGNATURE_BYTES])
{
	vault_require_init();
	return crypto_sign_verify_detached(sig, msg, len, pk) == 0;
}

/* ------------------------------------------------------------------ box keys */

void vault_box_keypair(vault_key **sk, uint8_t pk[VAULT_BOX_PK_BYTES])
{
	uint8_t *b = vault_secure_alloc(VAULT_BOX_SK_BYTES);
	crypto_box_keypair(pk, b);
	*sk = vault_key_from(b);
	vault_secure_free(b);
}

void vault_box_public(const vault_key *sk, uint8_t pk[VAULT_BOX_PK_BYTES])
{
	vault_require_init();
	crypto_scalarmult_base(pk, vault_key_bytes(sk));
}

int vault_seal_key(const vault_key *key, const uint8_t pk[VAULT_BOX_PK_BYTES],
		   uint8_t sealed[VAULT_SEALED_KEY_BYTES])
{
	vault_require_init();
	return crypto_box_seal(sealed, vault_key_bytes(key), VAULT_KEY_BYTES, pk) == 0 ? 0 : -1;
}

vault_key *vault_seal_open_key(const uint8_t sealed[VAULT_SEALED_KEY_BYTES],
			       const vault_key *sk, const uint8_t pk[VAULT_BOX_PK_BYTES])
{
	uint8_t *b = vault_secure_alloc(VAULT_KEY_BYTES);
	vault_key *k = NULL;
	if (crypto_box_seal_open(b, sealed, VAULT_SEALED_KEY_BYTES, pk, vault_key_bytes(sk)) == 0)
		k = vault_key_from(b);
	vault_secure_free(b);
	return k;
}

/* ------------------------------------------------------------------ ids */

void vault_key_id(const uint8_t pk[VAULT_SIGN_PK_BYTES], uint8_t id[VAULT_KEY_ID_BYTES])
{
	uint8_t h[32];
	vault_hash(h, sizeof h, pk, VAULT_SIGN_PK_BYTES);
	memcpy(id, h, VAULT_KEY_ID_BYTES);
}

void vault_fingerprint(const uint8_t id[VAULT_KEY_ID_BYTES], char out[VAULT_FINGERPRINT_BYTES])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < VAULT_KEY_ID_BYTES; i++) {
		if (i && i % 2 == 0)
			out[o++] = '-';
		out[o++] = hex[id[i] >> 4];
		out[o++] = hex[id[i] & 15];
	}
	out[o] = '\0';
}

/* ------------------------------------------------------------------ hashing */

struct vault_hasher {
	crypto_generichash_state st;
};

vault_hasher *vault_hasher_new(void)
{
	vault_hasher *h;
	vault_require_init();
	h = fv_xmalloc(sizeof *h);
	crypto_generichash_init(&h->st, NULL, 0, VAULT_HASH512_BYTES);
	return h;
}

void vault_hasher_update(vault_hasher *h, const void *in, size_t len)
{
	crypto_generichash_update(&h->st, in, len);
}

void vault_hasher_final(vault_hasher *h, uint8_t out[VAULT_HASH512_BYTES])
{
	crypto_generichash_final(&h->st, out, VAULT_HASH512_BYTES);
	vault_hasher_free(h);
}

void vault_hasher_free(vault_hasher *h)
{
	if (!h)
		return;
	sodium_memzero(h, sizeof *h);
	free(h);
}

void vault_mac(const vault_key *key, const void *in, size_t len, uint8_t out[32])
{
	vault_require_init();
	crypto_generichash(out, 32, in, len, vault_key_bytes(key), VAULT_KEY_BYTES);
}

int vault_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

/* ------------------------------------------------------------------ streams */

struct vault_stream {
	crypto_secretstream_xchacha20poly1305_state st;
};

vault_stream *vault_stream_push_new(const vault_key *key,
				    uint8_t header[VAULT_STREAM_HEADER_BYTES])
{
	vault_stream *s = vault_secure_alloc(sizeof *s);
	crypto_secretstream_xchacha20poly1305_init_push(&s->st, header, vault_key_bytes(key));
	return s;
}

void vault_stream_push(vault_stream *s, const uint8_t *in, size_t len, int final, uint8_t *out)
{
	crypto_secretstream_xchacha20poly1305_push(
		&s->st, out, NULL, in, len, NULL, 0,
		final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
		      : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
}

vault_stream *vault_stream_pull_new(const vault_key *key,
				    const uint8_t header[VAULT_STREAM_HEADER_BYTES])
{
	vault_stream *s = vault_secure_alloc(sizeof *s);
	if (crypto_secretstream_xchacha20poly1305_init_pull(&s->st, header,
							    vault_key_bytes(key)) != 0) {
		vault_secure_free(s);
		return NULL;
	}
	return s;
}

int vault_stream_pull(vault_stream *s, const uint8_t *in, size_t inlen, uint8_t *out,
		      int *final)
{
	unsigned char tag = 0;
	*final = 0;
	if (inlen < VAULT_STREAM_ABYTES)
		return -1;
	if (crypto_secretstream_xchacha20poly1305_pull(&s->st, out, NULL, &tag, in, inlen, NULL,
						       0) != 0)
		return -1;
	if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
		*final = 1;
	else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
		return -1;   /* PUSH and REKEY are not used by bundles */
	return 0;
}

void vault_stream_free(vault_stream *s)
{
	vault_secure_free(s);
}

/* ------------------------------------------------------------------ aead */

void vault_aead_seal(const vault_key *key, const void *ad, size_t adlen, const uint8_t *in,
		     size_t len, uint8_t *out)
{
	uint8_t *nonce = out;
	vault_require_init();
	randombytes_buf(nonce, VAULT_AEAD_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + VAULT_AEAD_NONCE_BYTES, NULL, in, len,
						   ad, adlen, NULL, nonce, vault_key_bytes(key));
}

int vault_aead_open(const vault_key *key, const void *ad, size_t adlen, const uint8_t *in,
		    size_t len, uint8_t *out)
{
	vault_require_init();
	if (len < VAULT_AEAD_NONCE_BYTES + VAULT_AEAD_TAG_BYTES)
		return -1;
	return crypto_aead_xchacha20poly1305_ietf_decrypt(
		       out, NULL, NULL, in + VAULT_AEAD_NONCE_BYTES, len - VAULT_AEAD_NONCE_BYTES,
		       ad, adlen, in, vault_key_bytes(key)) == 0 ? 0 : -1;
}

vault_key *vault_key_from_code(const char *text, const char ctx[8])
{
	crypto_generichash_state st;
	uint8_t *b = vault_secure_alloc(VAULT_KEY_BYTES);
	vault_key *k;
	vault_require_init();
	crypto_generichash_init(&st, NULL, 0, VAULT_KEY_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)ctx, 8);
	crypto_generichash_update(&st, (const uint8_t *)text, strlen(text));
	crypto_generichash_final(&st, b, VAULT_KEY_BYTES);
	k = vault_key_from(b);
	vault_secure_free(b);
	return k;
}
