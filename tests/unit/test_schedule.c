/*
 * Schedules over a fixed calendar, with the shipped rule tables
 * (assets/rules: 自理 and 高龄 1 a month, 半失能 2, 失能 4, each at least 60
 * minutes, make-up in the next month; 失独 and 伤残 1 a quarter without
 * make-up and at 春节 / 中秋; emergency contraception followed up within
 * 30 days; alerts within 7 days).  Every expected date below is worked out
 * by hand from those rules and the calendar, not taken from the code.
 */
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/rules.h"
#include "tap.h"

static fv_rules *R;

static const char *srcdir(void)
{
	const char *s = getenv("FV_SRCDIR");
	return s && *s ? s : FV_SRCDIR;
}

static int32_t D(const char *s)
{
	int32_t d;
	if (!fv_date_parse(s, &d)) {
		diag("bad date in the test: %s", s);
		abort();
	}
	return d;
}

static const char *S(int32_t d)
{
	static char buf[8][16];
	static int k;
	if (d == FV_SCHED_NO_DATE)
		return "none";
	k = (k + 1) % 8;
	fv_date_format(d, buf[k]);
	return buf[k];
}

/* A person with visits given as "DATE/MINUTES[/FORM[/FOLLOWUP]]". */
typedef struct who {
	fv_sched_person p;
	fv_sched_visit v[16];
	fv_sched_alert a[4];
	char ids[16][8];
} who;

static void person(who *w, const char *categories, const char *since)
{
	memset(w, 0, sizeof *w);
	w->p.id = "p1";
	w->p.categories = categories;
	w->p.active = 1;
	w->p.status_date = FV_SCHED_NO_DATE;
	w->p.since = D(since);
	w->p.visits = w->v;
	w->p.alerts = w->a;
}

static void visit(who *w, const char *date, int minutes, const char *form, const char *followup)
{
	size_t i = w->p.nvisits++;
	snprintf(w->ids[i], sizeof w->ids[i], "v%zu", i + 1);
	w->v[i] = (fv_sched_visit){
		.id = w->ids[i],
		.form_id = form ? form : "home_visit",
		.date = D(date),
		.duration = minutes,
		.followup_due = followup ? D(followup) : FV_SCHED_NO_DATE,
	};
}

static void alert(who *w, const char *kind, const char *raised)
{
	w->a[w->p.nalerts++] = (fv_sched_alert){"a1", kind, D(raised)};
}

/* The item of type t (the n-th of that type, from 0), or NULL. */
static const fv_sched_item *find(const fv_schedule *s, fv_sched_type t, int n)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].type == t && n-- == 0)
			return &s->items[i];
	return NULL;
}

/* Check one item: "STATE FROM..DUE DONE/NEEDED". */
static void expect(const fv_schedule *s, fv_sched_type t, int n, const char *want,
		   const char *what)
{
	const fv_sched_item *it = find(s, t, n);
	char got[96] = "none";
	if (it)
		snprintf(got, sizeof got, "%s %s..%s %d/%d", fv_sched_state_name(it->state),
			 S(it->from), S(it->due), it->done, it->needed);
	is_str(got, want, "%s", what);
}

