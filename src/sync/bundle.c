/*
 * fieldvisit sync: the bundle file, format v1 (fieldvisit-bundle(5)).
 *
 *   header   235 bytes, little-endian (fv_bundle_header_encode)
 *   body     the 24-byte secretstream header, then the chunks: every
 *            chunk but the last holds 65536 bytes of the zlib stream
 *            (65553 bytes encrypted), the last one 0..65536 bytes and
 *            the FINAL tag
 *   trailer  Ed25519 signature (64 bytes) of BLAKE2b-512(header || body)
 *
 * Compress, then encrypt: the zlib stream (deflate level 5) of the record
 * lines is cut into chunks.  No length is stored: the body is what lies
 * between the header and the trailer, and its chunk sizes follow from its
 * length.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sync_internal.h"

const char *fv_bundle_kind_name(int kind)
{
	switch (kind) {
	case FV_BUNDLE_HELLO: return "hello";
	case FV_BUNDLE_UP: return "up";
	case FV_BUNDLE_DOWN: return "down";
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* The header                                                          */

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Offsets of the fields (fieldvisit-bundle(5)). */
enum {
	H_MAGIC = 0,
	H_VERSION = 8,
	H_KIND = 10,
	H_ID = 11,
	H_SENDER = 27,
	H_SENDER_PK = 35,
	H_RECIPIENT = 67,
	H_SEQ = 75,
	H_PREV = 83,
	H_CREATED = 147,
	H_SEALED = 155,
	H_END = 235,
};
_Static_assert(H_END == FV_BUNDLE_HEADER_BYTES, "header layout");

void fv_bundle_header_encode(const fv_bundle_header *h, uint8_t out[FV_BUNDLE_HEADER_BYTES])
{
	memcpy(out + H_MAGIC, FV_BUNDLE_MAGIC, 8);
	put_le(out + H_VERSION, h->version, 2);
	out[H_KIND] = h->kind;
	memcpy(out + H_ID, h->id, 16);
	memcpy(out + H_SENDER, h->sender, VAULT_KEY_ID_BYTES);
	memcpy(out + H_SENDER_PK, h->sender_pk, VAULT_SIGN_PK_BYTES);
	memcpy(out + H_RECIPIENT, h->recipient, VAULT_KEY_ID_BYTES);
	put_le(out + H_SEQ, h->seq, 8);
	memcpy(out + H_PREV, h->prev_hash, VAULT_HASH512_BYTES);
	put_le(out + H_CREATED, (uint64_t)h->created, 8);
	memcpy(out + H_SEALED, h->sealed_key, VAULT_SEALED_KEY_BYTES);
}

