/*
 * The form runner's model: steps, relevance, moving on only past a step
 * without problems, field-list pages, progress, draft answers and
 * resuming.
 */
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/forms.h"
#include "tap.h"

static const char form_csv[] =
	"survey,type,name,label,required,constraint,constraint_message,relevant,calculation,appearance\n"
	",note,intro,Hello,,,,,,\n"
	",integer,age,Age,yes,. >= 0 and . < 130,Between 0 and 129,,,\n"
	",select_one yn,smoker,Smokes?,yes,,,,,\n"
	",integer,per_day,How many a day?,yes,. > 0,More than 0,${smoker} = 'yes',,\n"
	",begin_group,page,Contact,,,,,,field-list\n"
	",text,phone,Phone,,,,,,\n"
	",text,why_no_phone,Why no phone?,yes,,,${phone} = '',,\n"
	",end_group,,,,,,,,\n"
	",calculate,score,Score,,,,,${age} + 1,\n"
	",acknowledge,done,Done,yes,,,,,\n"
	"choices,list_name,name,label\n"
	",yn,yes,Yes\n"
	",yn,no,No\n"
	"settings,form_id,version\n"
	",t,1\n";

static fv_form *F;

static int idx(const char *name)
{
	return fv_form_field_index(F, name);
}

/* The names of the steps shown now, space-separated. */
static const char *steps(fv_runner *r)
{
	static char buf[256];
	const int *s;
	size_t n = fv_runner_steps(r, &s);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, F->fields[s[i]].name);
	}
	return buf;
}

static const char *at(fv_runner *r)
{
	const int *s;
	size_t n = fv_runner_steps(r, &s), k = fv_runner_at(r);
	return k < n ? F->fields[s[k]].name : "(summary)";
}

static void answer(fv_runner *r, const char *name, const char *value)
{
	char why[128];
	if (fv_runner_answer(r, idx(name), value, why, sizeof why) != FV_OK)
		diag("answer %s=%s: %s", name, value, why);
}

