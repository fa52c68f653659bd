/*
 * fieldvisit sync: enrolment, sync bundles, import and receipts
 * (src/sync/, the only module that includes zlib.h).  The format is
 * fieldvisit-bundle(5); the design is DESIGN.md section 5.
 *
 * Two layers:
 *   - the bundle format (bundle.c, records.c): a header, a
 *     secretstream-encrypted zlib stream of JSON Lines records, an Ed25519
 *     signature; no store, so the fuzzers and `bundle inspect` use it alone;
 *   - the operations a screen or a command calls (sync.c, invite.c):
 *     fv_sync_export, fv_sync_import, fv_sync_inspect, fv_sync_invite,
 *     fv_sync_join.  Each takes an optional progress callback and reports
 *     every problem as one line in err, "FILE: reason", with the same
 *     fv_status whatever calls it: FV_EINVAL for a bad bundle or
 *     invitation (exit 1), FV_EIO for a file or store that fails (exit 4),
 *     FV_EPASS for a wrong invitation code (exit 3), FV_EUSAGE for a
 *     command that does not fit this store's role (exit 2).
 */
#ifndef FIELDVISIT_SYNC_H
#define FIELDVISIT_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "fieldvisit/core.h"
#include "fieldvisit/rules.h"
#include "fieldvisit/store.h"
#include "fieldvisit/vault.h"

/* ================================================================== */
/* The bundle format v1 (fieldvisit-bundle(5))                          */

#define FV_BUNDLE_MAGIC "FVBNDL01"
#define FV_BUNDLE_VERSION 1
#define FV_BUNDLE_HEADER_BYTES 235
#define FV_BUNDLE_CHUNK 65536          /* plaintext bytes of every chunk but the last */
#define FV_BUNDLE_TRAILER_BYTES 64
/* the smallest bundle: header, stream header, one empty final chunk, trailer */
#define FV_BUNDLE_MIN_BYTES (FV_BUNDLE_HEADER_BYTES + VAULT_STREAM_HEADER_BYTES + \
			     VAULT_STREAM_ABYTES + FV_BUNDLE_TRAILER_BYTES)
/* Bundles larger than this are refused before they are read. */
#define FV_BUNDLE_MAX_BYTES (UINT64_C(1) << 30)
/* One record line is at most this long. */
#define FV_RECORD_MAX_BYTES (16u << 20)

typedef enum fv_bundle_kind {
	FV_BUNDLE_HELLO = 1,   /* a new worker's public keys, to its supervisor */
	FV_BUNDLE_UP = 2,      /* worker -> supervisor: people and visits */
	FV_BUNDLE_DOWN = 3,    /* supervisor -> worker: receipts, reviews, roster, forms, rules */
} fv_bundle_kind;

/* "hello", "up", "down" ("?" for another value). */
const char *fv_bundle_kind_name(int kind);

typedef struct fv_bundle_header {
	uint16_t version;
	uint8_t kind;
	uint8_t id[16];                            /* random */
	uint8_t sender[VAULT_KEY_ID_BYTES];        /* key id of sender_pk */
	uint8_t sender_pk[VAULT_SIGN_PK_BYTES];    /* the key that signed it */
	uint8_t recipient[VAULT_KEY_ID_BYTES];
	uint64_t seq;                              /* per (sender, recipient): 1, 2, ... */
	uint8_t prev_hash[VAULT_HASH512_BYTES];    /* hash of the previous one; zeros for 1 */
	int64_t created;                           /* seconds since 1970-01-01 UTC */
	uint8_t sealed_key[VAULT_SEALED_KEY_BYTES];
} fv_bundle_header;

/* Write h as the 235 header bytes (little-endian). */
void fv_bundle_header_encode(const fv_bundle_header *h, uint8_t out[FV_BUNDLE_HEADER_BYTES]);
/*
 * Parse the header of a bundle of len bytes (the whole file).  FV_EINVAL
 * with one line "NAME: reason": "not a fieldvisit bundle" (magic),
 * "unknown bundle version N (this fieldvisit reads version 1)", "unknown
 * bundle kind N", "truncated (N bytes; a bundle has at least 340)", "the
 * sender key id does not match the sender's key".
 */
FV_MUST_CHECK fv_status fv_bundle_header_parse(const char *name, const uint8_t *data,
					       size_t len, fv_bundle_header *h, fv_errors *err);

/* Progress: done of total bytes (or records) of a phase ("writing",
 * "verifying", "reading", "importing").  Called often; keep it cheap. */
typedef void (*fv_sync_progress)(void *ctx, const char *phase, uint64_t done,
				 uint64_t total);

