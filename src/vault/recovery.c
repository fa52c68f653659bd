/*
 * fieldvisit vault: the recovery key pair file.  Text, three lines:
 *
 *   fieldvisit recovery key v1
 *   <secret key, 32 bytes in base64 (RFC 4648, with padding): 44 characters>
 *   <public key, the same way>
 *
 * Lines may end in CRLF (the file may have been through a Windows
 * machine).  The secret key is only ever in guarded memory here: the file
 * is read with read(2), not stdio, into sodium_malloc memory.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "vault_internal.h"

#define RK_HEADER "fieldvisit recovery key v1"
#define RK_B64_LEN (sodium_base64_ENCODED_LEN(VAULT_BOX_SK_BYTES, \
					      sodium_base64_VARIANT_ORIGINAL) - 1)
/* the longest valid file (CRLF line ends), and one byte more to read */
#define RK_TEXT_MAX (sizeof RK_HEADER - 1 + 2 * RK_B64_LEN + 3 * 2)
#define RK_READ_MAX (RK_TEXT_MAX + 1)

fv_status vault_recovery_create(const char *secret_path, uint8_t pk[VAULT_BOX_PK_BYTES],
				fv_errors *err)
{
	uint8_t *sk;
	char *text;
	size_t o;
	fv_status st;

	vault_require_init();
	if (vault_path_exists(secret_path)) {
		fv_errors_add(err, secret_path, 0,
			      "already exists (a recovery key is never overwritten)");
		return FV_EIO;
	}
	sk = vault_secure_alloc(VAULT_BOX_SK_BYTES);
	text = vault_secure_alloc(RK_TEXT_MAX + 1);
	crypto_box_keypair(pk, sk);
	o = strlen(RK_HEADER);
	memcpy(text, RK_HEADER, o);
	text[o++] = '\n';
	sodium_bin2base64(text + o, RK_B64_LEN + 1, sk, VAULT_BOX_SK_BYTES,
			  sodium_base64_VARIANT_ORIGINAL);
	o += RK_B64_LEN;
	text[o++] = '\n';
	sodium_bin2base64(text + o, RK_B64_LEN + 1, pk, VAULT_BOX_PK_BYTES,
			  sodium_base64_VARIANT_ORIGINAL);
	o += RK_B64_LEN;
	text[o++] = '\n';
	st = fv_write_atomic(secret_path, text, o, 0600, err);
	vault_secure_free(text);
	vault_secure_free(sk);
	return st;
}

/* The next line of text[*at..len) without its line end; *at moves past
 * it.  Returns its length, or -1 at the end of the text. */
static long next_line(const char *text, size_t len, size_t *at, const char **line)
{
	size_t start = *at, end;

	if (start >= len)
		return -1;
	end = start;
	while (end < len && text[end] != '\n')
		end++;
	*at = end < len ? end + 1 : end;
	*line = text + start;
	if (end > start && text[end - 1] == '\r')
		end--;
	return (long)(end - start);
}

/* Decode one base64 line of exactly 32 bytes into out; 1 on success. */
static int decode_key(const char *line, long n, uint8_t out[VAULT_BOX_SK_BYTES])
{
	size_t bin_len;
	const char *end;

	return n == (long)RK_B64_LEN &&
	       sodium_base642bin(out, VAULT_BOX_SK_BYTES, line, (size_t)n, NULL, &bin_len, &end,
				 sodium_base64_VARIANT_ORIGINAL) == 0 &&
	       bin_len == VAULT_BOX_SK_BYTES && end == line + n;
}

fv_status vault_recovery_load(const char *secret_path, uint8_t sk[VAULT_BOX_SK_BYTES],
			      uint8_t pk[VAULT_BOX_PK_BYTES], fv_errors *err)
{
	char *text;
	const char *line = NULL;
	uint8_t check[VAULT_BOX_PK_BYTES];
	size_t len, at = 0;
	long n;
	int good;

	vault_require_init();
	text = vault_secure_alloc(RK_READ_MAX);
	if (vault_read_small(secret_path, text, RK_READ_MAX, &len) != 0) {
		fv_errors_add(err, secret_path, 0, "cannot read: %s", strerror(errno));
		vault_secure_free(text);
		return FV_EIO;
	}
	n = next_line(text, len, &at, &line);
	good = len < RK_READ_MAX && n == (long)(sizeof RK_HEADER - 1) &&
	       memcmp(line, RK_HEADER, sizeof RK_HEADER - 1) == 0;
	if (good) {
		n = next_line(text, len, &at, &line);
		good = decode_key(line, n, sk);
	}
	if (good) {
		n = next_line(text, len, &at, &line);
		good = decode_key(line, n, pk);
	}
	/* nothing after the third line, and the halves belong together */
	good = good && at == len && crypto_scalarmult_base(check, sk) == 0 &&
	       sodium_memcmp(check, pk, sizeof check) == 0;
	vault_secure_free(text);
	if (!good) {
		sodium_memzero(sk, VAULT_BOX_SK_BYTES);
		sodium_memzero(pk, VAULT_BOX_PK_BYTES);
		fv_errors_add(err, secret_path, 0, "not a fieldvisit recovery key");
		return FV_EINVAL;
	}
	return FV_OK;
}