static void test_months(void)
{
	who w;
	fv_schedule s;

	/* 自理, registered in 2025, no visit: March owes its own visit and
	 * February's make-up */
	person(&w, "zili", "2025-12-15");
	fv_schedule_person(R, &w.p, D("2026-03-15"), &s);
	expect(&s, FV_SCHED_REGULAR, 0, "due 2026-03-01..2026-03-31 0/1", "31-day month");
	expect(&s, FV_SCHED_MAKEUP, 0, "overdue 2026-03-01..2026-03-31 0/1",
	       "February's visit is made up in March");
	ok(s.n == 2 && find(&s, FV_SCHED_MAKEUP, 0)->short_of == D("2026-02-01"),
	   "the make-up names February");
	is_str(S(s.next_due), "2026-03-31", "next due: the end of March");
	fv_schedule_release(&s);

	fv_schedule_person(R, &w.p, D("2026-04-30"), &s);
	expect(&s, FV_SCHED_REGULAR, 0, "due 2026-04-01..2026-04-30 0/1", "30-day month");
	fv_schedule_release(&s);
	fv_schedule_person(R, &w.p, D("2026-02-28"), &s);
	expect(&s, FV_SCHED_REGULAR, 0, "due 2026-02-01..2026-02-28 0/1", "February 2026: 28 days");
	fv_schedule_release(&s);
	fv_schedule_person(R, &w.p, D("2028-02-10"), &s);
	expect(&s, FV_SCHED_REGULAR, 0, "due 2028-02-01..2028-02-29 0/1", "February 2028: leap year");
	fv_schedule_release(&s);

	/* year end: December 2026 short, made up in January 2027 */
	fv_schedule_person(R, &w.p, D("2027-01-05"), &s);
	expect(&s, FV_SCHED_MAKEUP, 0, "overdue 2027-01-01..2027-01-31 0/1", "make-up across the year end");
	ok(find(&s, FV_SCHED_MAKEUP, 0) && find(&s, FV_SCHED_MAKEUP, 0)->short_of == D("2026-12-01"),
	   "... of December 2026");
	fv_schedule_release(&s);

	/* a visit in February: no make-up in March */
	visit(&w, "2026-02-20", 75, NULL, NULL);
	fv_schedule_person(R, &w.p, D("2026-03-15"), &s);
	ok(s.n == 1 && !find(&s, FV_SCHED_MAKEUP, 0), "February visited: nothing to make up");
	fv_schedule_release(&s);
	/* two in March: March done, and nothing owed */
	visit(&w, "2026-03-02", 60, NULL, NULL);
	fv_schedule_person(R, &w.p, D("2026-03-15"), &s);
	expect(&s, FV_SCHED_REGULAR, 0, "done 2026-03-01..2026-03-31 1/1", "60 minutes is enough");
	ok(s.next_due == FV_SCHED_NO_DATE, "nothing due");
	fv_schedule_release(&s);
}

static void test_short_and_same_day(void)
{
	who w;
	fv_schedule s;

	/* 半失能: 2 a month; October had one, so November owes 2 + 1 */
	person(&w, "banshineng", "2026-01-10");
	visit(&w, "2026-10-05", 90, NULL, NULL);
	visit(&w, "2026-11-03", 45, NULL, NULL);    /* too short */
	visit(&w, "2026-11-04", -1, "phq9", NULL);  /* no check-out: no length */
	visit(&w, "2026-11-10", 60, NULL, NULL);
	visit(&w, "2026-11-10", 70, "phq9", NULL);  /* the same day: counts once */
	fv_schedule_person(R, &w.p, D("2026-11-20"), &s);
	expect(&s, FV_SCHED_REGULAR, 0, "due 2026-11-01..2026-11-30 1/2",
	       "a short visit and a visit of unknown length do not count; one day counts once");
	expect(&s, FV_SCHED_MAKEUP, 0, "overdue 2026-11-01..2026-11-30 0/1", "October's second visit");
	ok(s.nshorts == 1 && strcmp(s.shorts[0].visit, "v2") == 0 && s.shorts[0].duration == 45 &&
	   s.shorts[0].min_minutes == 60, "the 45-minute visit is reported as short");
	fv_schedule_release(&s);

	/* two more visits: the regular two first, then the make-up */
	visit(&w, "2026-11-21", 60, NULL, NULL);
	visit(&w, "2026-11-25", 61, NULL, NULL);
	fv_schedule_person(R, &w.p, D("2026-11-26"), &s);
	expect(&s, FV_SCHED_REGULAR, 0, "done 2026-11-01..2026-11-30 2/2", "November's own two");
	expect(&s, FV_SCHED_MAKEUP, 0, "done 2026-11-01..2026-11-30 1/1", "the third makes up October");
	fv_schedule_release(&s);

	/* visits after the day asked about are not seen */
	fv_schedule_person(R, &w.p, D("2026-11-20"), &s);
	expect(&s, FV_SCHED_REGULAR, 0, "due 2026-11-01..2026-11-30 1/2", "the future does not count");
	fv_schedule_release(&s);
}

