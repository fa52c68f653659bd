/*
 * fieldvisit core: status codes, errors with a location, memory, growing
 * strings, UTF-8, dates and the clock.
 *
 * Every module builds on this header and nothing else of the project.
 */
#ifndef FIELDVISIT_CORE_H
#define FIELDVISIT_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define FV_MUST_CHECK __attribute__((warn_unused_result))
#define FV_PRINTF(f, a) __attribute__((format(printf, f, a)))

/*
 * One status type for everything that can fail.  The numeric values are not
 * exit codes; fv_status_exit() maps them to the exit codes of fieldvisit(1).
 */
typedef enum fv_status {
	FV_OK = 0,
	FV_EINVAL,   /* rejected input: bad form, answers, expression */
	FV_EUSAGE,   /* the command line is wrong */
	FV_EIO,      /* a file could not be read or written */
	FV_ENOTFOUND,
	FV_ERANGE,   /* a value or a size is out of its allowed range */
	FV_EPASS,    /* wrong passphrase or key */
	FV_EBUSY,    /* the store is in use by another process */
} fv_status;

/* Short English description of a status ("rejected input", ...). */
const char *fv_status_str(fv_status st);

/* Exit code of fieldvisit(1) for a status: 0 ok, 1 rejected input, 2 usage,
 * 3 wrong passphrase, 4 store or file error. */
int fv_status_exit(fv_status st);

/*
 * A list of errors, each one line "FILE:LINE: message" (or "FILE: message"
 * when line is 0, or just "message" when file is NULL).  Loaders collect every
 * error they find instead of stopping at the first.
 */
typedef struct fv_errors {
	char **lines;
	size_t n, cap;
} fv_errors;

void fv_errors_init(fv_errors *e);
void fv_errors_release(fv_errors *e);
/* Append one error.  file may be NULL, line 0 means "no line". */
void fv_errors_add(fv_errors *e, const char *file, int line, const char *fmt, ...)
	FV_PRINTF(4, 5);
void fv_errors_vadd(fv_errors *e, const char *file, int line, const char *fmt, va_list ap)
	FV_PRINTF(4, 0);

/*
 * Memory.  Allocation failure is not recoverable for a field program that has
 * already saved every answer durably: fv_xmalloc and friends print
 * "fieldvisit: out of memory" and exit with status 4.  They never return NULL.
 */
void *fv_xmalloc(size_t n);
void *fv_xcalloc(size_t nmemb, size_t size);
void *fv_xrealloc(void *p, size_t n);
/* Grow an array of nmemb elements of size bytes to hold at least need
 * elements; *cap is updated.  Checks for overflow. */
void *fv_xgrow(void *p, size_t *cap, size_t need, size_t size);
char *fv_xstrdup(const char *s);
char *fv_xstrndup(const char *s, size_t n);
char *fv_xasprintf(const char *fmt, ...) FV_PRINTF(1, 2);

/* A growing NUL-terminated byte string.  s is never NULL after init. */
typedef struct fv_buf {
	char *s;
	size_t len, cap;
} fv_buf;

void fv_buf_init(fv_buf *b);
void fv_buf_release(fv_buf *b);
void fv_buf_reset(fv_buf *b);              /* len = 0, keeps memory */
void fv_buf_add(fv_buf *b, const char *s, size_t n);
void fv_buf_adds(fv_buf *b, const char *s);
void fv_buf_addc(fv_buf *b, char c);
void fv_buf_addf(fv_buf *b, const char *fmt, ...) FV_PRINTF(2, 3);
/* Hand the string over to the caller (who frees it) and reset b. */
char *fv_buf_take(fv_buf *b);
/* s[0..n) as a quoted JSON string, escaped byte for byte as jansson's
 * json_dumps writes it: '"', '\\' and control characters escaped (\b \f
 * \n \r \t, else \u00XX), everything else as it is.  s must be UTF-8
 * without NUL (jansson refuses anything else). */
void fv_buf_add_json_string(fv_buf *b, const char *s, size_t n);

/* Read a whole file into memory (NUL-terminated).  Errors name the file. */
FV_MUST_CHECK fv_status fv_read_file(const char *path, char **data, size_t *len,
				     fv_errors *err);
/* Read a whole stream (stdin) into memory. */
FV_MUST_CHECK fv_status fv_read_stream(void *fp, const char *name, char **data,
				       size_t *len, fv_errors *err);

/*
 * Write data to path atomically: PATH.tmp (mode bits as given), fsync,
 * rename over PATH, fsync the folder.  On any failure PATH is unchanged,
 * the temp file is removed, and the error names the file and the reason
 * ("No space left on device").
 */
