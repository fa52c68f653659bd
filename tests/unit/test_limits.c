/*
 * Resource limits (TAP): what is far larger than a field day still works,
 * or is refused before it costs the laptop its memory.
 *
 *   - a form of 2,000 questions (bench_form's generated form, four times
 *     its size: each answer recomputes a chain of calculates through the
 *     whole form) loads, is answered question by question through the form
 *     runner as the screens do, has no problem left and the right score;
 *     its draft resumes with the same score, settled once (fv_instance_apply),
 *     in a fraction of the time the answers took;
 *   - a bundle whose records would inflate to 1 GiB (70 records of 15 MiB
 *     of blanks, about a megabyte on disk: made in memory, nothing is
 *     written) is refused by the inflation cap, and reading it stays far
 *     below its size in memory.
 *
 * Deflating 1 GiB takes seconds, so make check runs a bundle of 120 MiB
 * (past the smallest cap, 64 MiB); FV_LIMITS_FULL=1 (`make bench-limits`)
 * runs it in full.
 *
 * The command-line side (a person with 10,000 visits, the program under a
 * 256 MB address-space limit, a bundle file over 1 GiB) is
 * tests/e2e/limits.sh; a million visits is `make bench-limits`.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L   /* clock_gettime */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "../bench/bench.h"
#include "fieldvisit/forms.h"
#include "fieldvisit/sync.h"
#include "tap.h"

#define QUESTIONS 2000

