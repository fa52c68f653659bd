/* fieldvisit benchmarks: what every bench program measures with. */
#ifndef FV_BENCH_H
#define FV_BENCH_H

#include <stdlib.h>
#include <time.h>

#include "fieldvisit/core.h"

/* The monotonic clock in seconds. */
static inline double bench_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The wall clock in milliseconds. */
static inline double now_ms(void)
{
	return bench_seconds() * 1e3;
}

#ifdef BENCH_NAME
#include <stdarg.h>
#include <stdio.h>

/* Say "BENCH_NAME: ..." on stderr and exit 1. */
static void die(const char *fmt, ...) FV_PRINTF(1, 2) __attribute__((noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	fputs(BENCH_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Every line of err, then die saying what failed. */
static void die_errors(const char *what, fv_errors *err) __attribute__((noreturn));
static void die_errors(const char *what, fv_errors *err)
{
	for (size_t i = 0; i < err->n; i++)
		fprintf(stderr, BENCH_NAME ": %s\n", err->lines[i]);
	die("%s failed", what);
}
#endif

/* Median of n values (sorts v). */
static inline double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The generated form of bench_form and bench_ui: questions integer and
 * select_one questions in groups of group_size, each relevant on the one
 * before, a running total (a calculate per question, each reading the one
 * before) that the groups' relevance reads too, a score and a band: the
 * longest chains of dependencies a form can have.  settings is the
 * settings sheet's two lines ("settings,form_id,version\n,bench,1\n").
 */
static inline void bench_make_form(fv_buf *csv, int questions, int group_size,
				   const char *settings)
{
	fv_buf_adds(csv, "survey,type,name,label,required,constraint,relevant,calculation\n");
	for (int i = 1; i <= questions; i++) {
		if ((i - 1) % group_size == 0) {
			int g = (i - 1) / group_size + 1;
			fv_buf_addf(csv, ",begin_group,g_%d,Section %d,,,", g, g);
			if (g > 1)
				fv_buf_addf(csv, "${s_%d} < 100000", i - 1);
			fv_buf_adds(csv, ",\n");
		}
		if (i % 2)
			fv_buf_addf(csv, ",integer,q_%d,Question %d: how many days?,%s,"
				    ". >= 0 and . <= 99,", i, i, i % 5 == 0 ? "yes" : "");
		else
			fv_buf_addf(csv, ",select_one scale,q_%d,Question %d: how often?,%s,,",
				    i, i, i % 5 == 0 ? "yes" : "");
		if (i > 1)
			fv_buf_addf(csv, "${q_%d} != 99", i - 1);
		fv_buf_adds(csv, ",\n");
		if (i == 1)
			fv_buf_adds(csv, ",calculate,s_1,,,,,\"coalesce(${q_1}, 0)\"\n");
		else
			fv_buf_addf(csv, ",calculate,s_%d,,,,,\"${s_%d} + coalesce(${q_%d}, 0)\"\n",
				    i, i - 1, i);
		if (i % group_size == 0)
			fv_buf_adds(csv, ",end_group,,,,,,\n");
	}
	fv_buf_addf(csv, ",calculate,score,Total,,,,${s_%d}\n", questions);
	fv_buf_adds(csv, ",calculate,band,Band,,,${score} != '',"
		    "\"if(${score} >= 1000, 'high', if(${score} >= 500, 'medium', 'low'))\"\n"
		    "choices,list_name,name,label\n"
		    ",scale,0,Never\n,scale,1,Sometimes\n,scale,2,Often\n,scale,3,Always\n"
		    ",scale,99,Refused\n");
	fv_buf_adds(csv, settings);
}

#endif