static void test_registration_and_status(void)
{
	who w;
	fv_schedule s;

	/* registered on 10 November: November is not required, December is,
	 * and November's shortfall is not owed */
	person(&w, "shineng", "2026-11-10");
	fv_schedule_person(R, &w.p, D("2026-11-20"), &s);
	ok(s.n == 0, "the month of registration owes nothing");
	fv_schedule_release(&s);
	fv_schedule_person(R, &w.p, D("2026-12-02"), &s);
	expect(&s, FV_SCHED_REGULAR, 0, "due 2026-12-01..2026-12-31 0/4", "失能: 4 in December");
	ok(!find(&s, FV_SCHED_MAKEUP, 0), "no make-up of the month of registration");
	fv_schedule_release(&s);

	/* died on 15 November: owed visits until the 14th, none from the 15th */
	person(&w, "gaoling", "2025-01-01");
	w.p.active = 0;
	w.p.status_date = D("2026-11-15");
	fv_schedule_person(R, &w.p, D("2026-11-14"), &s);
	expect(&s, FV_SCHED_REGULAR, 0, "due 2026-11-01..2026-11-30 0/1", "alive on the 14th");
	fv_schedule_release(&s);
	fv_schedule_person(R, &w.p, D("2026-11-15"), &s);
	ok(s.n == 0 && s.next_due == FV_SCHED_NO_DATE, "no schedule from the day of death");
	fv_schedule_release(&s);

	/* a care level changed from 自理 to 失能: the schedule follows the
	 * categories as they are now, from the month of the change on */
	person(&w, "gaoling shineng", "2025-01-01");
	visit(&w, "2026-11-02", 60, NULL, NULL);
	fv_schedule_person(R, &w.p, D("2026-11-16"), &s);
	/* October had no visit: each row also owes October's */
	ok(s.n == 4, "高龄 and 失能 each ask, with make-up (%zu items)", s.n);
	const fv_sched_item *a = find(&s, FV_SCHED_REGULAR, 0), *b = find(&s, FV_SCHED_REGULAR, 1);
	ok(a && b && a->rule && b->rule &&
	   ((strcmp(a->rule->category, "gaoling") == 0 && a->state == FV_SCHED_DONE &&
	     strcmp(b->rule->category, "shineng") == 0 && b->done == 1 && b->needed == 4) ||
	    (strcmp(b->rule->category, "gaoling") == 0 && b->state == FV_SCHED_DONE &&
	     strcmp(a->rule->category, "shineng") == 0 && a->done == 1 && a->needed == 4)),
	   "one visit: 高龄 done, 失能 1 of 4");
	fv_schedule_release(&s);

	/* no category with a rule: nothing */
	person(&w, "migrant", "2020-01-01");
	fv_schedule_person(R, &w.p, D("2026-11-16"), &s);
	ok(s.n == 0, "a category without a row has no visits");
	fv_schedule_release(&s);
}

static void test_quarters_and_festivals(void)
{
	who w;
	fv_schedule s;

	/* 失独: one a quarter, no make-up.  Nothing in Q3 2026: Q4's visit is
	 * overdue until done; the Mid-Autumn window (2026-09-25, 7 days before,
	 * 3 after) has passed, the Spring Festival's (2027-02-06: 2027-01-23 to
	 * 2027-02-13) is upcoming */
	person(&w, "shidu", "2025-06-01");
	fv_schedule_person(R, &w.p, D("2026-11-16"), &s);
	expect(&s, FV_SCHED_REGULAR, 0, "overdue 2026-10-01..2026-12-31 0/1",
	       "a missed quarter without make-up makes this quarter's visit overdue");
	ok(!find(&s, FV_SCHED_MAKEUP, 0), "no make-up item");
	expect(&s, FV_SCHED_FESTIVAL, 0, "upcoming 2027-01-23..2027-02-13 0/1", "春节 2027 ahead");
	fv_schedule_release(&s);

	visit(&w, "2026-10-08", 30, NULL, NULL);
	fv_schedule_person(R, &w.p, D("2026-11-16"), &s);
	expect(&s, FV_SCHED_REGULAR, 0, "done 2026-10-01..2026-12-31 1/1",
	       "30 minutes is enough where no minimum is set");
	fv_schedule_release(&s);

	/* in the Mid-Autumn window of 2026 */
	fv_schedule_person(R, &w.p, D("2026-09-20"), &s);
	expect(&s, FV_SCHED_FESTIVAL, 0, "due 2026-09-18..2026-09-28 0/1", "中秋 2026 window");
	fv_schedule_release(&s);
	visit(&w, "2026-09-26", 20, NULL, NULL);
	fv_schedule_person(R, &w.p, D("2026-09-27"), &s);
	expect(&s, FV_SCHED_FESTIVAL, 0, "done 2026-09-18..2026-09-28 1/1", "visited at 中秋");
	expect(&s, FV_SCHED_REGULAR, 0, "done 2026-07-01..2026-09-30 1/1", "... which is Q3's visit too");
	fv_schedule_release(&s);

	/* the Spring Festival window of 2028 (2028-01-26) spans the first days */
	fv_schedule_person(R, &w.p, D("2028-01-20"), &s);
	expect(&s, FV_SCHED_FESTIVAL, 0, "due 2028-01-12..2028-02-02 0/1", "春节 2028 window");
	fv_schedule_release(&s);

	/* past the table's last year: the schedule says so */
	fv_schedule_person(R, &w.p, D("2036-01-10"), &s);
	ok(s.missing_year == 2036, "festivals.csv has no 2036 (%d)", s.missing_year);
	ok(!find(&s, FV_SCHED_FESTIVAL, 0), "... and no festival item is made up");
	fv_schedule_release(&s);

	/* festivals are for special families only */
	person(&w, "gaoling", "2025-06-01");
	fv_schedule_person(R, &w.p, D("2026-09-20"), &s);
	ok(!find(&s, FV_SCHED_FESTIVAL, 0), "高龄 has no festival visit");
	fv_schedule_release(&s);
}

