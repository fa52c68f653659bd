/*
 * Unit tests of the rule tables: the shipped tables load and give the
 * defaults of DOMAIN.md, the festival dates checked against the Hong Kong
 * Observatory's conversion tables, the formulas, building a set from texts
 * (all or nothing per table), and what a spreadsheet does to a file.
 * Bad tables, each with its exact error, are the corpus of
 * tests/e2e/rules_corpus.sh.
 */
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/rules.h"
#include "tap.h"

static const char *srcdir(void)
{
	const char *s = getenv("FV_SRCDIR");
	return s && *s ? s : FV_SRCDIR;
}

static int32_t day(const char *iso)
{
	int32_t d = 0;
	if (!fv_date_parse(iso, &d))
		diag("bad test date %s", iso);
	return d;
}

static void print_errors(const fv_errors *err)
{
	for (size_t i = 0; i < err->n; i++)
		diag("%s", err->lines[i]);
}

/* The one error of parsing text as table t, or "" when it loads. */
static char *parse_error(fv_rules_table t, const char *text)
{
	fv_errors err;
	fv_rules *r = fv_rules_new();
	char *msg;
	fv_errors_init(&err);
	if (fv_rules_parse_table(r, t, "t.csv", text, strlen(text), &err) == FV_OK)
		msg = fv_xstrdup("");
	else
		msg = fv_xstrdup(err.n ? err.lines[0] : "(no error)");
	fv_errors_release(&err);
	fv_rules_free(r);
	return msg;
}

static void test_frequency(const fv_rules *r)
{
	static const struct {
		const char *category;
		int visits;
		fv_rules_period period;
		int within_days, min_minutes, makeup;
	} want[] = {
		{"gaoling", 1, FV_RULES_MONTH, 0, 60, 1},
		{"zili", 1, FV_RULES_MONTH, 0, 60, 1},
		{"banshineng", 2, FV_RULES_MONTH, 0, 60, 1},
		{"shineng", 4, FV_RULES_MONTH, 0, 60, 1},
		{"shidu", 1, FV_RULES_QUARTER, 0, 0, 0},
		{"shangcan", 1, FV_RULES_QUARTER, 0, 0, 0},
		{"ec_user", 1, FV_RULES_EVENT, 30, 0, 0},
	};
	const fv_rules_frequency *all;

	is_num((double)fv_rules_frequencies(r, &all), 7, "visit_frequency: 7 categories");
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const fv_rules_frequency *f = fv_rules_frequency_for(r, want[i].category);
		if (!ok(f != NULL, "%s has a row", want[i].category))
			continue;
		ok(f->visits == want[i].visits && f->period == want[i].period &&
		   f->within_days == want[i].within_days && f->min_minutes == want[i].min_minutes &&
		   f->makeup == want[i].makeup && f->coverage_percent == 100,
		   "%s: %d visit(s) per %s, %d minutes, make-up %s, within %d days", want[i].category,
		   f->visits, fv_rules_period_name(f->period), f->min_minutes,
		   f->makeup ? "yes" : "no", f->within_days);
	}
	ok(fv_rules_frequency_for(r, "iud_user") == NULL, "iud_user: no regular visits");
	ok(fv_rules_frequency_for(r, "nobody") == NULL, "an unknown category has no row");
}

