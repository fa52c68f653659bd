/*
 * Fuzz target: the decrypted record stream (src/sync/bundle.c's line
 * splitter and src/sync/records.c's record parser), fed arbitrary bytes
 * as the inflated content of a bundle: split into lines, each parsed into
 * a record (person, visit, review, hello, receipt, form, rule, ack), and
 * each good person, visit and review written back as a record line and
 * parsed again, which must give the same line.  Nothing may crash, leak
 * or read out of bounds.
 *
 * Seeds (tests/fuzz/corpus/records/): every table's record as a worker or
 * a supervisor writes it, wrong types, duplicate keys, a missing line end.
 */
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/sync.h"
#include "fuzz.h"

static int one(void *ctx, const char *line, size_t len, fv_errors *err)
{
	fv_record r, again;
	char *text = NULL;
	size_t *n = ctx;
	if (fv_record_parse(line, len, ++*n, &r, err) != FV_OK)
		return 0;   /* go on: every line is worth parsing */
	if (r.table == FV_REC_PERSON)
		text = fv_record_person_line(&r.person);
	else if (r.table == FV_REC_VISIT)
		text = fv_record_visit_line(&r.visit);
	else if (r.table == FV_REC_REVIEW)
		text = fv_record_review_line(&r.review);
	if (text) {
		char *twice = NULL;
		if (fv_record_parse(text, strlen(text), *n, &again, err) != FV_OK)
			abort();   /* what we write we must read */
		if (again.table == FV_REC_PERSON)
			twice = fv_record_person_line(&again.person);
		else if (again.table == FV_REC_VISIT)
			twice = fv_record_visit_line(&again.visit);
		else
			twice = fv_record_review_line(&again.review);
		if (strcmp(text, twice) != 0)
			abort();   /* a record reads back the same */
		free(twice);
		free(text);
		fv_record_release(&again);
	}
	fv_record_release(&r);
	return 0;
}

FV_FUZZ_ENTRY(records)
{
	fv_errors err;
	size_t n = 0;
	fv_errors_init(&err);
	if (fv_bundle_split_lines("fuzz", (const char *)data, size, one, &n, &err) == FV_OK &&
	    size && data[size - 1] != '\n')
		abort();   /* a stream that does not end a line is refused */
	fv_errors_release(&err);
	return 0;
}
