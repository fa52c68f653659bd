/* Unit tests of form instances (src/forms/instance.c): relevance, required,
 * constraints, calculates, choice filters, defaults, canonical values. */
#include <string.h>

#include "fieldvisit/forms.h"
#include "tap.h"

static fv_form *load(const char *csv)
{
	fv_form *f = NULL;
	fv_errors err;
	fv_errors_init(&err);
	if (fv_form_load_buffer("t.csv", csv, strlen(csv), &f, &err) != FV_OK)
		diag("load failed: %s", err.n ? err.lines[0] : "?");
	fv_errors_release(&err);
	return f;
}

static int set(fv_instance *in, const fv_form *f, const char *name, const char *v)
{
	char msg[256];
	return fv_instance_set(in, fv_form_field_index(f, name), v, msg, sizeof msg) == FV_OK;
}

static const char *get(fv_instance *in, const fv_form *f, const char *name)
{
	return fv_instance_get(in, fv_form_field_index(f, name));
}

static const char *error_of(fv_instance *in, const fv_form *f, const char *name)
{
	const char *e = fv_instance_field_error(in, fv_form_field_index(f, name));
	return e ? e : "(none)";
}

static void test_relevance(void)
{
	fv_form *f = load(
		"survey,type,name,label,relevant,required,constraint,constraint_message,calculation,default\n"
		",integer,age,Age,,yes,. >= 0 and . < 130,Age 0-129,,\n"
		",select_one yn,smoker,Smokes?,${age} >= 18,yes,,,,\n"
		",integer,cigs,Per day,${smoker} = 'y',yes,,,,\n"
		",calculate,heavy,,${smoker} = 'y',,,,${cigs} > 20,\n"
		",text,note2,Other,,${age} > 100,,,,n/a\n"
		"choices,list_name,name,label\n,yn,y,Yes\n,yn,n,No\n"
		"settings,form_id,version\n,t,1\n");
	if (!ok(f != NULL, "relevance form loads"))
		return;
	fv_instance *in = fv_instance_new(f, 0);
	int smoker = fv_form_field_index(f, "smoker");
	ok(!fv_instance_relevant(in, smoker), "age empty: NaN >= 18 is false, smoker not asked");
	is_str(get(in, f, "note2"), "n/a", "default applied");
	is_str(error_of(in, f, "age"), "this question is required", "required and empty");
	ok(set(in, f, "age", "150"), "set age 150");
	is_str(error_of(in, f, "age"), "Age 0-129", "constraint message");
	ok(set(in, f, "age", " 040 "), "set age 040");
	is_str(get(in, f, "age"), "40", "integer stored canonical");
	is_str(error_of(in, f, "age"), "(none)", "constraint holds");
	ok(fv_instance_relevant(in, smoker), "adult: smoker relevant");
	ok(set(in, f, "smoker", "y"), "smoker yes");
	ok(set(in, f, "cigs", "25"), "25 a day");
	is_str(get(in, f, "heavy"), "true", "boolean calculate stored as true");
	ok(set(in, f, "age", "12"), "age 12");
	ok(!fv_instance_relevant(in, smoker), "child: smoker not relevant");
	is_str(get(in, f, "smoker"), "", "non-relevant answer cleared");
	is_str(get(in, f, "cigs"), "", "chained non-relevant answer cleared");
	is_str(get(in, f, "heavy"), "", "non-relevant calculate stored empty");
	ok(!set(in, f, "cigs", "3"), "cannot answer a question that is not asked");
	fv_answers none = {0}, problems = {0};
	size_t n = fv_instance_report(in, &none, &problems);
	is_num((double)n, 0, "valid: nothing required is missing");
	ok(set(in, f, "age", "101"), "age 101");
	n = fv_instance_report(in, &none, &problems);
	ok(n == 1 && strcmp(problems.items[0].name, "smoker") == 0,
	   "smoker is required; note2 (required by expression) has its default");
	fv_answers_release(&problems);
	ok(set(in, f, "age", ""), "clear age");
	is_str(get(in, f, "age"), "", "cleared");
	fv_instance_free(in);
	fv_form_free(f);
}