static long peak_rss_kib(void)
{
	struct rusage ru;
	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

/* The answer to question i, as bench_form gives it (never 99). */
static int answer_of(int i)
{
	return i % 2 ? i % 7 + 1 : i % 4;
}

static void big_form(void)
{
	fv_buf csv;
	fv_errors err;
	fv_form *f = NULL;
	char want[32];
	long total = 0;

	fv_buf_init(&csv);
	bench_make_form(&csv, QUESTIONS, 25, "settings,form_id,version\n,big,1\n");
	fv_errors_init(&err);
	double t0 = bench_seconds();
	fv_status st = fv_form_load_buffer("big.csv", csv.s, csv.len, &f, &err);
	double load = bench_seconds() - t0;
	if (!ok(st == FV_OK, "a form of %d questions (%zu bytes) loads in %.0f ms", QUESTIONS,
		csv.len, load * 1000)) {
		for (size_t i = 0; i < err.n && i < 5; i++)
			printf("# %s\n", err.lines[i]);
		fv_errors_release(&err);
		fv_buf_release(&csv);
		return;
	}

	/* through the runner, step by step, as the screens walk it */
	fv_runner *r = fv_runner_new(f, f->default_lang);
	int answered = 0, refused = 0, stuck = 0;
	t0 = bench_seconds();
	for (int guard = 0; guard < 4 * QUESTIONS; guard++) {
		const int *steps, *fields;
		size_t nsteps = fv_runner_steps(r, &steps), at = fv_runner_at(r);
		if (at >= nsteps)
			break;
		size_t nf = fv_runner_step_fields(r, at, &fields);
		for (size_t k = 0; k < nf; k++) {
			const char *name = f->fields[fields[k]].name;
			int q;
			char val[16], msg[256];
			if (sscanf(name, "q_%d", &q) != 1)
				continue;
			snprintf(val, sizeof val, "%d", answer_of(q));
			if (fv_runner_answer(r, fields[k], val, msg, sizeof msg) == FV_OK)
				answered++;
			else if (refused++ == 0)
				printf("# %s = %s refused: %s\n", name, val, msg);
		}
		const char *why;
		if (fv_runner_next(r, &why) >= 0 && stuck++ == 0)
			printf("# stuck at step %zu: %s\n", at, why);
	}
	double answer = bench_seconds() - t0;
	for (int i = 1; i <= QUESTIONS; i++)
		total += answer_of(i);
	snprintf(want, sizeof want, "%ld", total);
	fv_answers problems = {0}, saved = {0};
	size_t nproblems = fv_runner_problems(r, &problems);
	fv_runner_answers(r, &saved);
	int done, shown;
	fv_runner_progress(r, &done, &shown);
	ok(answered == QUESTIONS && !refused && !stuck && done == QUESTIONS && shown == QUESTIONS,
	   "every question answered through the runner in %.2f s (%d of %d shown)", answer, done,
	   shown);
	ok(fv_runner_at(r) == fv_runner_steps(r, &(const int *){NULL}), "at the summary");
	is_num(nproblems, 0, "no problem left");
	is_str(fv_instance_get(fv_runner_instance(r), f->score), want, "the score is the total");
	is_num(saved.n, QUESTIONS, "the draft holds every answer");

	/* the draft resumes: settling once, not after every answer (which
	 * cost as much as answering every question) */
	{
		t0 = bench_seconds();
		fv_runner *again = fv_runner_resume(f, f->default_lang, &saved, NULL);
		double resume = bench_seconds() - t0;
		is_str(fv_instance_get(fv_runner_instance(again), f->score), want,
		       "the draft resumes with the same score (%.2f s)", resume);
		ok(resume < answer / 5, "resuming (%.2f s) is far quicker than answering (%.2f s)",
		   resume, answer);
		fv_runner_free(again);
	}
	fv_answers_release(&problems);
	fv_answers_release(&saved);
	fv_runner_free(r);
	fv_form_free(f);
	fv_errors_release(&err);
	fv_buf_release(&csv);
}

static int sink_buf(void *ctx, const void *data, size_t len, fv_errors *err)
{
	(void)err;
	fv_buf_add(ctx, data, len);
	return 0;
}

static int count_line(void *ctx, const char *line, size_t len, fv_errors *err)
{
	(void)line, (void)len, (void)err;
	++*(size_t *)ctx;
	return 0;
}

static void inflate_bomb(int full)
{
	const size_t LINES = full ? 70 : 8;
	const size_t pad = (size_t)15 << 20;   /* under the 16 MiB record limit */
	fv_bundle_header h;
	fv_bundle_writer *w = NULL;
	fv_bundle_info info;
	vault_key *sign = NULL, *box = NULL;
	uint8_t sign_pk[32], box_pk[VAULT_BOX_PK_BYTES], hash[64];
	fv_buf file;
	fv_errors err;
	size_t lines = 0;

	if (!ok(vault_init() == FV_OK, "the vault starts"))
		return;
	fv_errors_init(&err);
	fv_buf_init(&file);
	vault_sign_keypair(&sign, sign_pk);
	vault_box_keypair(&box, box_pk);
	memset(&h, 0, sizeof h);
	h.version = 1;
	h.kind = FV_BUNDLE_UP;
	vault_random(h.id, sizeof h.id);
	vault_key_id(sign_pk, h.sender);
	memcpy(h.sender_pk, sign_pk, 32);
	memset(h.recipient, 9, sizeof h.recipient);
	h.seq = 1;
	h.created = 1795000000;

	char *l = fv_xmalloc(pad + 64);
	int k = snprintf(l, 64, "{\"table\":\"ack\",\"id\":\"0123456789abcdef\",");
	memset(l + k, ' ', pad - (size_t)k - 20);
	memcpy(l + pad - 20, "\"fields\":{\"seq\":0}}", 20);
	double t0 = bench_seconds();
	ok(fv_bundle_writer_new(&h, box_pk, sink_buf, &file, &w, &err) == FV_OK, "a writer");
	for (size_t i = 0; w && i < LINES; i++)
		fv_bundle_writer_add(w, l, pad);
	ok(w && fv_bundle_writer_finish(w, sign, hash, &err) == FV_OK, "%d MiB of records written"
	   " as a bundle of %zu bytes in %.1f s", (int)((LINES * pad) >> 20), file.len,
	   bench_seconds() - t0);
	fv_bundle_writer_free(w);
	free(l);
	ok(fv_bundle_check("bomb.fvb", (uint8_t *)file.s, file.len, &info, &err) == FV_OK &&
	   info.sig_ok, "its signature is valid");

	long before = peak_rss_kib();
	t0 = bench_seconds();
	uint64_t cap = fv_bundle_inflate_cap(file.len);
	fv_status st = fv_bundle_records("bomb.fvb", (uint8_t *)file.s, file.len, box, box_pk, 0,
					 count_line, &lines, NULL, NULL, &err);
	char want[128];
	snprintf(want, sizeof want, "bomb.fvb: too large when inflated (more than %llu bytes)",
		 (unsigned long long)cap);
	ok(st == FV_EINVAL && err.n == 1 && strcmp(err.lines[0], want) == 0,
	   "refused by the inflation cap (%llu MiB) in %.1f s: %s", (unsigned long long)(cap >> 20),
	   bench_seconds() - t0, err.n ? err.lines[0] : "accepted");
	long grew = peak_rss_kib() - before;
	/* the reader holds a chunk and the record being read, never the stream:
	 * at most two records of 16 MiB on top of what was there */
	ok(grew < 64 * 1024, "reading it took %ld KiB more at its peak (under 64 MiB)",
	   grew > 0 ? grew : 0);
	ok(lines < LINES, "%zu of the %zu records were read", lines, LINES);

	vault_key_free(sign);
	vault_key_free(box);
	fv_buf_release(&file);
	fv_errors_release(&err);
}

int main(void)
{
	const char *e = getenv("FV_LIMITS_FULL");
	int full = e && strcmp(e, "1") == 0;
	big_form();
	inflate_bomb(full);
	return done_testing();
}
