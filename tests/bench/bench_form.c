/*
 * bench_form: how fast a big form loads and answers (`make bench`).
 *
 * Builds in memory an XLSForm CSV of 500 questions in 20 groups: integers
 * with a constraint and select_ones, each question relevant only when the
 * one before it is not 99, each group relevant on the running total so
 * far, and a running total s_i = ${s_(i-1)} + coalesce(${q_i}, 0) chained
 * through the whole form, ending in score and band.  Answering q_1 thus
 * recomputes 500 calculates: the worst case of a real assessment.
 *
 * Reports load time (median of several loads) and the time of each
 * fv_instance_set while answering every question in turn (each question's
 * time is the median of several passes, so one preemption does not decide
 * the worst case), against the targets of the design: a load under 20 ms,
 * every answer under 1 ms.  Absolute times depend on the machine, so each
 * is also given as a ratio to a reference measured in the same run:
 * parsing the same CSV with fv_csv_parse() alone, a bare pass of
 * fv_instance_get() over every field, and an empty evaluation (the
 * expression "1").  A benchmark, not a test: it always exits 0 unless the
 * generated form itself fails to load.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L   /* clock_gettime */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "fieldvisit/forms.h"

#define QUESTIONS 500
#define GROUP_SIZE 25
#define LOADS 11          /* loads measured; the median is reported */
#define PASSES 5          /* answering passes; per question, the median */
#define LOAD_TARGET_MS 20.0
#define ANSWER_TARGET_US 1000.0

static double now_us(void)
{
	return bench_seconds() * 1e6;
}

/* The generated form (see the top of the file). */
static void make_form(fv_buf *csv)
{
	bench_make_form(csv, QUESTIONS, GROUP_SIZE, "settings,form_id,version\n,bench,1\n");
}

/* The answer given to question i (never 99: everything stays relevant). */
static void answer_of(int i, char *buf, size_t n)
{
	snprintf(buf, n, "%d", i % 2 ? i % 7 + 1 : i % 4);
}

static int no_field(void *ctx, const char *name)
{
	(void)ctx, (void)name;
	return -1;
}

/* Reference: one evaluation of the expression "1", in µs (median of batches). */
static double empty_eval_us(void)
{
	enum { BATCHES = 21, BATCH = 2000 };
	double t[BATCHES];
	char msg[256];
	fv_expr *e;
	fv_buf out;
	fv_expr_env env = {.dot = -1};
	if (fv_expr_compile("1", no_field, NULL, 0, &e, msg, sizeof msg) != FV_OK)
		return 0;
	fv_buf_init(&out);
	for (int b = 0; b < BATCHES; b++) {
		double t0 = now_us();
		for (int k = 0; k < BATCH; k++) {
			fv_buf_reset(&out);
			if (fv_expr_eval_string(e, &env, &out, msg, sizeof msg) != FV_OK)
				break;
		}
		t[b] = (now_us() - t0) / BATCH;
	}
	fv_buf_release(&out);
	fv_expr_free(e);
	return median(t, BATCHES);
}

/* Reference: one pass of fv_instance_get over every field, in µs. */
static double get_loop_us(const fv_form *f, const fv_instance *in)
{
	enum { BATCHES = 21, BATCH = 200 };
	double t[BATCHES];
	volatile size_t sink = 0;
	for (int b = 0; b < BATCHES; b++) {
		double t0 = now_us();
		for (int k = 0; k < BATCH; k++)
			for (size_t i = 0; i < f->nfields; i++)
				sink += (size_t)fv_instance_get(in, (int)i)[0];
		t[b] = (now_us() - t0) / BATCH;
	}
	(void)sink;
	return median(t, BATCHES);
}

static const char *verdict(int pass)
{
	return pass ? "PASS" : "FAIL";
}

