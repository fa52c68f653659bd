/*
 * Fuzz target: the rule table reader (the block layout, every cell type
 * and each of the seven table readers), fed arbitrary bytes as the text of
 * a table.  The input is read as every table in turn, so one input reaches
 * each table's reader; a table that loads is then read back through the
 * accessors.  Nothing may crash, leak or read out of bounds, whatever the
 * input.
 *
 *   libFuzzer:  ./configure CC=clang --enable-fuzzing && make
 *               tests/fuzz/fuzz_rules tests/fuzz/corpus/rules
 *   replay:     tests/unit/test_fuzz_corpus (make check)
 */
#include "fieldvisit/rules.h"
#include "fuzz.h"

/* Read what table t of r holds, as schedules and reports will. */
static void use_table(const fv_rules *r, fv_rules_table t)
{
	size_t n, len, counts[64] = {0};
	int first, last;
	double rate;
	const fv_rules_frequency *freq;
	const fv_rules_festival *fest;
	const fv_rules_level *levels;
	const fv_rules_caller *callers;

	(void)fv_rules_version(r, t);
	(void)fv_rules_effective(r, t);
	(void)fv_rules_source(r, t, &len);
	switch (t) {
	case FV_RULES_VISIT_FREQUENCY:
		n = fv_rules_frequencies(r, &freq);
		for (size_t i = 0; i < n; i++)
			(void)fv_rules_frequency_for(r, freq[i].category);
		break;
	case FV_RULES_FESTIVALS:
		n = fv_rules_festivals(r, &fest);
		fv_rules_festival_years(r, &first, &last);
		for (size_t f = 0; f < n; f++)
			for (int y = first - 1; y <= last + 1; y++) {
				int32_t d, from, to;
				(void)fv_rules_festival_on(r, f, y, &d, &from, &to);
			}
		break;
	case FV_RULES_SATISFACTION:
		n = fv_rules_levels(r, &levels);
		for (size_t i = 0; i < n && i < 64; i++)
			counts[i] = i + 1;
		if (n <= 64 && fv_rules_satisfaction_rate(r, counts, &rate))
			(void)fv_rules_satisfaction_below(r, rate);
		break;
	case FV_RULES_CALLBACKS:
		n = fv_rules_callers(r, &callers);
		for (size_t i = 0; i < n; i++)
			(void)fv_rules_callbacks_needed(&callers[i], 25);
		break;
	case FV_RULES_SERVICES:
		(void)fv_rules_service_min_items(r);
		(void)fv_rules_service_find(r, "meals");
		break;
	case FV_RULES_HOTLINES:
		(void)fv_rules_hotline_find(r, "psych");
		break;
	case FV_RULES_SETTINGS:
		(void)fv_rules_lock_minutes(r);
		(void)fv_rules_retention_days(r);
		break;
	}
}

FV_FUZZ_ENTRY(rules)
{
	for (int t = 0; t < FV_RULES_NTABLES; t++) {
		fv_errors err;
		fv_rules *r = fv_rules_new();
		fv_errors_init(&err);
		if (fv_rules_parse_table(r, (fv_rules_table)t, "fuzz.csv", (const char *)data, size,
					 &err) == FV_OK)
			use_table(r, (fv_rules_table)t);
		fv_rules_free(r);
		fv_errors_release(&err);
	}
	return 0;
}
