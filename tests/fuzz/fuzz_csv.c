/*
 * Fuzz target: the XLSForm loader (csv.c, form.c and the expression
 * compiler), fed arbitrary bytes as a form file.  A form that loads is also
 * instantiated and checked once, so that defaults, relevance and calculates
 * of whatever the fuzzer builds are evaluated too.  Nothing may crash, leak
 * or read out of bounds, whatever the input.
 *
 *   libFuzzer:  ./configure CC=clang --enable-fuzzing && make
 *               tests/fuzz/fuzz_csv tests/fuzz/corpus/csv
 *   replay:     tests/unit/test_fuzz_corpus (make check)
 */
#include "fieldvisit/forms.h"
#include "fuzz.h"

FV_FUZZ_ENTRY(csv)
{
	fv_errors err;
	fv_form *f = NULL;

	/* a fixed clock, so that a crash found with today() reproduces */
	fv_clock_set(1767225600.0);   /* 2026-01-01T00:00:00 */
	fv_errors_init(&err);
	if (fv_form_load_buffer("fuzz.csv", (const char *)data, size, &f, &err) == FV_OK) {
		fv_answers none = {0}, problems = {0};
		fv_instance *in = fv_instance_new(f, f->default_lang);
		fv_instance_report(in, &none, &problems);
		fv_answers_release(&problems);
		fv_instance_free(in);
	}
	fv_form_free(f);
	fv_errors_release(&err);
	return 0;
}
