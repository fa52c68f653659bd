/*
 * The screens' framework without a terminal: display width, clipping and
 * wrapping; key names; the texts (assets/i18n) and their checks; the
 * action table's rules; the text field; the settings file.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fieldvisit/report.h"
#include "fieldvisit/rules.h"
#include "fieldvisit/vault.h"
#include "tap.h"
#include "ui_internal.h"

static char *wrapped(const char *s, size_t cols)
{
	ui_lines l;
	fv_buf b;
	ui_lines_init(&l);
	fv_buf_init(&b);
	ui_wrap(s, cols, &l);
	for (size_t i = 0; i < l.n; i++)
		fv_buf_addf(&b, "%s%.*s", i ? "|" : "", (int)l.len[i], s + l.start[i]);
	ui_lines_release(&l);
	return fv_buf_take(&b);
}

static void test_text(void)
{
	size_t w;
	is_num((double)ui_width("abc"), 3, "width of ASCII");
	is_num((double)ui_width("张三"), 4, "a Chinese character takes two columns");
	is_num((double)ui_width("a张b"), 4, "mixed");
	is_num((double)ui_width("a\x01" "b"), 3, "a control character shows as one '?'");
	is_num((double)ui_width("\xff"), 1, "an invalid byte shows as one '?'");
	is_num((double)ui_width("e\xcc\x81"), 1, "a combining mark takes no column");
	is_num((double)ui_clip("张三李四", strlen("张三李四"), 5, &w), 6,
	       "clipping to 5 columns keeps two characters (never half of one)");
	is_num((double)w, 4, "... 4 columns wide");
	is_num((double)ui_clip("ab张", strlen("ab张"), 3, &w), 2, "a wide character that does not fit is left out");
	is_num((double)ui_clip("abc", 3, 10, &w), 3, "short text is whole");

	char *s;
	is_str(s = wrapped("张三李四王五", 4), "张三|李四|王五", "Chinese wraps at any character"); free(s);
	is_str(s = wrapped("张三李四王", 5), "张三|李四|王", "a wide character never straddles the edge"); free(s);
	is_str(s = wrapped("hello world foo", 11), "hello world|foo", "Latin words stay whole"); free(s);
	is_str(s = wrapped("hello world foo", 8), "hello|world|foo", "break at the last space"); free(s);
	is_str(s = wrapped("abcdefghij", 4), "abcd|efgh|ij", "a word longer than a line is cut"); free(s);
	is_str(s = wrapped("a\nb\n\nc", 10), "a|b||c", "line breaks are kept"); free(s);
	is_str(s = wrapped("", 10), "", "empty text is one empty line"); free(s);
	is_str(s = wrapped("请输入口令 passphrase", 12), "请输入口令|passphrase", "mixed text"); free(s);

	fv_buf b;
	const char *args[] = {"A", "B"};
	fv_buf_init(&b);
	ui_format(&b, "{2} then {1}, {3} and {x}", args, 2);
	is_str(b.s, "B then A,  and {x}", "arguments by number, in any order");
	fv_buf_release(&b);
}

static void test_keys(void)
{
	char buf[16];
	int keys[] = {UI_K_ENTER, UI_K_ESC, UI_K_UP, UI_K_F(1), UI_K_F(12), UI_CTRL('L'), 'q', '?',
		      ' ', 0x5f20 /* a Chinese character */, UI_K_BTAB, UI_K_PGDN};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		is_num(ui_key_parse(ui_key_name(keys[i], buf)), keys[i], "key name '%s' reads back",
		       ui_key_name(keys[i], buf));
	is_num(ui_key_parse("Nothing"), 0, "an unknown key name");
	ok(ui_key_is_text('a') && ui_key_is_text(0x5f20) && !ui_key_is_text(UI_CTRL('L')) &&
	   !ui_key_is_text(UI_K_ENTER), "text keys");
}