static void test_followups(void)
{
	who w;
	fv_schedule s;

	/* emergency contraception on 1 November, follow-up agreed for 15
	 * December: the 30-day rule makes it due by 1 December */
	person(&w, "ec_user", "2026-10-01");
	visit(&w, "2026-11-01", -1, "contraceptive", "2026-12-15");
	fv_schedule_person(R, &w.p, D("2026-11-20"), &s);
	expect(&s, FV_SCHED_FOLLOWUP, 0, "due 2026-11-01..2026-12-01 0/1",
	       "EC follow-up within 30 days of the use");
	ok(find(&s, FV_SCHED_FOLLOWUP, 0)->rule &&
	   strcmp(find(&s, FV_SCHED_FOLLOWUP, 0)->rule->category, "ec_user") == 0,
	   "... by the ec_user row");
	fv_schedule_release(&s);
	fv_schedule_person(R, &w.p, D("2026-12-05"), &s);
	expect(&s, FV_SCHED_FOLLOWUP, 0, "overdue 2026-11-01..2026-12-01 0/1", "not followed up: overdue");
	fv_schedule_release(&s);
	/* another form does not close it; the same form does */
	visit(&w, "2026-11-10", 30, "home_visit", NULL);
	fv_schedule_person(R, &w.p, D("2026-11-20"), &s);
	expect(&s, FV_SCHED_FOLLOWUP, 0, "due 2026-11-01..2026-12-01 0/1", "a home visit is not the follow-up");
	fv_schedule_release(&s);
	visit(&w, "2026-11-25", -1, "contraceptive", NULL);
	fv_schedule_person(R, &w.p, D("2026-11-26"), &s);
	expect(&s, FV_SCHED_FOLLOWUP, 0, "done 2026-11-01..2026-12-01 1/1", "followed up");
	fv_schedule_release(&s);
	fv_schedule_person(R, &w.p, D("2026-12-05"), &s);
	ok(!find(&s, FV_SCHED_FOLLOWUP, 0), "a follow-up done leaves the list after its window");
	fv_schedule_release(&s);

	/* not an EC user: the agreed date stands */
	person(&w, "iud_user", "2026-10-01");
	visit(&w, "2026-11-01", -1, "contraceptive", "2026-12-15");
	fv_schedule_person(R, &w.p, D("2026-11-20"), &s);
	expect(&s, FV_SCHED_FOLLOWUP, 0, "due 2026-11-01..2026-12-15 0/1", "the agreed date");
	fv_schedule_release(&s);

	/* an open alert raised on 10 November: a visit by the 17th */
	person(&w, "", "2026-01-01");
	alert(&w, "item9", "2026-11-10");
	fv_schedule_person(R, &w.p, D("2026-11-20"), &s);
	expect(&s, FV_SCHED_FOLLOWUP, 0, "overdue 2026-11-10..2026-11-17 0/1", "alert follow-up overdue");
	ok(strcmp(find(&s, FV_SCHED_FOLLOWUP, 0)->alert_kind, "item9") == 0, "... of alert item9");
	fv_schedule_release(&s);
	visit(&w, "2026-11-10", 60, "phq9", NULL);   /* the visit that raised it */
	visit(&w, "2026-11-12", 60, NULL, NULL);
	fv_schedule_person(R, &w.p, D("2026-11-13"), &s);
	expect(&s, FV_SCHED_FOLLOWUP, 0, "done 2026-11-10..2026-11-17 1/1", "visited two days later");
	fv_schedule_release(&s);
	fv_schedule_person(R, &w.p, D("2026-11-20"), &s);
	ok(s.n == 0, "done and past: gone");
	fv_schedule_release(&s);
}