int main(void)
{
	fv_buf csv;
	fv_errors err;
	fv_form *f = NULL;
	double loads[LOADS], parses[LOADS];
	int fields[QUESTIONS];
	double *times = calloc((size_t)QUESTIONS * PASSES, sizeof *times);
	double per_q[QUESTIONS], tmp[PASSES], rechange[PASSES];

	if (!times)
		return 1;
	fv_buf_init(&csv);
	make_form(&csv);
	fv_errors_init(&err);

	/* reference: the CSV parse alone */
	for (int r = 0; r < LOADS; r++) {
		fv_csv c;
		double t0 = now_us();
		fv_status st = fv_csv_parse("bench.csv", csv.s, csv.len, &c, &err);
		parses[r] = (now_us() - t0) / 1000;
		if (st == FV_OK)
			fv_csv_release(&c);
	}
	/* the whole load, keeping the last form */
	for (int r = 0; r < LOADS; r++) {
		fv_form_free(f);
		double t0 = now_us();
		fv_status st = fv_form_load_buffer("bench.csv", csv.s, csv.len, &f, &err);
		loads[r] = (now_us() - t0) / 1000;
		if (st != FV_OK) {
			for (size_t i = 0; i < err.n; i++)
				fprintf(stderr, "bench_form: %s\n", err.lines[i]);
			fprintf(stderr, "bench_form: the generated form does not load\n");
			fv_errors_release(&err);
			fv_buf_release(&csv);
			free(times);
			return 1;
		}
	}
	for (int i = 0; i < QUESTIONS; i++) {
		char name[32];
		snprintf(name, sizeof name, "q_%d", i + 1);
		fields[i] = fv_form_field_index(f, name);
	}

	/* answer every question in turn, PASSES times on fresh instances; then
	 * change the first answer, which recomputes the whole chain */
	double new_us = 0, check_us = 0, get_us = 0;
	int rejected = 0;
	char final_score[32] = "";
	for (int p = 0; p < PASSES; p++) {
		char msg[256], val[16];
		double t0 = now_us();
		fv_instance *in = fv_instance_new(f, f->default_lang);
		new_us = now_us() - t0;
		for (int i = 0; i < QUESTIONS; i++) {
			answer_of(i + 1, val, sizeof val);
			t0 = now_us();
			fv_status st = fv_instance_set(in, fields[i], val, msg, sizeof msg);
			times[(size_t)i * PASSES + (size_t)p] = now_us() - t0;
			if (st != FV_OK && rejected++ == 0)
				fprintf(stderr, "bench_form: q_%d = %s rejected: %s\n", i + 1, val, msg);
		}
		t0 = now_us();
		fv_status st = fv_instance_set(in, fields[0], "5", msg, sizeof msg);
		rechange[p] = now_us() - t0;
		if (st != FV_OK && rejected++ == 0)
			fprintf(stderr, "bench_form: q_1 = 5 rejected: %s\n", msg);
		fv_answers none = {0}, problems = {0};
		t0 = now_us();
		size_t nerr = fv_instance_report(in, &none, &problems);
		check_us = now_us() - t0;
		if (nerr && p == 0)
			fprintf(stderr, "bench_form: %zu problems left, first: %s: %s\n", nerr,
				problems.items[0].name, problems.items[0].value);
		fv_answers_release(&problems);
		if (p == PASSES - 1) {
			snprintf(final_score, sizeof final_score, "%s", fv_instance_get(in, f->score));
			get_us = get_loop_us(f, in);
		}
		fv_instance_free(in);
	}
	for (int i = 0; i < QUESTIONS; i++) {
		memcpy(tmp, &times[(size_t)i * PASSES], sizeof tmp);
		per_q[i] = median(tmp, PASSES);
	}
	double eval_us = empty_eval_us();
	double load_ms = median(loads, LOADS), parse_ms = median(parses, LOADS);
	double rechange_us = median(rechange, PASSES);
	int worst_q = 0;
	for (int i = 1; i < QUESTIONS; i++)
		if (per_q[i] > per_q[worst_q])
			worst_q = i;
	double worst_us = per_q[worst_q];
	double median_us = median(per_q, QUESTIONS);
	double slowest_us = worst_us > rechange_us ? worst_us : rechange_us;

	printf("bench_form: %d questions in %d groups, %zu fields, %zu bytes of CSV; score %s\n",
	       QUESTIONS, QUESTIONS / GROUP_SIZE, f->nfields, csv.len, final_score);
	printf("\nreferences (this machine, this run)\n");
	printf("  fv_csv_parse of the same CSV       %9.3f ms\n", parse_ms);
	printf("  fv_instance_get over every field   %9.3f us\n", get_us);
	printf("  empty evaluation (\"1\")             %9.3f us\n", eval_us);
	printf("\nmeasured                                        ratio to reference\n");
	printf("  load (median of %2d)         %9.3f ms  %8.1f x csv parse\n", LOADS, load_ms,
	       load_ms / parse_ms);
	printf("  fv_instance_new              %9.1f us  %8.1f x get pass\n", new_us,
	       new_us / get_us);
	printf("  answer, median               %9.1f us  %8.1f x get pass  %8.0f x empty eval\n",
	       median_us, median_us / get_us, median_us / eval_us);
	char worst_label[40];
	snprintf(worst_label, sizeof worst_label, "answer, worst (q_%d)", worst_q + 1);
	printf("  %-28s %9.1f us  %8.1f x get pass  %8.0f x empty eval\n", worst_label,
	       worst_us, worst_us / get_us, worst_us / eval_us);
	printf("  change q_1 when all answered %9.1f us  %8.1f x get pass  %8.0f x empty eval\n",
	       rechange_us, rechange_us / get_us, rechange_us / eval_us);
	printf("  fv_instance_report           %9.1f us  %8.1f x get pass\n", check_us,
	       check_us / get_us);
	printf("\ntargets\n");
	printf("  load < %.0f ms                  %9.3f ms  %s\n", LOAD_TARGET_MS, load_ms,
	       verdict(load_ms < LOAD_TARGET_MS));
	printf("  every answer < %.0f us        %9.1f us  %s\n", ANSWER_TARGET_US, slowest_us,
	       verdict(slowest_us < ANSWER_TARGET_US));
	if (rejected)
		printf("  (%d answers were rejected: the figures are not meaningful)\n", rejected);

	fv_form_free(f);
	fv_errors_release(&err);
	fv_buf_release(&csv);
	free(times);
	return 0;
}