/* The rules of the action table. */
static void test_table(const ui_catalog *cat)
{
	size_t n;
	const ui_binding *t = ui_bindings(&n);
	int bad_text = 0, dup = 0, labels = 1;
	for (size_t i = 0; i < n; i++) {
		for (const int *k = t[i].keys; *k; k++) {
			if ((t[i].screens & UI_TEXT_SCREENS) && ui_key_is_text(*k)) {
				bad_text++;
				diag("row %zu binds a text key on a text screen", i);
			}
			for (int s = 0; s < UI_NSCREENS; s++)
				if ((t[i].screens & UI_ON(s)) && ui_binding_for((ui_screen_id)s, *k) != &t[i]) {
					dup++;
					diag("row %zu: key %d is bound twice on screen %d", i, *k, s);
				}
		}
		labels &= t[i].help < UI_NSTR && (t[i].label == UI_NSTR || t[i].label < UI_NSTR);
	}
	ok(!bad_text, "no printable key is bound where typing goes into a field");
	ok(!dup, "no key does two things on one screen");
	ok(labels, "every row has its texts");
	for (int s = 0; s < UI_NSCREENS; s++) {
		int quit = 0, help = 0;
		for (size_t i = 0; i < n; i++) {
			if (!(t[i].screens & UI_ON(s)))
				continue;
			quit |= t[i].action == UI_ACT_QUIT || t[i].action == UI_ACT_NO;
			help |= t[i].action == UI_ACT_HELP || s == UI_SCR_HELP || s == UI_SCR_CONFIRM;
		}
		ok(quit && help, "screen %s can be left and has help",
		   ui_catalog_text(cat, UI_EN, ui_screen_title((ui_screen_id)s)));
	}
}

static int32_t day(const char *s)
{
	int32_t d = 0;
	(void)fv_date_parse(s, &d);
	return d;
}

/* People, schedules and visits in words (words.c), worked out by hand
 * from the shipped rules and texts. */
static void test_words(const ui_catalog *cat)
{
	char id[64], *s;
	ui U;
	memset(&U, 0, sizeof U);
	U.cat = (ui_catalog *)cat;
	U.lang = UI_ZH;

	ui_mask_id("11010519491231002X", id);
	is_str(id, "110105********002X", "a resident ID shows its area and its last four");
	ui_mask_id("12345", id);
	is_str(id, "12345", "something else is shown as it is");
	is_num(ui_age("1949-12-31", day("2026-11-23")), 76, "age before the birthday");
	is_num(ui_age("2000-11-23", day("2026-11-23")), 26, "age on the birthday");
	is_num(ui_age("2000-11-24", day("2026-11-23")), 25, "age the day before");
	is_num(ui_age("2000-02-30", day("2026-11-23")), -1, "no age without a real date");

	is_str(s = ui_form_short("上门服务记录 / Home visit", UI_ZH), "上门服务记录",
	       "a form's Chinese name"); free(s);
	is_str(s = ui_form_short("上门服务记录 / Home visit", UI_EN), "Home visit",
	       "a form's English name"); free(s);
	is_str(s = ui_form_short("PHQ-9 (Patient Health Questionnaire-9)", UI_ZH), "PHQ-9",
	       "the short name before the parenthesis"); free(s);
	is_str(s = ui_form_short("plain", UI_EN), "plain", "a plain title"); free(s);

	size_t n;
	const char *const *codes = fv_category_codes(&n);
	int named = 1;
	for (size_t i = 0; i < n; i++)
		named &= ui_category_str(codes[i]) != UI_NSTR;
	ok(named, "every category code has a screen name");
	is_str(s = ui_categories(&U, "shidu gaoling other"), "失独、高龄、other",
	       "categories in words, an unknown code as it is"); free(s);
	U.lang = UI_EN;
	is_str(s = ui_categories(&U, "zili ec_user"), "self-care, emergency contraception",
	       "... in English"); free(s);

	char *dir = fv_xasprintf("%s/assets/rules", FV_SRCDIR);
	fv_rules *r = NULL;
	fv_errors err;
	fv_errors_init(&err);
	ok(fv_rules_load_dir(dir, &r, &err) == FV_OK, "the shipped rules load");
	fv_errors_release(&err);
	free(dir);
	if (!r)
		return;
	/* zili: 1 a month of at least 60 minutes, made up the next month */
	fv_sched_item it = {.type = FV_SCHED_MAKEUP, .state = FV_SCHED_OVERDUE,
			    .from = day("2026-11-01"), .due = day("2026-11-30"), .needed = 1,
			    .rule = fv_rules_frequency_for(r, "zili"), .short_of = day("2026-10-01"),
			    .festival = -1};
	is_str(s = ui_sched_why(&U, r, &it, NULL),
	       "self-care: make-up of the month from 2026-10-01, 0 of 1 done,"
	       " at least 60 minutes each", "a make-up, as visit list --due says it"); free(s);
	U.lang = UI_ZH;
	is_str(s = ui_sched_why(&U, r, &it, NULL),
	       "自理：补访（2026-10-01 起的那一月），已访 0/1 次，每次至少 60 分钟",
	       "... in Chinese"); free(s);
	/* shineng: 4 a month */
	it.type = FV_SCHED_REGULAR;
	it.state = FV_SCHED_DUE;
	it.rule = fv_rules_frequency_for(r, "shineng");
	it.needed = 4;
	it.done = 2;
	is_str(s = ui_sched_why(&U, r, &it, NULL), "失能：每月 4 次，已访 2 次，每次至少 60 分钟",
	       "a regular visit"); free(s);
	/* shidu: 1 a quarter, no minimum */
	it.rule = fv_rules_frequency_for(r, "shidu");
	it.state = FV_SCHED_UPCOMING;
	is_str(s = ui_sched_why(&U, r, &it, NULL), "失独：每季度 1 次",
	       "an upcoming quarter: nothing done to say"); free(s);
	it = (fv_sched_item){.type = FV_SCHED_FESTIVAL, .state = FV_SCHED_UPCOMING,
			     .from = day("2027-01-22"), .due = day("2027-02-12"),
			     .festival = fv_rules_festival_find(r, "spring")};
	is_str(s = ui_sched_why(&U, r, &it, NULL), "春节走访，2027-01-22 至 2027-02-12",
	       "a festival's window"); free(s);
	it = (fv_sched_item){.type = FV_SCHED_FOLLOWUP, .festival = -1, .alert_kind = "item9",
			     .source = "a1"};
	is_str(s = ui_sched_why(&U, r, &it, NULL), "预警随访：自伤念头", "an alert's follow-up");
	free(s);
	it = (fv_sched_item){.type = FV_SCHED_FOLLOWUP, .festival = -1, .form_id = "contraceptive",
			     .rule = fv_rules_frequency_for(r, "ec_user")};
	U.lang = UI_EN;
	is_str(s = ui_sched_why(&U, r, &it, "Contraceptives"),
	       "follow-up of Contraceptives (emergency contraception)", "a form's follow-up");
	free(s);
	fv_rules_free(r);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
}