fv_status fv_bundle_header_parse(const char *name, const uint8_t *data, size_t len,
				 fv_bundle_header *h, fv_errors *err)
{
	uint8_t id[VAULT_KEY_ID_BYTES];
	memset(h, 0, sizeof *h);
	if (len < 8 || memcmp(data, FV_BUNDLE_MAGIC, 8) != 0) {
		/* a cut in the magic is still "not a bundle": nothing says it was one */
		fv_errors_add(err, name, 0, "not a fieldvisit bundle");
		return FV_EINVAL;
	}
	if (len < H_KIND) {
		fv_errors_add(err, name, 0, "truncated (%zu bytes; a bundle has at least %d)", len,
			      FV_BUNDLE_MIN_BYTES);
		return FV_EINVAL;
	}
	h->version = (uint16_t)get_le(data + H_VERSION, 2);
	if (h->version != FV_BUNDLE_VERSION) {
		fv_errors_add(err, name, 0, "unknown bundle version %u (this fieldvisit reads"
			      " version %d)", h->version, FV_BUNDLE_VERSION);
		return FV_EINVAL;
	}
	if (len < FV_BUNDLE_MIN_BYTES) {
		fv_errors_add(err, name, 0, "truncated (%zu bytes; a bundle has at least %d)", len,
			      FV_BUNDLE_MIN_BYTES);
		return FV_EINVAL;
	}
	h->kind = data[H_KIND];
	if (h->kind < FV_BUNDLE_HELLO || h->kind > FV_BUNDLE_DOWN) {
		fv_errors_add(err, name, 0, "unknown bundle kind %u", h->kind);
		return FV_EINVAL;
	}
	memcpy(h->id, data + H_ID, 16);
	memcpy(h->sender, data + H_SENDER, VAULT_KEY_ID_BYTES);
	memcpy(h->sender_pk, data + H_SENDER_PK, VAULT_SIGN_PK_BYTES);
	memcpy(h->recipient, data + H_RECIPIENT, VAULT_KEY_ID_BYTES);
	h->seq = get_le(data + H_SEQ, 8);
	memcpy(h->prev_hash, data + H_PREV, VAULT_HASH512_BYTES);
	h->created = (int64_t)get_le(data + H_CREATED, 8);
	memcpy(h->sealed_key, data + H_SEALED, VAULT_SEALED_KEY_BYTES);
	vault_key_id(h->sender_pk, id);
	if (memcmp(id, h->sender, sizeof id) != 0) {
		fv_errors_add(err, name, 0, "the sender key id does not match the sender's key");
		return FV_EINVAL;
	}
	if (h->seq == 0) {
		fv_errors_add(err, name, 0, "sequence number 0 (bundles count from 1)");
		return FV_EINVAL;
	}
	return FV_OK;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

struct fv_bundle_writer {
	fv_bundle_sink sink;
	void *ctx;
	vault_hasher *hash;
	vault_stream *stream;
	z_stream z;
	uint8_t *plain;            /* FV_BUNDLE_CHUNK bytes of zlib output */
	size_t plain_len;
	uint8_t *cipher;           /* one encrypted chunk */
	fv_buf lines;              /* record lines not yet deflated */
	uint64_t bytes;
	fv_status st;
	fv_errors failed;          /* the first failure of the sink */
};

/* Send bytes: hashed (they are signed) and passed to the sink. */
static void emit(fv_bundle_writer *w, const void *p, size_t n)
{
	if (w->st != FV_OK)
		return;
	vault_hasher_update(w->hash, p, n);
	if (w->sink(w->ctx, p, n, &w->failed) != 0)
		w->st = FV_EIO;
	w->bytes += n;
}

/* Encrypt the chunk buffer (full, or the last one) and send it. */
static void flush_chunk(fv_bundle_writer *w, int final)
{
	vault_stream_push(w->stream, w->plain, w->plain_len, final, w->cipher);
	emit(w, w->cipher, w->plain_len + VAULT_STREAM_ABYTES);
	w->plain_len = 0;
}

/* Run deflate over its input with flush mode, cutting the output into
 * chunks.  A chunk is sent only when the next byte comes, so the last
 * one is always sent by finish with the FINAL tag. */
static void deflate_some(fv_bundle_writer *w, int flush)
{
	int rc;
	do {
		if (w->plain_len == FV_BUNDLE_CHUNK)
			flush_chunk(w, 0);
		w->z.next_out = w->plain + w->plain_len;
		w->z.avail_out = (uInt)(FV_BUNDLE_CHUNK - w->plain_len);
		rc = deflate(&w->z, flush);
		w->plain_len = FV_BUNDLE_CHUNK - w->z.avail_out;
	} while (w->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
}

fv_status fv_bundle_writer_new(fv_bundle_header *h,
			       const uint8_t recipient_box_pk[VAULT_BOX_PK_BYTES],
			       fv_bundle_sink sink, void *ctx, fv_bundle_writer **out,
			       fv_errors *err)
{
	uint8_t head[FV_BUNDLE_HEADER_BYTES], sh[VAULT_STREAM_HEADER_BYTES];
	vault_key *file_key = vault_key_random();
	fv_bundle_writer *w;

	*out = NULL;
	if (vault_seal_key(file_key, recipient_box_pk, h->sealed_key) != 0) {
		vault_key_free(file_key);
		fv_errors_add(err, NULL, 0, "the recipient's box key is not usable");
		return FV_EINVAL;
	}
	w = fv_xcalloc(1, sizeof *w);
	w->sink = sink;
	w->ctx = ctx;
	w->hash = vault_hasher_new();
	w->stream = vault_stream_push_new(file_key, sh);
	vault_key_free(file_key);
	w->plain = fv_xmalloc(FV_BUNDLE_CHUNK);
	w->cipher = fv_xmalloc(FV_BUNDLE_CHUNK + VAULT_STREAM_ABYTES);
	fv_errors_init(&w->failed);
	fv_buf_init(&w->lines);
	/* level 5: a fifth less time than 6 for 2% more bytes (bench_sync) */
	if (deflateInit(&w->z, 5) != Z_OK) {
		fputs("fieldvisit: out of memory\n", stderr);
		exit(4);
	}
	fv_bundle_header_encode(h, head);
	emit(w, head, sizeof head);
	emit(w, sh, sizeof sh);
	*out = w;
	return FV_OK;
}

/* Deflate the lines gathered so far. */
static void deflate_lines(fv_bundle_writer *w)
{
	if (w->lines.len && w->st == FV_OK) {
		w->z.next_in = (Bytef *)w->lines.s;
		w->z.avail_in = (uInt)w->lines.len;
		deflate_some(w, Z_NO_FLUSH);
	}
	fv_buf_reset(&w->lines);
}

/* Lines are gathered and deflated 64 KiB at a time: two deflate calls
 * per line (the line, then its line feed) cost more than the copy. */
void fv_bundle_writer_add(fv_bundle_writer *w, const char *line, size_t len)
{
	if (w->st != FV_OK)
		return;
	if (len >= FV_BUNDLE_CHUNK) {
		deflate_lines(w);
		w->z.next_in = (Bytef *)(uintptr_t)line;
		w->z.avail_in = (uInt)len;
		deflate_some(w, Z_NO_FLUSH);
	} else {
		fv_buf_add(&w->lines, line, len);
	}
	fv_buf_addc(&w->lines, '\n');
	if (w->lines.len >= FV_BUNDLE_CHUNK)
		deflate_lines(w);
}

uint64_t fv_bundle_writer_bytes(const fv_bundle_writer *w)
{
	return w->bytes;
}

fv_status fv_bundle_writer_finish(fv_bundle_writer *w, const vault_key *sign_seed,
				  uint8_t hash[VAULT_HASH512_BYTES], fv_errors *err)
{
	uint8_t sig[VAULT_SIGNATURE_BYTES];
	deflate_lines(w);
	w->z.next_in = NULL;
	w->z.avail_in = 0;
	deflate_some(w, Z_FINISH);
	flush_chunk(w, 1);
	vault_hasher_final(w->hash, hash);
	w->hash = NULL;
	vault_sign(sign_seed, hash, VAULT_HASH512_BYTES, sig);
	if (w->st == FV_OK && w->sink(w->ctx, sig, sizeof sig, &w->failed) != 0)
		w->st = FV_EIO;
	w->bytes += sizeof sig;
	for (size_t i = 0; i < w->failed.n; i++)
		fv_errors_add(err, NULL, 0, "%s", w->failed.lines[i]);
	return w->st;
}

void fv_bundle_writer_free(fv_bundle_writer *w)
{
	if (!w)
		return;
	deflateEnd(&w->z);
	vault_hasher_free(w->hash);
	vault_stream_free(w->stream);
	vault_wipe(w->plain, FV_BUNDLE_CHUNK);
	free(w->plain);
	free(w->cipher);
	if (w->lines.s)
		vault_wipe(w->lines.s, w->lines.cap);
	fv_buf_release(&w->lines);
	fv_errors_release(&w->failed);
	free(w);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

fv_status fv_bundle_check(const char *name, const uint8_t *data, size_t len,
			  fv_bundle_info *info, fv_errors *err)
{
	fv_status st = fv_bundle_header_parse(name, data, len, &info->h, err);
	size_t signed_len;
	vault_hasher *h;
	if (st != FV_OK)
		return st;
	info->size = len;
	signed_len = len - FV_BUNDLE_TRAILER_BYTES;
	h = vault_hasher_new();
	vault_hasher_update(h, data, signed_len);
	vault_hasher_final(h, info->hash);
	info->sig_ok = vault_sign_verify(info->h.sender_pk, info->hash, sizeof info->hash,
					 data + signed_len);
	return FV_OK;
}

uint64_t fv_bundle_inflate_cap(uint64_t size)
{
	uint64_t cap = size * 100;
	if (cap < (UINT64_C(64) << 20))
		cap = UINT64_C(64) << 20;
	if (cap > (UINT64_C(4) << 30))
		cap = UINT64_C(4) << 30;
	return cap;
}

/* Cutting the inflated stream into lines. */
typedef struct liner {
	const char *name;
	fv_record_fn fn;
	void *ctx;
	fv_buf line;
	size_t lineno;
	fv_status st;
	fv_errors *err;
} liner;

static void liner_feed(liner *l, const char *p, size_t n)
{
	while (n && l->st == FV_OK) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;
		if (l->line.len + take > FV_RECORD_MAX_BYTES) {
			fv_errors_add(l->err, l->name, 0, "record %zu is longer than 16 MiB",
				      l->lineno + 1);
			l->st = FV_EINVAL;
			return;
		}
		fv_buf_add(&l->line, p, take);
		if (!nl)
			return;
		l->lineno++;
		if (l->fn(l->ctx, l->line.s, l->line.len, l->err) != 0)
			l->st = FV_EINVAL;
		fv_buf_reset(&l->line);
		p += take + 1;
		n -= take + 1;
	}
}

static fv_status liner_end(liner *l)
{
	if (l->st == FV_OK && l->line.len) {
		fv_errors_add(l->err, l->name, 0, "the last record has no line end");
		l->st = FV_EINVAL;
	}
	fv_buf_release(&l->line);
	return l->st;
}

fv_status fv_bundle_split_lines(const char *name, const char *data, size_t len,
				fv_record_fn line, void *ctx, fv_errors *err)
{
	liner l = {name, line, ctx, {0}, 0, FV_OK, err};
	fv_buf_init(&l.line);
	liner_feed(&l, data, len);
	return liner_end(&l);
}

/* Inflate what z holds (one chunk) into the lines of l. */
static fv_status inflate_chunk(const char *name, z_stream *z, int *zrc, uint8_t *out,
			       uint64_t *inflated, uint64_t cap, liner *l, fv_errors *err)
{
	do {
		if (*zrc == Z_STREAM_END) {
			if (!z->avail_in)
				break;
			fv_errors_add(err, name, 0, "damaged compressed data");
			return FV_EINVAL;
		}
		z->next_out = out;
		z->avail_out = FV_BUNDLE_CHUNK;
		*zrc = inflate(z, Z_NO_FLUSH);
		if (*zrc != Z_OK && *zrc != Z_STREAM_END && *zrc != Z_BUF_ERROR) {
			fv_errors_add(err, name, 0, "damaged compressed data");
			return FV_EINVAL;
		}
		size_t got = FV_BUNDLE_CHUNK - z->avail_out;
		*inflated += got;
		if (*inflated > cap) {
			fv_errors_add(err, name, 0, "too large when inflated (more than %llu bytes)",
				      (unsigned long long)cap);
			return FV_EINVAL;
		}
		liner_feed(l, (const char *)out, got);
		if (l->st != FV_OK)
			return l->st;
		if (*zrc == Z_BUF_ERROR)
			*zrc = Z_OK;   /* no progress possible: wants the next chunk */
	} while (z->avail_out == 0 || z->avail_in > 0);
	return FV_OK;
}

fv_status fv_bundle_records(const char *name, const uint8_t *data, size_t len,
			    const vault_key *box_sk, const uint8_t box_pk[VAULT_BOX_PK_BYTES],
			    uint64_t cap, fv_record_fn line, void *ctx, fv_sync_progress progress,
			    void *pctx, fv_errors *err)
{
	fv_bundle_header h;
	const uint8_t *body, *end;
	vault_key *file_key;
	vault_stream *stream;
	uint8_t *plain, *out;
	uint64_t inflated = 0;
	size_t chunk = 0;
	int final = 0, zrc = Z_OK;
	z_stream z;
	liner l = {name, line, ctx, {0}, 0, FV_OK, err};
	fv_status st = fv_bundle_header_parse(name, data, len, &h, err);

	if (st != FV_OK)
		return st;
	if (!cap)
		cap = fv_bundle_inflate_cap(len);
	if (!(file_key = vault_seal_open_key(h.sealed_key, box_sk, box_pk))) {
		fv_errors_add(err, name, 0, "not for this store: the file key does not open with"
			      " this store's key");
		return FV_EINVAL;
	}
	body = data + FV_BUNDLE_HEADER_BYTES;
	end = data + len - FV_BUNDLE_TRAILER_BYTES;
	stream = vault_stream_pull_new(file_key, body);
	vault_key_free(file_key);
	if (!stream) {
		fv_errors_add(err, name, 0, "damaged chunk 1");
		return FV_EINVAL;
	}
	body += VAULT_STREAM_HEADER_BYTES;
	plain = fv_xmalloc(FV_BUNDLE_CHUNK);
	out = fv_xmalloc(FV_BUNDLE_CHUNK);
	memset(&z, 0, sizeof z);
	if (inflateInit(&z) != Z_OK) {
		fputs("fieldvisit: out of memory\n", stderr);
		exit(4);
	}
	fv_buf_init(&l.line);
	while (st == FV_OK && body < end && !final) {
		size_t left = (size_t)(end - body);
		size_t n = left < FV_BUNDLE_CHUNK + VAULT_STREAM_ABYTES
				   ? left : FV_BUNDLE_CHUNK + VAULT_STREAM_ABYTES;
		chunk++;
		if (vault_stream_pull(stream, body, n, plain, &final) != 0) {
			fv_errors_add(err, name, 0, "damaged chunk %zu", chunk);
			st = FV_EINVAL;
			break;
		}
		body += n;
		if (progress)
			progress(pctx, "reading", (uint64_t)(body - data), len);
		z.next_in = plain;
		z.avail_in = (uInt)(n - VAULT_STREAM_ABYTES);
		st = inflate_chunk(name, &z, &zrc, out, &inflated, cap, &l, err);
	}
	if (st == FV_OK && !final) {
		fv_errors_add(err, name, 0, "truncated: the last chunk is missing");
		st = FV_EINVAL;
	}
	if (st == FV_OK && body != end) {
		fv_errors_add(err, name, 0, "data after the last chunk");
		st = FV_EINVAL;
	}
	if (st == FV_OK && zrc != Z_STREAM_END) {
		fv_errors_add(err, name, 0, "damaged compressed data");
		st = FV_EINVAL;
	}
	if (st == FV_OK)
		st = liner_end(&l);
	else
		fv_buf_release(&l.line);
	inflateEnd(&z);
	vault_stream_free(stream);
	vault_wipe(plain, FV_BUNDLE_CHUNK);
	vault_wipe(out, FV_BUNDLE_CHUNK);
	free(plain);
	free(out);
	return st;
}