/*
 * Writing a bundle.  new fills h->sealed_key with a new file key sealed to
 * recipient_box_pk (FV_EINVAL when that key is unusable) and sends the
 * header and the stream header to sink; add appends one record line (a
 * JSON object without its line end); finish flushes the last chunk (with
 * the FINAL tag), signs BLAKE2b-512 of everything written with sign_seed,
 * sends the signature and gives the hash.  sink returns 0, or -1 after
 * adding the reason to err; the first failure sticks and is returned by
 * finish.  free drops a writer (after finish, or to give up).
 */
typedef int (*fv_bundle_sink)(void *ctx, const void *data, size_t len, fv_errors *err);
typedef struct fv_bundle_writer fv_bundle_writer;
FV_MUST_CHECK fv_status fv_bundle_writer_new(fv_bundle_header *h,
					     const uint8_t recipient_box_pk[VAULT_BOX_PK_BYTES],
					     fv_bundle_sink sink, void *ctx, fv_bundle_writer **out,
					     fv_errors *err);
void fv_bundle_writer_add(fv_bundle_writer *w, const char *line, size_t len);
FV_MUST_CHECK fv_status fv_bundle_writer_finish(fv_bundle_writer *w, const vault_key *sign_seed,
						uint8_t hash[VAULT_HASH512_BYTES], fv_errors *err);
void fv_bundle_writer_free(fv_bundle_writer *w);
/* Bytes sent to the sink so far. */
uint64_t fv_bundle_writer_bytes(const fv_bundle_writer *w);

/*
 * Reading.  fv_bundle_check parses the header and checks the signature
 * with the sender's key of the header: *sig_ok 1 or 0, and the hash.
 * Returns the header's errors only (a bad signature is not an error here:
 * the caller decides).
 *
 * fv_bundle_records decrypts the body with the file key sealed to
 * (box_sk, box_pk) and inflates it, calling line() for every record line
 * (without its line end; line() returns 0, or -1 after adding the reason
 * to err, which stops the reading).  Errors (FV_EINVAL, "NAME: ..."):
 * "not for this store: the file key does not open with this store's key",
 * "damaged chunk N", "truncated: the last chunk is missing", "data after
 * the last chunk", "damaged compressed data", "too large when inflated
 * (more than N bytes)", "record N is longer than 16 MiB", "the last
 * record has no line end".  The inflated stream may be at most cap bytes
 * (0: fv_bundle_inflate_cap(len)).
 */
typedef struct fv_bundle_info {
	fv_bundle_header h;
	uint8_t hash[VAULT_HASH512_BYTES];   /* BLAKE2b-512 of header + body */
	int sig_ok;
	uint64_t size;
} fv_bundle_info;

FV_MUST_CHECK fv_status fv_bundle_check(const char *name, const uint8_t *data, size_t len,
					fv_bundle_info *info, fv_errors *err);
typedef int (*fv_record_fn)(void *ctx, const char *line, size_t len, fv_errors *err);
FV_MUST_CHECK fv_status fv_bundle_records(const char *name, const uint8_t *data, size_t len,
					  const vault_key *box_sk,
					  const uint8_t box_pk[VAULT_BOX_PK_BYTES], uint64_t cap,
					  fv_record_fn line, void *ctx, fv_sync_progress progress,
					  void *pctx, fv_errors *err);
/* The inflation cap of a bundle of size bytes: 100 times its size, at
 * least 64 MiB, at most 4 GiB. */
uint64_t fv_bundle_inflate_cap(uint64_t size);
/* Split a decrypted, inflated record stream into lines (as
 * fv_bundle_records does), for the fuzzer and tests. */
FV_MUST_CHECK fv_status fv_bundle_split_lines(const char *name, const char *data, size_t len,
					      fv_record_fn line, void *ctx, fv_errors *err);

/* ================================================================== */
/* Records: one JSON object per line                                    */

/*
 * {"table": T, "id": ID, "version": N, "fields": {...}}.  The tables:
 *   hello    id: the enrolment id; name, device, sign_pk, box_pk (hex),
 *            proof (hex: keyed BLAKE2b of sign_pk || box_pk under the
 *            invitation's key)
 *   person   the fields of fv_person (not last_visit), author included
 *   visit    author, person, form_id, form_version, answers (object),
 *            checkin, checkout, services, visit_date, created_at,
 *            submitted_at
 *   receipt  id/version of a record received; fields: table
 *   review   author, visit, visit_version, decision, comment, reviewed_at
 *   form     id: form_id; fields: form_version, csv
 *   rule     id: table name; fields: rule_version, csv
 *   ack      id: key id (hex) of the peer acknowledged; fields: seq
 */