/* Every title and column of every report (a quarter: with the tables
 * by month) has its Chinese word for the reports screen. */
static void test_report_words(const ui_catalog *cat)
{
	char *dir = fv_xasprintf("%s/assets/rules", FV_SRCDIR);
	fv_rules *r = NULL;
	fv_errors err;
	fv_errors_init(&err);
	if (!ok(fv_rules_load_dir(dir, &r, &err) == FV_OK, "the shipped rule tables")) {
		fv_errors_release(&err);
		free(dir);
		return;
	}
	size_t missing = 0, words = 0;
	if (!ok(vault_init() == FV_OK, "the vault (the callback sample's keyed hash)"))
		return;
	for (int k = 0; k < FV_REPORT_NKINDS; k++) {
		fv_report_facts f;
		fv_report_args a;
		fv_report rep;
		memset(&f, 0, sizeof f);
		memset(&a, 0, sizeof a);
		f.team = "team";
		fv_period_parse("2026Q4", &a.period);
		a.day = a.period.last;
		fv_report_compute((fv_report_kind)k, r, &f, &a, &rep);
		for (size_t i = 0; i < rep.ntables; i++) {
			const fv_report_table *t = &rep.tables[i];
			char *key = fv_xasprintf("title.%s.%s", fv_report_name((fv_report_kind)k),
						 t->name);
			words++;
			if (!ui_catalog_word(cat, UI_ZH, key) && ++missing)
				diag("no Chinese for %s", key);
			free(key);
			for (size_t c = 0; c < t->ncols; c++) {
				char *any = fv_xasprintf("col.%s", t->cols[c]);
				key = fv_xasprintf("col.%s.%s", fv_report_name((fv_report_kind)k),
						   t->cols[c]);
				words++;
				if (!ui_catalog_word(cat, UI_ZH, key) &&
				    !ui_catalog_word(cat, UI_ZH, any) && ++missing)
					diag("no Chinese for %s", any);
				free(key);
				free(any);
			}
		}
		fv_report_release(&rep);
	}
	ok(words > 100 && missing == 0, "every report title and column has its Chinese word (%zu)",
	   words);
	ok(ui_catalog_word(cat, UI_EN, "col.people_due") == NULL,
	   "English shows the reports' own words");
	is_str(ui_catalog_word(cat, UI_ZH, "code.rule.makeup"), "补访", "a code in Chinese");
	fv_rules_free(r);
	fv_errors_release(&err);
	free(dir);
}

