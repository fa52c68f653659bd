/*
 * Fuzz target: answers given as JSON (answers.c, the `form fill` input).
 * Whatever parses is given to a small fixed form with every kind of
 * question, constraints, relevance on a question and a group, a choice
 * filter and calculates: once answer by answer with fv_instance_set() in
 * the order given (which a person can also do, going back and forth), then
 * on a fresh instance the way `form fill` does it (fv_instance_apply() and
 * fv_instance_report()).  Each instance is checked.  Nothing may crash,
 * leak or read out of bounds, and fv_instance_apply, which settles once,
 * must give what setting the answers in form order one by one gives.
 *
 *   libFuzzer:  ./configure CC=clang --enable-fuzzing && make
 *               tests/fuzz/fuzz_answers tests/fuzz/corpus/answers
 *   replay:     tests/unit/test_fuzz_corpus (make check)
 */
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/forms.h"
#include "fuzz.h"

static const char form_csv[] =
	"survey,type,name,label,required,constraint,relevant,calculation,choice_filter\n"
	",text,name,Name,yes,string-length(.) < 40,,,\n"
	",integer,age,Age,yes,. >= 0 and . <= 120,,,\n"
	",decimal,weight,Weight (kg),,. > 0,${age} >= 18,,\n"
	",select_one yn,consent,Consent,yes,,,,\n"
	",begin_group,health,Health,,,${consent} = 'yes',,\n"
	",select_multiple symptoms,symptoms,Symptoms,,"
	"\"not(selected(., 'none') and count-selected(.) > 1)\",,,\n"
	",text,other,Other symptom,yes,,\"selected(${symptoms}, 'other')\",,\n"
	",end_group,,,,,,,\n"
	",date,visit_date,Visit date,,. <= today(),,,\n"
	",time,visit_time,Visit time,,,,,\n"
	",dateTime,checkin,Check-in,,,,,\n"
	",acknowledge,ack,I have read it,,,,,\n"
	",select_one county,county,County,,,,,\n"
	",select_one village,village,Village,,,,,county = ${county}\n"
	",note,note,Age next year: ${age},,,,,\n"
	",calculate,score,,,,,\"coalesce(${age}, 0) + count-selected(${symptoms})\",\n"
	",calculate,alert_old,Over 80,,,,${age} > 80,\n"
	"choices,list_name,name,label,county\n"
	",yn,yes,Yes,\n"
	",yn,no,No,\n"
	",symptoms,cough,Cough,\n"
	",symptoms,fever,Fever,\n"
	",symptoms,other,Other,\n"
	",symptoms,none,None,\n"
	",county,anxi,Anxi,\n"
	",county,yongchun,Yongchun,\n"
	",village,hutou,Hutou,anxi\n"
	",village,taoxi,Taoxi,yongchun\n"
	"settings,form_id,version\n"
	",fuzz_answers,1\n";

FV_FUZZ_ENTRY(answers)
{
	fv_errors err;
	fv_answers ans;
	fv_form *f = NULL;

	fv_clock_set(1767225600.0);   /* 2026-01-01T00:00:00: reproducible today() */
	fv_errors_init(&err);
	if (fv_answers_parse("fuzz.json", (const char *)data, size, &ans, &err) == FV_OK) {
		const fv_choice **choices;
		fv_instance *in;

		/* The embedded form must load: if it does not, the harness is
		 * broken and must say so loudly. */
		if (fv_form_load_buffer("fuzz_answers.csv", form_csv, sizeof form_csv - 1, &f,
					&err) != FV_OK)
			abort();
		/* answer by answer, in the order given */
		in = fv_instance_new(f, f->default_lang);
		for (size_t i = 0; i < ans.n; i++) {
			char msg[256];
			int field = fv_form_field_index(f, ans.items[i].name);
			if (field < 0)
				continue;
			fv_status st = fv_instance_set(in, field, ans.items[i].value, msg, sizeof msg);
			(void)st;   /* a rejected value is a normal outcome */
		}
		for (size_t i = 0; i < f->nfields; i++)
			(void)fv_instance_choices(in, (int)i, &choices);
		fv_answers none = {0}, refused = {0}, problems = {0};
		fv_instance_report(in, &none, &problems);
		fv_answers_release(&problems);
		fv_instance_free(in);

		/* as `form fill` does */
		in = fv_instance_new(f, f->default_lang);
		(void)fv_instance_apply(in, &ans, &refused);
		(void)fv_instance_report(in, &refused, &problems);
		for (size_t i = 0; i < f->nfields; i++)
			(void)fv_instance_alert_raised(in, (int)i);

		/* in form order, one answer settled at a time: the same */
		fv_instance *one = fv_instance_new(f, f->default_lang);
		size_t nrefused = 0;
		for (size_t fi = 0; fi < f->nfields; fi++)
			for (size_t i = 0; i < ans.n; i++) {
				char msg[512];
				if (fv_form_field_index(f, ans.items[i].name) != (int)fi ||
				    !fv_instance_relevant(one, (int)fi))
					continue;
				if (fv_instance_set(one, (int)fi, ans.items[i].value, msg, sizeof msg) !=
				    FV_OK)
					nrefused++;
			}
		for (size_t i = 0; i < ans.n; i++)
			if (fv_form_field_index(f, ans.items[i].name) < 0)
				nrefused++;
		if (nrefused != refused.n)
			abort();
		for (size_t i = 0; i < f->nfields; i++)
			if (strcmp(fv_instance_get(in, (int)i), fv_instance_get(one, (int)i)) != 0 ||
			    fv_instance_relevant(in, (int)i) != fv_instance_relevant(one, (int)i))
				abort();
		fv_instance_free(one);
		fv_answers_release(&problems);
		fv_answers_release(&refused);
		fv_instance_free(in);
		fv_form_free(f);
		fv_answers_release(&ans);
	}
	fv_errors_release(&err);
	return 0;
}
