/* fieldvisit sync: what the files of src/sync/ share.  Nothing outside
 * src/sync/ includes this header. */
#ifndef FV_SYNC_INTERNAL_H
#define FV_SYNC_INTERNAL_H

#include <stdio.h>

#include "fieldvisit/sync.h"

/* Lowercase hex of n bytes into out (2n + 1 bytes). */
void sync_hex(const uint8_t *b, size_t n, char *out);
/* Parse exactly 2n hex digits into out; 1 on success. */
int sync_unhex(const char *s, uint8_t *out, size_t n);

/*
 * A file written safely into a folder (file.c): DIR/NAME.part is created
 * (mode 0600, never over an existing file), written, synced; commit reads
 * it back and checks its length and BLAKE2b-512 against what was written,
 * renames it to DIR/NAME and syncs the folder.  abort (and a failed
 * commit) removes the .part.  Errors name the file and the reason ("No
 * space left on device").  The fault seam of fv_sync_fault works here.
 */
typedef struct sync_file sync_file;
FV_MUST_CHECK fv_status sync_file_open(const char *dir, const char *name, sync_file **out,
				       fv_errors *err);
/* An fv_bundle_sink writing to a sync_file. */
int sync_file_sink(void *ctx, const void *data, size_t len, fv_errors *err);
FV_MUST_CHECK fv_status sync_file_commit(sync_file *f, fv_sync_progress progress, void *pctx,
					 fv_errors *err);
void sync_file_abort(sync_file *f);
/* The final path (DIR/NAME); owned by f. */
const char *sync_file_path(const sync_file *f);
/* Remove a committed file again (the store refused to record it). */
void sync_file_unlink(sync_file *f);
void sync_file_free(sync_file *f);

/* Read a whole bundle or invitation (at most max bytes) into memory.
 * With magic, a file that does not begin with it is read no further: its
 * first bytes are all *data holds, for the parser to refuse. */
FV_MUST_CHECK fv_status sync_read_file(const char *path, uint64_t max, const char *magic,
				       uint8_t **data, size_t *len, fv_errors *err);

/* A record line of table with id, version and fields (taken over). */
struct json_t;
char *sync_line(const char *table, const char *id, int version, struct json_t *fields);
/* fv_record_person_line / fv_record_visit_line, appended to b. */
void sync_person_line(fv_buf *b, const fv_person *p);
void sync_visit_line(fv_buf *b, const fv_visit *v);

/* The name of the file that holds a bundle. */
char *sync_bundle_name(const fv_bundle_header *h);

/* Apply record lines as a down-bundle from sender would (sync.c), inside
 * the caller's transaction: an invitation's forms, rules and roster. */
FV_MUST_CHECK fv_status sync_apply_lines(fv_store *s, fv_peer *sender, const fv_sync_self *me,
					 const char *const *lines, size_t n, fv_errors *err);
/* Write the hello bundle (sequence 1) of a new worker to sup into dir and
 * record it, inside the caller's transaction; *path is malloc'ed.  The
 * caller commits, or removes *path when the commit fails. */
FV_MUST_CHECK fv_status sync_write_hello(fv_store *s, const fv_sync_self *me,
					 const fv_peer *sup, const char *enrolment,
					 const uint8_t proof[32], const char *dir, char **path,
					 fv_errors *err);

#endif