static void test_festivals(const fv_rules *r)
{
	/* checked against the HKO Gregorian-Lunar Calendar Conversion Tables
	 * (assets/rules/README.md) */
	static const struct {
		int year;
		const char *spring, *mid_autumn;
	} verified[] = {
		{2024, "2024-02-10", "2024-09-17"},
		{2026, "2026-02-17", "2026-09-25"},
		{2028, "2028-01-26", "2028-10-03"},
		{2030, "2030-02-03", "2030-09-12"},
		{2031, "2031-01-23", "2031-10-01"},
		{2035, "2035-02-08", "2035-09-16"},
	};
	const fv_rules_festival *fest;
	int first, last, spring = fv_rules_festival_find(r, "spring");
	int autumn = fv_rules_festival_find(r, "mid_autumn");
	int32_t d, from, to;

	is_num((double)fv_rules_festivals(r, &fest), 2, "festivals: two");
	ok(spring >= 0 && autumn >= 0, "spring and mid_autumn are there");
	if (spring < 0 || autumn < 0)
		return;
	is_str(fest[spring].name_zh, "\xe6\x98\xa5\xe8\x8a\x82", "spring is named chun jie (zh)");
	is_str(fest[autumn].name_zh, "\xe4\xb8\xad\xe7\xa7\x8b\xe8\x8a\x82", "mid_autumn is named zhongqiu jie (zh)");
	is_str(fest[spring].categories, "shidu shangcan", "visits go to special families");
	fv_rules_festival_years(r, &first, &last);
	ok(first == 2024 && last == 2035, "years 2024 to 2035 (%d-%d)", first, last);
	for (size_t i = 0; i < sizeof verified / sizeof verified[0]; i++) {
		ok(fv_rules_festival_on(r, (size_t)spring, verified[i].year, &d, NULL, NULL) &&
		   d == day(verified[i].spring), "spring %d is %s", verified[i].year, verified[i].spring);
		ok(fv_rules_festival_on(r, (size_t)autumn, verified[i].year, &d, NULL, NULL) &&
		   d == day(verified[i].mid_autumn), "mid_autumn %d is %s", verified[i].year,
		   verified[i].mid_autumn);
	}
	for (int y = first; y <= last; y++) {
		int32_t s, a;
		int sy, ay, m, dd;
		fv_rules_festival_on(r, (size_t)spring, y, &s, NULL, NULL);
		fv_rules_festival_on(r, (size_t)autumn, y, &a, NULL, NULL);
		fv_date_to_ymd(s, &sy, &m, &dd);
		int spring_ok = sy == y && (m == 1 || m == 2);
		fv_date_to_ymd(a, &ay, &m, &dd);
		ok(spring_ok && ay == y && (m == 9 || m == 10),
		   "%d: spring in January or February, mid_autumn in September or October", y);
	}
	ok(fv_rules_festival_on(r, (size_t)spring, 2026, &d, &from, &to) &&
	   from == day("2026-02-03") && to == day("2026-02-24"),
	   "the spring 2026 window: 14 days before to 7 after");
	ok(!fv_rules_festival_on(r, (size_t)spring, 2023, &d, NULL, NULL) &&
	   !fv_rules_festival_on(r, (size_t)spring, 2036, &d, NULL, NULL) &&
	   !fv_rules_festival_on(r, 9, 2026, &d, NULL, NULL),
	   "no date outside the table's years or for another festival");
}

static void test_satisfaction(const fv_rules *r)
{
	static const char *const codes[] = {
		"very_satisfied", "satisfied", "fairly_satisfied", "dissatisfied",
		"very_dissatisfied",
	};
	static const char *const zh[] = {
		"\xe9\x9d\x9e\xe5\xb8\xb8\xe6\xbb\xa1\xe6\x84\x8f",                 /* 非常满意 */
		"\xe6\xbb\xa1\xe6\x84\x8f",                                         /* 满意 */
		"\xe5\x9f\xba\xe6\x9c\xac\xe6\xbb\xa1\xe6\x84\x8f",                 /* 基本满意 */
		"\xe4\xb8\x8d\xe6\xbb\xa1\xe6\x84\x8f",                             /* 不满意 */
		"\xe9\x9d\x9e\xe5\xb8\xb8\xe4\xb8\x8d\xe6\xbb\xa1\xe6\x84\x8f",     /* 非常不满意 */
	};
	const fv_rules_level *lv;
	size_t n = fv_rules_levels(r, &lv);
	size_t at80[] = {4, 3, 1, 1, 1}, at70[] = {3, 3, 1, 2, 1}, none[] = {0, 0, 0, 0, 0};
	double rate = -1;

	if (!is_num((double)n, 5, "satisfaction: five levels"))
		return;
	for (size_t i = 0; i < n; i++)
		ok(strcmp(lv[i].code, codes[i]) == 0 && strcmp(lv[i].name_zh, zh[i]) == 0 &&
		   lv[i].satisfied == (i < 3), "level %zu: %s %s, %s", i, lv[i].code, lv[i].name_zh,
		   lv[i].satisfied ? "satisfied" : "not satisfied");
	is_num(fv_rules_satisfaction_threshold(r), 80, "threshold 80%%");
	ok(fv_rules_satisfaction_formula(r) == FV_RULES_SATISFIED_SHARE,
	   "formula: satisfied answers / all answers");
	ok(fv_rules_survey_period(r) == FV_RULES_QUARTER, "grid staff survey every quarter");
	ok(fv_rules_satisfaction_rate(r, at80, &rate) && rate == 80 &&
	   !fv_rules_satisfaction_below(r, rate), "8 of 10 satisfied: 80%%, no rectification");
	ok(fv_rules_satisfaction_rate(r, at70, &rate) && rate == 70 &&
	   fv_rules_satisfaction_below(r, rate), "7 of 10 satisfied: 70%%, rectification");
	ok(!fv_rules_satisfaction_rate(r, none, &rate), "no answers: no rate");
	is_num(fv_rules_level_find(r, "dissatisfied"), 3, "level_find");
}