typedef enum fv_record_table {
	FV_REC_HELLO, FV_REC_PERSON, FV_REC_VISIT, FV_REC_RECEIPT, FV_REC_REVIEW,
	FV_REC_FORM, FV_REC_RULE, FV_REC_ACK,
} fv_record_table;
#define FV_REC_NTABLES 8

const char *fv_record_table_name(fv_record_table t);

typedef struct fv_record {
	fv_record_table table;
	char *id;
	int version;
	/* by table (NULL/0 when not used) */
	fv_person person;
	fv_visit visit;               /* answers: the object as compact JSON text */
	fv_review review;
	char *name, *device, *text, *text2;   /* hello name/device; form/rule version, csv;
					       * receipt table */
	uint8_t sign_pk[VAULT_SIGN_PK_BYTES], box_pk[VAULT_BOX_PK_BYTES], proof[32];
	int64_t seq;
} fv_record;

/*
 * Parse one record line into r (released with fv_record_release): the
 * shape, the types and the lengths of every field (ids at most 64
 * characters, text valid UTF-8).  What the values mean is checked when
 * they are applied, by the store (the same checks as on screen).  FV_EINVAL
 * with "record N: reason" (N is lineno).
 */
FV_MUST_CHECK fv_status fv_record_parse(const char *line, size_t len, size_t lineno,
					fv_record *r, fv_errors *err);
void fv_record_release(fv_record *r);
/* The record line of a person, a visit or a review as stored (caller
 * frees). */
char *fv_record_person_line(const fv_person *p);
char *fv_record_visit_line(const fv_visit *v);
char *fv_record_review_line(const fv_review *rv);

/* ================================================================== */
/* Operations                                                           */

typedef struct fv_sync_options {
	fv_sync_progress progress;   /* NULL: none */
	void *progress_ctx;
	const char *only;            /* export by a supervisor: this worker only */
	int retention_days;          /* import by a worker: drop visit bodies this
				      * many days after their receipt; -1 never */
	uint64_t inflate_cap;        /* 0: fv_bundle_inflate_cap */
} fv_sync_options;

/* A file written: its path and what it holds. */
typedef struct fv_sync_file {
	char *path;
	char *peer;                  /* the recipient's name */
	int kind;
	uint64_t seq;
	size_t records;
} fv_sync_file;

/*
 * Write the bundles this store owes to dir (which must exist): a worker
 * one up-bundle to its supervisor (every person and visit it made that
 * has no receipt yet, and the acknowledgement of the down-bundles it
 * imported), a supervisor one down-bundle to each enrolled worker that
 * has something to get (receipts, reviews, roster changes, forms and rule
 * tables not yet acknowledged).  Nothing to send: no file.  Each file is
 * written as NAME.part, synced, read back and checked against the hash
 * it was signed with, renamed to NAME and the folder synced; only then
 * does the store record it (sequence, hash chain, visits submitted ->
 * sent), in one transaction: a failure at any step leaves no file (the
 * .part is removed) and the store as it was.  *files (n of them, freed
 * with fv_sync_files_free) are the files written, in order.
 */
FV_MUST_CHECK fv_status fv_sync_export(fv_store *s, const char *dir, const fv_sync_options *o,
				       fv_sync_file **files, size_t *n, fv_errors *err);
void fv_sync_files_free(fv_sync_file *files, size_t n);

/* What an import did (released with fv_sync_report_release). */
typedef struct fv_sync_report {
	char *sender;                /* the sender's name */
	char fingerprint[VAULT_FINGERPRINT_BYTES];
	int kind;
	uint64_t seq;
	size_t records, added, same, older, conflicts, receipts, reviews, pruned;
	/* warnings, one line each: a gap or fork of the sender's chain, each
	 * conflict kept; "FILE: ..." */
	fv_errors notes;
} fv_sync_report;

/*
 * Import one bundle: read it (at most FV_BUNDLE_MAX_BYTES), check the
 * header, that it is for this store, that the sender is known (a hello:
 * that it answers an invitation of this store) and its signature, that
 * it was not imported before ("replayed"); then decrypt, inflate (the
 * cap), and apply every record -- validated by the same code as input on
 * screen -- in one transaction: all of it, or nothing on any error.  A
 * record already here with the same content changes nothing; with other
 * content it is kept as a conflict (fv_store_sync_conflicts) and noted,
 * never written over.  A gap or a fork of the sender's sequence and hash
 * chain is noted with the sender's name, and the bundle is imported.
 * FV_EINVAL with one line "FILE: reason" for a bad bundle; FV_EIO for a
 * file that cannot be read or a store that fails.
 */