int main(void)
{
	fv_errors err;
	const char *msg;
	char why[128];
	int done, total;

	fv_errors_init(&err);
	if (fv_form_load_buffer("t.csv", form_csv, strlen(form_csv), &F, &err) != FV_OK) {
		diag("%s", err.n ? err.lines[0] : "?");
		return 1;
	}
	fv_runner *r = fv_runner_new(F, 0);
	is_str(steps(r), "intro age smoker page done",
	       "steps: notes and questions, a field-list page as one step, no calculate,"
	       " nothing not relevant");
	is_str(at(r), "intro", "starts at the first step");
	fv_runner_progress(r, &done, &total);
	ok(done == 0 && total == 5, "progress 0 of 5 (age, smoker, phone, why_no_phone, done): %d/%d",
	   done, total);

	ok(fv_runner_next(r, &msg) == -1 && !msg, "past a note");
	is_str(at(r), "age", "at age");
	ok(fv_runner_next(r, &msg) == idx("age") && msg && strstr(msg, "required") != NULL,
	   "a required question stops next: %s", msg ? msg : "(none)");
	is_str(at(r), "age", "... and stays");
	ok(fv_runner_answer(r, idx("age"), "abc", why, sizeof why) == FV_EINVAL,
	   "a value that does not fit the type is refused: %s", why);
	answer(r, "age", "200");
	ok(fv_runner_next(r, &msg) == idx("age") && msg && strcmp(msg, "Between 0 and 129") == 0,
	   "a false constraint stops with its message");
	answer(r, "age", "80");
	ok(fv_runner_next(r, &msg) == -1, "a good answer moves on");
	is_str(at(r), "smoker", "at smoker");

	answer(r, "smoker", "yes");
	is_str(steps(r), "intro age smoker per_day page done", "relevance adds a step");
	is_str(at(r), "smoker", "the current step stays");
	ok(fv_runner_next(r, &msg) == -1, "next");
	is_str(at(r), "per_day", "into the new step");
	fv_runner_prev(r);
	is_str(at(r), "smoker", "back");
	answer(r, "smoker", "no");
	is_str(steps(r), "intro age smoker page done", "and away again");
	ok(fv_runner_next(r, &msg) == -1, "next");
	is_str(at(r), "page", "on the page");

	const int *fields;
	size_t n = fv_runner_step_fields(r, fv_runner_at(r), &fields);
	ok(n == 2 && fields[0] == idx("phone") && fields[1] == idx("why_no_phone"),
	   "a page shows its relevant fields");
	ok(fv_runner_next(r, &msg) == idx("why_no_phone"), "a page stops at its first problem");
	answer(r, "phone", "13800138000");
	n = fv_runner_step_fields(r, fv_runner_at(r), &fields);
	ok(n == 1 && fields[0] == idx("phone"), "the page follows relevance");
	ok(fv_runner_next(r, &msg) == -1, "past the page");
	is_str(at(r), "done", "at the acknowledge");
	fv_runner_progress(r, &done, &total);
	ok(done == 3 && total == 4, "progress 3 of 4: %d/%d", done, total);

	fv_answers probs = {0};
	ok(fv_runner_problems(r, &probs) == 1 && strcmp(probs.items[0].name, "done") == 0,
	   "the summary's problems: the acknowledge left");
	fv_answers_release(&probs);
	answer(r, "done", "OK");
	ok(fv_runner_next(r, &msg) == -1, "next");
	is_str(at(r), "(summary)", "at the summary");
	ok(fv_runner_problems(r, &probs) == 0, "no problem left");
	fv_answers_release(&probs);
	fv_runner_jump(r, 1);
	is_str(at(r), "age", "jump back to a step");
	fv_runner_jump(r, 99);
	is_str(at(r), "(summary)", "a jump past the end is the summary");

	/* the draft */
	fv_answers draft = {0};
	fv_runner_answers(r, &draft);
	ok(draft.n == 4 && strcmp(draft.items[0].name, "age") == 0 &&
	   strcmp(draft.items[0].value, "80") == 0 && strcmp(draft.items[1].name, "smoker") == 0 &&
	   strcmp(draft.items[2].name, "phone") == 0 && strcmp(draft.items[3].name, "done") == 0,
	   "the draft: every relevant answer, in form order, no calculate (%zu)", draft.n);
	fv_runner_free(r);

	/* resume a draft that stopped after smoker */
	fv_answers part = {0};
	fv_answers_add(&part, "age", "80");
	fv_answers_add(&part, "smoker", "yes");
	size_t dropped = 9;
	r = fv_runner_resume(F, 0, &part, &dropped);
	ok(dropped == 0, "resume: every saved answer taken");
	is_str(at(r), "per_day", "resumes after the last step answered");
	fv_runner_free(r);
	fv_answers_add(&part, "per_day", "0");
	fv_answers_add(&part, "nosuch", "1");
	r = fv_runner_resume(F, 0, &part, &dropped);
	ok(dropped == 1, "an answer the form no longer has is dropped (%zu)", dropped);
	is_str(at(r), "page", "... and the filling goes on after per_day");
	ok(fv_runner_next(r, &msg) == idx("why_no_phone"), "the page still needs its answer");
	fv_runner_prev(r);
	ok(fv_runner_next(r, &msg) == idx("per_day") && strcmp(msg, "More than 0") == 0,
	   "and a bad saved answer stops the way back through");
	fv_runner_free(r);
	r = fv_runner_resume(F, 0, &draft, NULL);
	is_str(at(r), "(summary)", "a complete draft resumes at the summary");
	fv_runner_free(r);
	fv_answers empty = {0};
	r = fv_runner_resume(F, 0, &empty, NULL);
	is_str(at(r), "intro", "an empty draft resumes at the start");
	fv_runner_free(r);

	fv_answers_release(&part);
	fv_answers_release(&draft);
	fv_form_free(F);
	fv_errors_release(&err);
	return done_testing();
}