static void test_types(void)
{
	fv_form *f = load(
		"survey,type,name,label\n"
		",decimal,w,Weight\n,date,d,Date\n,time,t,Time\n,dateTime,dt,When\n"
		",select_multiple svc,s,Services\n,acknowledge,ack,OK?\n,integer,i,I\n"
		"choices,list_name,name,label\n,svc,meal,Meal\n,svc,clean,Clean\n,svc,care,Care\n"
		"settings,form_id,version\n,t,1\n");
	if (!ok(f != NULL, "types form loads"))
		return;
	fv_instance *in = fv_instance_new(f, 0);
	ok(set(in, f, "w", "62.50"), "decimal");
	is_str(get(in, f, "w"), "62.5", "decimal stored in shortest form");
	ok(set(in, f, "w", "3.0"), "decimal 3.0");
	is_str(get(in, f, "w"), "3", "no .0");
	ok(!set(in, f, "w", "abc"), "not a number refused");
	ok(set(in, f, "d", "2024-02-29"), "leap day");
	ok(!set(in, f, "d", "2023-02-29"), "no such date refused");
	ok(set(in, f, "t", "8:05") == 0, "one-digit hour refused");
	ok(set(in, f, "t", "08:05"), "time");
	is_str(get(in, f, "t"), "08:05:00", "time stored with seconds");
	ok(set(in, f, "s", "meal  care meal"), "select_multiple");
	is_str(get(in, f, "s"), "meal care", "repeated choice dropped, spaces normalised");
	ok(!set(in, f, "s", "meal fly"), "unknown choice refused");
	ok(set(in, f, "ack", "OK"), "acknowledge");
	ok(!set(in, f, "ack", "maybe"), "acknowledge takes OK only");
	ok(!set(in, f, "i", "2147483648"), "integer beyond 32 bits refused");
	ok(set(in, f, "i", "-2147483648"), "smallest 32-bit integer");
	ok(set(in, f, "dt", "2026-11-23T09:30:00"), "dateTime");
	ok(strncmp(get(in, f, "dt"), "2026-11-23T09:30:00.000", 23) == 0, "dateTime canonical");
	fv_instance_free(in);
	fv_form_free(f);
}

static void test_choice_filter(void)
{
	fv_form *f = load(
		"survey,type,name,label,choice_filter\n"
		",select_one county,county,County,\n"
		",select_one village,village,Village,county = ${county}\n"
		"choices,list_name,name,label,county\n"
		",county,a,A,\n,county,b,B,\n"
		",village,a1,A1,a\n,village,a2,A2,a\n,village,b1,B1,b\n"
		"settings,form_id,version\n,t,1\n");
	if (!ok(f != NULL, "cascading select loads"))
		return;
	fv_instance *in = fv_instance_new(f, 0);
	const fv_choice **cs;
	int v = fv_form_field_index(f, "village");
	is_num((double)fv_instance_choices(in, v, &cs), 0, "no county: no villages");
	ok(set(in, f, "county", "a"), "county a");
	size_t n = fv_instance_choices(in, v, &cs);
	ok(n == 2 && strcmp(cs[0]->name, "a1") == 0 && strcmp(cs[1]->name, "a2") == 0,
	   "county a: villages a1 a2");
	ok(!set(in, f, "village", "b1"), "village of another county refused");
	ok(set(in, f, "village", "a2"), "village a2");
	fv_instance_free(in);
	fv_form_free(f);
}

static void test_groups(void)
{
	fv_form *f = load(
		"survey,type,name,label,relevant,calculation\n"
		",select_one yn,consent,Consent?,,\n"
		",begin_group,g,Assessment,${consent} = 'y',\n"
		",integer,q1,Q1,,\n"
		",calculate,score,,,${q1} * 2\n"
		",end_group,,,,\n"
		"choices,list_name,name,label\n,yn,y,Yes\n,yn,n,No\n"
		"settings,form_id,version\n,t,1\n");
	if (!ok(f != NULL, "group form loads"))
		return;
	fv_instance *in = fv_instance_new(f, 0);
	int q1 = fv_form_field_index(f, "q1");
	ok(!fv_instance_relevant(in, q1), "no consent: group questions not relevant");
	ok(set(in, f, "consent", "y"), "consent");
	ok(fv_instance_relevant(in, q1), "consent: group questions relevant");
	ok(set(in, f, "q1", "3"), "q1 3");
	is_str(get(in, f, "score"), "6", "calculate inside group");
	ok(set(in, f, "consent", "n"), "withdraw consent");
	is_str(get(in, f, "q1"), "", "answer in non-relevant group cleared");
	is_str(get(in, f, "score"), "", "calculate in non-relevant group empty");
	fv_instance_free(in);
	fv_form_free(f);
}

int main(void)
{
	test_relevance();
	test_types();
	test_choice_filter();
	test_groups();
	return done_testing();
}