static void test_catalog(void)
{
	char *dir = fv_xasprintf("%s/assets/i18n", FV_SRCDIR);
	ui_catalog *cat;
	fv_errors err;
	fv_errors_init(&err);
	ok(ui_catalog_load(dir, &cat, &err) == FV_OK, "the shipped texts load");
	for (size_t i = 0; i < err.n; i++)
		diag("%s", err.lines[i]);
	fv_errors_release(&err);
	free(dir);
	if (!cat)
		return;
	is_str(ui_catalog_text(cat, UI_EN, UI_S_TITLE_HOME), "Today", "an English text");
	test_table(cat);
	test_words(cat);
	test_report_words(cat);
	ui_catalog_free(cat);

	/* a broken catalog: every problem, with its line */
	char tmpl[] = "/tmp/fvcat.XXXXXX";
	ok(mkdtemp(tmpl) != NULL, "temp dir");
	char *zh = fv_xasprintf("%s/ui.zh.tsv", tmpl), *en = fv_xasprintf("%s/ui.en.tsv", tmpl);
	fv_buf all;
	fv_buf_init(&all);
	for (int i = 0; i < UI_NSTR; i++)
		fv_buf_addf(&all, "%s\tx\n", ui_str_key((ui_str)i));
	write_file(zh, all.s);
	fv_buf_adds(&all, "no.such.key\tx\ntitle.home\tagain\n");
	write_file(en, all.s);
	fv_errors_init(&err);
	ok(ui_catalog_load(tmpl, &cat, &err) == FV_EINVAL && !cat, "unknown and repeated keys are refused");
	ok(err.n == 2 && strstr(err.lines[0], "unknown key 'no.such.key'") &&
	   strstr(err.lines[1], "key 'title.home' again"), "... each named with its line");
	fv_errors_release(&err);
	write_file(en, "title.home\tHome\nunlock.store\tStore {2}\n");
	fv_errors_init(&err);
	ok(ui_catalog_load(tmpl, &cat, &err) == FV_EINVAL, "missing keys are refused");
	ok(err.n == UI_NSTR - 1 && strstr(err.lines[0], ":2: 'unlock.store' takes 1 argument"),
	   "a text with an argument it does not have is refused (%s)", err.n ? err.lines[0] : "");
	fv_errors_release(&err);
	write_file(en, "title.home\tHome\n");
	fv_errors_init(&err);
	ok(ui_catalog_load(tmpl, &cat, &err) == FV_EINVAL && err.n == UI_NSTR - 1 &&
	   strstr(err.lines[0], "missing key 'title.unlock'"), "every missing key is named");
	fv_errors_release(&err);
	/* the reports' vocabulary: optional, but sound when there */
	fv_buf_release(&all);
	fv_buf_init(&all);
	for (int i = 0; i < UI_NSTR; i++)
		fv_buf_addf(&all, "%s\tx\n", ui_str_key((ui_str)i));
	write_file(en, all.s);
	char *words = fv_xasprintf("%s/report.zh.tsv", tmpl);
	write_file(words, "# a comment\ncol.due\t应访\nno tab here\ncol.due\t又一个\n");
	fv_errors_init(&err);
	ok(ui_catalog_load(tmpl, &cat, &err) == FV_EINVAL && !cat && err.n == 2 &&
	   strstr(err.lines[0], "report.zh.tsv:3: expected KEY<TAB>TEXT") &&
	   strstr(err.lines[1], "key 'col.due' more than once"),
	   "a broken report vocabulary is refused, each problem named");
	fv_errors_release(&err);
	write_file(words, "col.due\t应访\n");
	fv_errors_init(&err);
	ok(ui_catalog_load(tmpl, &cat, &err) == FV_OK && cat &&
	   strcmp(ui_catalog_word(cat, UI_ZH, "col.due"), "应访") == 0 &&
	   !ui_catalog_word(cat, UI_ZH, "col.done"), "a sound one is read");
	ui_catalog_free(cat);
	fv_errors_release(&err);
	unlink(words);
	free(words);
	unlink(zh);
	unlink(en);

	/* the settings file */
	char *conf = fv_xasprintf("%s/sub/dir/ui.conf", tmpl);
	ui_lang l = UI_ZH;
	ok(!ui_config_lang(conf, "wang", &l), "no settings file: no language");
	fv_errors_init(&err);
	ok(ui_config_set_lang(conf, "wang", UI_EN, &err) == FV_OK, "language saved (folders made)");
	ok(ui_config_set_lang(conf, "li", UI_ZH, &err) == FV_OK, "another store");
	fv_errors_release(&err);
	ok(ui_config_lang(conf, "wang", &l) && l == UI_EN, "read back per store");
	ok(ui_config_lang(conf, "li", &l) && l == UI_ZH, "the other store keeps its own");
	ok(ui_config_lang(conf, NULL, &l) && l == UI_ZH, "the last one chosen");
	char *name = ui_store_name("/a/b/王芳.fv");
	is_str(name, "王芳", "a store's name is its file name");
	free(name);
	char *cmd = fv_xasprintf("rm -rf '%s'", tmpl);
	ok(system(cmd) == 0, "clean up");
	free(cmd);
	free(conf);
	free(zh);
	free(en);
	fv_buf_release(&all);
}

