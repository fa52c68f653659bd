/* Unit tests of the XLSForm loader (src/forms/form.c). */
#include <string.h>

#include "fieldvisit/forms.h"
#include "tap.h"

static fv_errors err;

static fv_form *load(const char *csv)
{
	fv_form *f;
	fv_errors_release(&err);
	if (fv_form_load_buffer("t.csv", csv, strlen(csv), &f, &err) != FV_OK)
		return NULL;
	return f;
}

static const char *first_error(void)
{
	return err.n ? err.lines[0] : "(no error)";
}

#define SETTINGS "settings,form_id,version,default_language\n,t,3,Chinese (zh)\n"

static void test_languages(void)
{
	fv_form *f = load("survey,type,name,label::Chinese (zh),label::English (en),hint::English (en)\n"
			  ",integer,age,年龄,Age,In years\n"
			  ",select_one yn,ok,好吗,OK?,\n"
			  "choices,list_name,name,label::Chinese (zh),label::English (en)\n"
			  ",yn,1,是,Yes\n,yn,0,否,No\n" SETTINGS);
	ok(f != NULL, "two-language form loads: %s", first_error());
	if (!f)
		return;
	is_str(f->id, "t", "form_id");
	is_str(f->version, "3", "version");
	is_num(f->nlangs, 2, "two languages");
	is_str(f->lang_code[0], "zh", "first language code");
	is_str(f->lang_name[1], "English", "second language name");
	is_num(f->default_lang, 0, "default language is Chinese");
	is_num(fv_form_lang(f, "en"), 1, "lookup by code");
	is_num(fv_form_lang(f, "English"), 1, "lookup by name");
	is_num(fv_form_lang(f, "fr"), -1, "unknown language");
	is_str(fv_text_get(f, &f->fields[0].label, 1), "Age", "English label");
	is_str(fv_text_get(f, &f->fields[0].hint, 0), "In years",
	       "missing Chinese hint falls back to English");
	ok(f->fields[1].choices && f->fields[1].choices->n == 2, "choice list attached");
	is_str(fv_text_get(f, &fv_choice_find(f->fields[1].choices, "0")->label, 1), "No",
	       "choice label");
	is_num(f->score, -1, "no score field");
	fv_form_free(f);
}

static void test_groups_and_order(void)
{
	fv_form *f = load("survey,type,name,label,relevant,calculation\n"
			  ",calculate,total,,,${a} + ${b}\n"
			  ",begin_group,g,Group,${x} > 1,\n"
			  ",integer,a,A,,\n"
			  ",integer,b,B,,\n"
			  ",end_group,,,,\n"
			  ",calculate,score,,,${total} * 2\n"
			  ",integer,x,X,,\n"
			  "settings,form_id,version\n,t,1\n");
	ok(f != NULL, "form with group and calculates loads: %s", first_error());
	if (!f)
		return;
	is_num(f->fields[2].group, 1, "a is inside group g");
	is_num(f->fields[1].end, 4, "group ends at row 4");
	is_num(f->score, 5, "score field found");
	int pos[16] = {0};
	for (size_t i = 0; i < f->norder; i++)
		pos[f->order[i]] = (int)i;
	is_num((double)f->norder, (double)f->nfields, "every field is ordered");
	ok(pos[0] > pos[2] && pos[0] > pos[3], "total after a and b");
	ok(pos[5] > pos[0], "score after total");
	ok(pos[1] > pos[6], "group after the field its relevance reads");
	ok(!load("survey,type,name,label,relevant,calculation\n"
		 ",calculate,total,,,${a}\n,begin_group,g,G,${total} > 1,\n,integer,a,A,,\n"
		 ",end_group,,,,\nsettings,form_id,version\n,t,1\n"),
	   "a group whose relevance reads a calculate of its own members is a cycle");
	is_str(first_error(), "t.csv:2: cycle among calculations and relevance: total -> g -> a -> total",
	       "cycle through a group message");
	fv_form_free(f);
}

static void test_plain_label(void)
{
	fv_form *f = load("survey,type,name,label\n,text,n,Name\nsettings,form_id,version\n,x,1\n");
	ok(f != NULL, "plain label form loads");
	if (f) {
		is_num(f->nlangs, 1, "one language");
		is_str(fv_text_get(f, &f->fields[0].label, 0), "Name", "plain label");
		is_str(f->title, "x", "title defaults to form_id");
	}
	fv_form_free(f);
}

static void test_errors(void)
{
	ok(!load("survey,type,name,label\n,geopoint,p,Where\nsettings,form_id,version\n,x,1\n"),
	   "geopoint refused");
	is_str(first_error(), "t.csv:2: unsupported type 'geopoint'", "unsupported type message");
	ok(!load("survey,type,name,label,bind::foo\n,text,n,N,1\nsettings,form_id,version\n,x,1\n"),
	   "unknown column refused");
	is_str(first_error(), "t.csv:1: unknown survey column 'bind::foo'", "unknown column message");
	ok(!load("survey,type,name,label\n,text,a,A\n,text,a,B\nsettings,form_id,version\n,x,1\n"),
	   "duplicate name refused");
	is_str(first_error(), "t.csv:3: duplicate name 'a' (first on line 2)", "duplicate message");
	ok(!load("survey,type,name,label\n,text,a,A\n"), "missing settings refused");
	is_str(first_error(), "t.csv: no settings sheet (form_id and version are required)",
	       "missing settings message");
	ok(!load("survey,type,name,label,calculation\n"
		 ",calculate,a,,${b}\n,calculate,b,,${a}\nsettings,form_id,version\n,x,1\n"),
	   "cycle refused");
	is_str(first_error(), "t.csv:2: cycle among calculations and relevance: a -> b -> a",
	       "cycle message");
	ok(!load("survey,type,name,label\n,text,a,A\n,geopoint,p,P\n,text,a,B\n"
		 "settings,form_id,version\n,x,1\n"), "several errors");
	is_num((double)err.n, 2, "every error is reported, not only the first");
	ok(!load("survey,type,name,label::English (en)\n,text,a,A\n"
		 "settings,form_id,version,default_language\n,x,1,English\n"),
	   "default_language must be the whole suffix");
	is_str(first_error(),
	       "t.csv:4: settings: default_language 'English' is not the suffix of any label column (write it as e.g. 'Chinese (zh)')",
	       "default_language message");
}

int main(void)
{
	fv_errors_init(&err);
	test_languages();
	test_groups_and_order();
	test_plain_label();
	test_errors();
	fv_errors_release(&err);
	return done_testing();
}