FV_MUST_CHECK fv_status fv_write_atomic(const char *path, const void *data, size_t len,
					int mode, fv_errors *err);

/*
 * UTF-8.  Strings inside fieldvisit are UTF-8; these functions never read past
 * the terminating NUL and treat invalid bytes as one character each.
 */
int fv_utf8_valid(const char *s, size_t n);
/* Decode one code point at s (n bytes available); returns its length in
 * bytes (>= 1), *cp is 0xFFFD for an invalid sequence. */
size_t fv_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Number of characters (code points) of a NUL-terminated string. */
size_t fv_utf8_len(const char *s);
/* Byte offset of the character with index idx (clamped to the length). */
size_t fv_utf8_offset(const char *s, size_t idx);
/* Append code point cp to b as UTF-8. */
void fv_utf8_put(fv_buf *b, uint32_t cp);

/* Trim ASCII white space at both ends, in place; returns s. */
char *fv_trim(char *s);
/* Strict parsers: the whole string (after trimming white space) must be a
 * number.  Return 1 on success. */
int fv_parse_double(const char *s, double *out);
int fv_parse_long(const char *s, long *out);

/*
 * Dates and times.  A date is a count of days since 1970-01-01 (proleptic
 * Gregorian); a time of day is seconds since midnight; a date-time is seconds
 * since the epoch in local time (fieldvisit runs where the visit happens).
 */
int fv_is_leap(int year);
int fv_days_in_month(int year, int month);
/* Days since the epoch of a valid y-m-d; returns 0 and sets nothing when the
 * date does not exist (2026-02-30). */
int fv_date_from_ymd(int y, int m, int d, int32_t *days);
void fv_date_to_ymd(int32_t days, int *y, int *m, int *d);
/* Parse "YYYY-MM-DD" exactly (a real date).  Returns 1 on success. */
int fv_date_parse(const char *s, int32_t *days);
/* Format as "YYYY-MM-DD" into out (at least 11 bytes). */
void fv_date_format(int32_t days, char out[static 16]);
/* Parse "HH:MM" or "HH:MM:SS" (optionally with ".mmm" and a zone suffix,
 * which is ignored).  Returns 1 on success. */
int fv_time_parse(const char *s, int32_t *secs);
/* Parse "YYYY-MM-DDTHH:MM[:SS[.mmm]][zone]" or a plain date; *t is seconds
 * since 1970-01-01T00:00 of the same wall clock (local time).  Returns 1 on
 * success. */
int fv_datetime_parse(const char *s, double *t);
/* Format seconds since the epoch (local wall clock) as
 * "YYYY-MM-DDTHH:MM:SS.mmm+HH:MM" using the local UTC offset. */
void fv_datetime_format(double t, char out[static 40]);

/*
 * The clock: wall-clock seconds since the epoch, local time.  Tests and
 * simulations pin it with fv_clock_set() or the FIELDVISIT_NOW environment
 * variable ("YYYY-MM-DDTHH:MM:SS", local time).
 */
double fv_clock_now(void);
void fv_clock_set(double t);   /* t < 0: back to the real clock */
/* The time fv_clock_set pinned, or -1 when none (to put it back after
 * moving it for a while). */
double fv_clock_pinned(void);

/*
 * The codes of the categories of people (shidu: only child died, shangcan:
 * only child disabled, gaoling: advanced age, zili / banshineng / shineng:
 * the care levels, ec_user, iud_user, migrant, newlywed) and of the service
 * items (meals, cleaning, urgent, care, comfort, errands), in that order;
 * *n gets the count.  The store, the rule tables and the forms use these
 * codes; their screen names are data.
 */
const char *const *fv_category_codes(size_t *n);
const char *const *fv_service_codes(size_t *n);

/*
 * Resident identity numbers (GB 11643-1999): 18 characters, an address code
 * (6 digits), the birth date YYYYMMDD (characters 7-14), a sequence number
 * (3 digits, the last odd for a man, even for a woman) and a check digit
 * (ISO 7064 MOD 11-2 over the first 17: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5
 * 8 4 2, sum mod 11 mapped by 0..10 -> 1 0 X 9 8 7 6 5 4 3 2; only an
 * upper-case X).  Returns 1 when id is valid, with the birth date in *birth
 * (days since the epoch) and 1 in *male for a man, 0 for a woman (either may
 * be NULL).  Returns 0 with the reason in why (whylen bytes, at least 64):
 * "must be 18 characters, not 17", "character 14 is not a digit", "the last
 * character must be a digit or X", "characters 7-14 (19490230) are not a
 * real date", "check digit should be X".
 */
int fv_resident_id_check(const char *id, int32_t *birth, int *male, char *why, size_t whylen);

#endif