static void type(ui_field *f, const char *s)
{
	size_t n = strlen(s);
	while (n) {
		uint32_t cp;
		size_t len = fv_utf8_decode(s, n, &cp);
		ui_field_key(f, (int)cp, UI_ACT_NONE);
		s += len;
		n -= len;
	}
}

static void test_field(void)
{
	ui_field f;
	ui_field_init(&f, 1);
	type(&f, "张三ab");
	is_str(f.text, "张三ab", "typing");
	ui_field_key(&f, UI_K_LEFT, UI_ACT_LEFT);
	ui_field_key(&f, UI_K_LEFT, UI_ACT_LEFT);
	ui_field_key(&f, UI_K_BACKSPACE, UI_ACT_TEXT_ERASE);
	is_str(f.text, "张ab", "Backspace erases a whole character");
	ui_field_key(&f, UI_K_HOME, UI_ACT_TEXT_HOME);
	ui_field_key(&f, UI_K_DELETE, UI_ACT_TEXT_DELETE);
	is_str(f.text, "ab", "Delete at the start");
	type(&f, "李");
	is_str(f.text, "李ab", "typing at the cursor");
	ok(!ui_field_key(&f, UI_K_ENTER, UI_ACT_OK), "Enter is not the field's");
	ui_field_key(&f, UI_CTRL('U'), UI_ACT_TEXT_CLEAR);
	ok(f.len == 0 && f.text[0] == '\0' && f.text[1] == '\0', "clear wipes");
	ui_field_release(&f);
}

/* The sync screen's progress bar: 10 cells inside a width of 17. */
static void test_progress_bar(void)
{
	static const struct {
		uint64_t done, total;
		int width;
		const char *want;
	} cases[] = {
		{45, 100, 17, "[####......]  45%"},   /* 45 * 10 / 100 = 4 cells */
		{0, 0, 17, "[..........]   0%"},      /* no total yet: empty */
		{7, 7, 17, "[##########] 100%"},
		{9, 7, 17, "[##########] 100%"},      /* never past the end */
		{1, 3, 10, "[#..]  33%"},             /* 3 cells: 1 * 3 / 3 = 1 */
		{45, 100, 5, " 45%"},                 /* too narrow: the number */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fv_buf b;
		fv_buf_init(&b);
		ui_progress_bar(cases[i].done, cases[i].total, cases[i].width, &b);
		is_str(b.s, cases[i].want, "progress bar %llu of %llu in %d columns",
		       (unsigned long long)cases[i].done, (unsigned long long)cases[i].total,
		       cases[i].width);
		fv_buf_release(&b);
	}
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	test_text();
	test_keys();
	test_catalog();
	test_field();
	test_progress_bar();
	return done_testing();
}