static void test_propose(void)
{
	who w;
	fv_sched_item why;

	/* 自理, registered in October, visited on 3 November: a month later */
	person(&w, "zili", "2026-10-15");
	visit(&w, "2026-11-03", 60, NULL, NULL);
	is_str(S(fv_schedule_propose(R, &w.p, D("2026-11-03"), &why)), "2026-12-03",
	       "自理: a month later");
	ok(why.type == FV_SCHED_REGULAR && why.rule && strcmp(why.rule->category, "zili") == 0,
	   "... for the zili row");

	/* 失能, registered in October, the first of 4 on 3 November: 3 left
	 * over 27 days, every 9 */
	person(&w, "shineng", "2026-10-15");
	visit(&w, "2026-11-03", 60, NULL, NULL);
	is_str(S(fv_schedule_propose(R, &w.p, D("2026-11-03"), &why)), "2026-11-12",
	       "失能: the 3 visits left spread over the month");
	/* with October owed too (registered earlier): 3 + 4 left over 27
	 * days, every 3 */
	w.p.since = D("2025-01-01");
	is_str(S(fv_schedule_propose(R, &w.p, D("2026-11-03"), &why)), "2026-11-06",
	       "失能 with October's make-up: sooner");
	w.p.since = D("2026-10-15");
	/* the fourth on 28 November: 30 / 4 = 7 days on, in December */
	visit(&w, "2026-11-10", 60, NULL, NULL);
	visit(&w, "2026-11-20", 60, NULL, NULL);
	visit(&w, "2026-11-28", 60, NULL, NULL);
	is_str(S(fv_schedule_propose(R, &w.p, D("2026-11-28"), &why)), "2026-12-05",
	       "失能 done for November: a week on");

	/* 失独 visited on 10 November (Q4 done): Q1 2027 would be 92 days on,
	 * 10 February, but the Spring Festival window opens on 23 January */
	person(&w, "shidu", "2025-01-01");
	visit(&w, "2026-11-10", 60, NULL, NULL);
	is_str(S(fv_schedule_propose(R, &w.p, D("2026-11-10"), &why)), "2027-01-23",
	       "失独: the Spring Festival visit comes first");
	ok(why.type == FV_SCHED_FESTIVAL, "... for the festival");

	/* no rule: nothing to propose */
	person(&w, "migrant", "2025-01-01");
	ok(fv_schedule_propose(R, &w.p, D("2026-11-10"), &why) == FV_SCHED_NO_DATE,
	   "no rule, no proposal");
}

int main(void)
{
	fv_errors err;
	char *dir = fv_xasprintf("%s/assets/rules", srcdir());
	fv_errors_init(&err);
	if (fv_rules_load_dir(dir, &R, &err) != FV_OK) {
		diag("loading %s: %s", dir, err.n ? err.lines[0] : "?");
		return 1;
	}
	free(dir);
	fv_errors_release(&err);
	ok(fv_rules_alert_followup_days(R) == 7, "the shipped alert follow-up: 7 days");
	is_str(fv_sched_type_name(FV_SCHED_MAKEUP), "makeup", "type names");
	is_str(fv_sched_state_name(FV_SCHED_UPCOMING), "upcoming", "state names");
	test_months();
	test_short_and_same_day();
	test_registration_and_status();
	test_quarters_and_festivals();
	test_followups();
	test_propose();
	fv_rules_free(R);
	return done_testing();
}