static void test_others(const fv_rules *r)
{
	const fv_rules_caller *provider = fv_rules_caller_find(r, "provider");
	const fv_rules_caller *district = fv_rules_caller_find(r, "district");
	const fv_rules_service *items;
	const fv_rules_hotline *h;
	static const struct {
		const char *id, *number;
	} hot[] = {
		{"psych", "12356"},
		{"hope24", "400-161-9995"},
		{"police", "110"},
		{"ambulance", "120"},
	};

	ok(provider && provider->min_percent == 100, "the provider calls back 100%%");
	ok(district && district->min_percent == 10, "the district calls back at least 10%%");
	if (provider && district) {
		is_num((double)fv_rules_callbacks_needed(district, 25), 3, "10%% of 25 orders: 3");
		is_num((double)fv_rules_callbacks_needed(district, 30), 3, "10%% of 30 orders: 3");
		is_num((double)fv_rules_callbacks_needed(district, 0), 0, "10%% of none: 0");
		is_num((double)fv_rules_callbacks_needed(provider, 7), 7, "100%% of 7 orders: 7");
	}
	is_num((double)fv_rules_services(r, &items), 6, "six service items");
	is_num(fv_rules_service_min_items(r), 3, "at least 3 different items a year");
	ok(fv_rules_service_find(r, "comfort") &&
	   strcmp(fv_rules_service_find(r, "comfort")->name_zh,
		  "\xe7\xb2\xbe\xe7\xa5\x9e\xe6\x85\xb0\xe8\x97\x89") == 0,
	   "comfort is named jingshen weijie (zh)");
	for (size_t i = 0; i < sizeof hot / sizeof hot[0]; i++) {
		h = fv_rules_hotline_find(r, hot[i].id);
		ok(h && strcmp(h->number, hot[i].number) == 0 && h->last_verified > 0,
		   "hotline %s: %s, with a last-verified date", hot[i].id, hot[i].number);
	}
	ok(fv_rules_hotline_find(r, "fire") == NULL, "no hotline fire");
	is_num(fv_rules_lock_minutes(r), 5, "lock after 5 idle minutes");
	is_num(fv_rules_max_visits_per_day(r), 8, "at most 8 visits a day before it stands out");
	is_num(fv_rules_max_record_delay_hours(r), 48, "recorded within 48 hours of the check-out");
	is_num(fv_rules_same_minute_percent(r), 80, "80%% of check-ins on one minute stand out");
	is_num(fv_rules_same_minute_min_visits(r), 10, "... of a worker with 10 check-ins or more");
	is_num(fv_rules_copied_min_people(r), 3, "the same answers for 3 people stand out");
	is_num(fv_rules_retention_days(r), 90, "keep records 90 days after a receipt");
	for (int t = 0; t < FV_RULES_NTABLES; t++) {
		size_t len;
		const char *src = fv_rules_source(r, (fv_rules_table)t, &len);
		ok(strcmp(fv_rules_version(r, (fv_rules_table)t), "1") == 0 &&
		   fv_rules_effective(r, (fv_rules_table)t) == day("2026-01-01") && len > 0 &&
		   strncmp(src, "table,version,effective\n", 24) == 0,
		   "%s: version 1, effective 2026-01-01, its text kept",
		   fv_rules_table_name((fv_rules_table)t));
	}
}

static const char settings_a[] =
	"table,version,effective\nsettings,7,2027-03-01\n\n"
	"setting,value\nlock_idle_minutes,3\nretention_days_after_receipt,30\nalert_followup_days,7\n"
	"max_visits_per_day,6\nmax_record_delay_hours,24\nsame_minute_percent,75%\n"
	"same_minute_min_visits,12\ncopied_min_people,4\n";