FV_MUST_CHECK fv_status fv_sync_import(fv_store *s, const char *path, const fv_sync_options *o,
				       fv_sync_report *rep, fv_errors *err);
void fv_sync_report_release(fv_sync_report *r);

/* What `bundle inspect` shows. */
typedef struct fv_sync_inspection {
	fv_bundle_info info;
	char sender_fp[VAULT_FINGERPRINT_BYTES], recipient_fp[VAULT_FINGERPRINT_BYTES];
	int opened;                   /* 1 when s could open the contents */
	char *sender_name;            /* when s knows the sender, else NULL */
	size_t counts[FV_REC_NTABLES];
	char **forms;                 /* "form_id version: N visits" */
	size_t nforms;
} fv_sync_inspection;

/*
 * Inspect a bundle: the header and whether its signature is valid, with
 * no store (s NULL); with the recipient's store, also the records counted
 * per table and the visits per form.  FV_EINVAL for a file that is not a
 * bundle at all; a bad signature or contents that do not open are shown,
 * not errors, unless s is given and the contents fail (then the reason).
 */
FV_MUST_CHECK fv_status fv_sync_inspect(fv_store *s, const char *path,
					fv_sync_inspection *out, fv_errors *err);
void fv_sync_inspection_release(fv_sync_inspection *in);

/* ---- teams and enrolment (invite.c) ---- */

/* This store's fingerprint (vault_fingerprint of its key id). */
FV_MUST_CHECK fv_status fv_sync_fingerprint(fv_store *s, char out[VAULT_FINGERPRINT_BYTES],
					    fv_errors *err);

/* A supervisor's new team: a new team id and the recovery public key
 * whose secret half the supervisor keeps (init --role supervisor). */
FV_MUST_CHECK fv_status fv_sync_team_create(fv_store *s,
					    const uint8_t recovery_pk[VAULT_BOX_PK_BYTES],
					    fv_errors *err);

/* The invitation code: 25 characters in five groups, "ABCDE-..." */
#define FV_INVITE_CODE_BYTES 30

/*
 * Invite worker name (supervisor only): a new enrolment in the store and
 * the invitation file dir/invite-NAME.fvi, encrypted with a new random
 * code given in code (tell it to the worker in person: it is written
 * nowhere): the team id, the supervisor's name and public keys, the
 * recovery public key, the installed forms (latest version of each), the
 * rule tables (the store's, else rules), and the roster (the people of
 * villages, space-separated; NULL or "" for none).  Written as bundles
 * are (.part, sync, read back, rename).  *path is malloc'ed.
 */
FV_MUST_CHECK fv_status fv_sync_invite(fv_store *s, const char *name, const char *villages,
				       const fv_rules *rules, const char *dir, char **path,
				       char code[FV_INVITE_CODE_BYTES], fv_errors *err);

typedef struct fv_invitation fv_invitation;
/* Open an invitation file with its code: FV_EPASS "wrong invitation code"
 * (or a changed file), FV_EINVAL "not a fieldvisit invitation". */
FV_MUST_CHECK fv_status fv_invitation_open(const char *path, const char *code,
					   fv_invitation **out, fv_errors *err);
void fv_invitation_free(fv_invitation *inv);
const char *fv_invitation_worker(const fv_invitation *inv);      /* the name invited */
const char *fv_invitation_supervisor(const fv_invitation *inv);  /* the supervisor's name */
const uint8_t *fv_invitation_recovery_pk(const fv_invitation *inv);
void fv_invitation_fingerprint(const fv_invitation *inv, char out[VAULT_FINGERPRINT_BYTES]);

/*
 * Join the team of inv with the new, empty worker store s: the team, the
 * supervisor as a peer, the forms, rule tables and roster of the
 * invitation (each checked as on screen), all in one transaction; then
 * the hello bundle to the supervisor in dir (*hello, malloc'ed).
 */
FV_MUST_CHECK fv_status fv_sync_join(fv_store *s, const fv_invitation *inv, const char *dir,
				     char **hello, fv_errors *err);

/*
 * Fault injection for tests of bundle and invitation files: fail the Nth
 * write or fsync of a file being written with EIO, or report the disk full
 * (ENOSPC) from the Nth write on, or corrupt the byte read back at the
 * Nth read-back; 0 turns a fault off.  FIELDVISIT_FAULT=bwrite:N,
 * bsync:N, bfull:N or bread:N sets the same for the real binary.
 */
void fv_sync_fault(int fail_write_at, int fail_sync_at, int full_at, int corrupt_read_at);

#endif