static void test_texts(void)
{
	fv_errors err;
	fv_rules *r = fv_rules_new();
	fv_rules_table t;
	char *e;

	fv_errors_init(&err);
	ok(fv_rules_parse_table(r, FV_RULES_SETTINGS, "a.csv", settings_a, strlen(settings_a),
				&err) == FV_OK, "a settings table from text");
	ok(fv_rules_check_complete(r, &err) == FV_EINVAL && err.n == 6,
	   "one table is not a complete set (%zu errors)", err.n);
	is_str(err.n ? err.lines[0] : "", "the rule set has no visit_frequency table",
	       "... naming each missing table");
	fv_errors_release(&err);
	ok(fv_rules_parse_table(r, FV_RULES_SETTINGS, "b.csv", "x", 1, &err) == FV_EINVAL &&
	   fv_rules_lock_minutes(r) == 3 && strcmp(fv_rules_version(r, FV_RULES_SETTINGS), "7") == 0,
	   "a bad table leaves the one before in place");
	ok(fv_rules_max_visits_per_day(r) == 6 && fv_rules_max_record_delay_hours(r) == 24 &&
	   fv_rules_same_minute_percent(r) == 75 && fv_rules_same_minute_min_visits(r) == 12 &&
	   fv_rules_copied_min_people(r) == 4, "the anomaly settings as the text gives them");
	fv_errors_release(&err);
	static const char settings_b[] =
		"table,version,effective\nsettings,8,2027-06-01\n\n"
		"setting,value\nretention_days_after_receipt,0\nlock_idle_minutes,10\nalert_followup_days,3\n"
		"copied_min_people,2\nsame_minute_min_visits,1\nsame_minute_percent,100\n"
		"max_record_delay_hours,1\nmax_visits_per_day,1\n";
	ok(fv_rules_parse_table(r, FV_RULES_SETTINGS, "c.csv", settings_b, strlen(settings_b),
				&err) == FV_OK &&
	   fv_rules_lock_minutes(r) == 10 && fv_rules_retention_days(r) == 0 &&
	   fv_rules_max_visits_per_day(r) == 1 && fv_rules_copied_min_people(r) == 2 &&
	   strcmp(fv_rules_version(r, FV_RULES_SETTINGS), "8") == 0,
	   "a good table replaces it");
	fv_errors_release(&err);
	fv_rules_free(r);
	fv_rules_free(NULL);

	ok(fv_rules_table_parse("festivals", &t) && t == FV_RULES_FESTIVALS &&
	   !fv_rules_table_parse("festival", &t), "table names");

	e = parse_error(FV_RULES_HOTLINES, settings_a);
	is_str(e, "t.csv:2: table: 'settings' is not hotlines (is this the right file?)",
	       "a table under the wrong name");
	free(e);

	/* what Excel or WPS writes back: a BOM, CRLF, every row padded to the
	 * widest, dates as YYYY/M/D, a percentage with its sign, TRUE/FALSE */
	static const char excel[] =
		"\xef\xbb\xbftable,version,effective,,,\r\n"
		"satisfaction,2,2026/7/1,,,\r\n"
		",,,,,\r\n"
		"setting,value,note,,,\r\n"
		"threshold_percent,85%,,,,\r\n"
		"formula,mean_score,,,,\r\n"
		"survey_period,month,,,,\r\n"
		",,,,,\r\n"
		"level,name_zh,name_en,satisfied,score,note\r\n"
		"good,\xe5\xa5\xbd,Good,TRUE,100,\r\n"
		"\"# a comment, with a comma\",,,,,\r\n"
		"poor,\xe5\xb7\xae,Poor,FALSE,0,\r\n";
	size_t counts[] = {3, 1};
	double rate = 0;
	r = fv_rules_new();
	ok(fv_rules_parse_table(r, FV_RULES_SATISFACTION, "excel.csv", excel, strlen(excel),
				&err) == FV_OK, "a table saved by a spreadsheet loads");
	print_errors(&err);
	fv_errors_release(&err);
	ok(fv_rules_effective(r, FV_RULES_SATISFACTION) == day("2026-07-01") &&
	   fv_rules_satisfaction_threshold(r) == 85 &&
	   fv_rules_survey_period(r) == FV_RULES_MONTH, "... 2026/7/1, 85%%, month");
	ok(fv_rules_satisfaction_rate(r, counts, &rate) && rate == 75 &&
	   fv_rules_satisfaction_below(r, rate), "mean_score: 3 x 100 and 1 x 0 make 75%%");
	fv_rules_free(r);
}

int main(void)
{
	fv_errors err;
	fv_rules *r = NULL;
	char *dir = fv_xasprintf("%s/assets/rules", srcdir());

	fv_errors_init(&err);
	if (!ok(fv_rules_load_dir(dir, &r, &err) == FV_OK && r, "the shipped tables load")) {
		print_errors(&err);
		fv_errors_release(&err);
		free(dir);
		return done_testing();
	}
	fv_errors_release(&err);
	ok(fv_rules_check_complete(r, &err) == FV_OK && err.n == 0, "... as a complete set");
	test_frequency(r);
	test_festivals(r);
	test_satisfaction(r);
	test_others(r);
	fv_rules_free(r);
	free(dir);
	test_texts();
	return done_testing();
}
