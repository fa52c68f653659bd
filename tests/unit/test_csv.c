/* Unit tests of the RFC 4180 reader (src/forms/csv.c). */
#include <string.h>

#include "fieldvisit/forms.h"
#include "tap.h"

static fv_csv csv;
static fv_errors err;

static int parse(const char *s)
{
	fv_csv_release(&csv);
	fv_errors_release(&err);
	return fv_csv_parse("t.csv", s, strlen(s), &csv, &err) == FV_OK;
}

int main(void)
{
	memset(&csv, 0, sizeof csv);
	fv_errors_init(&err);

	ok(parse("a,b,c\n1,2,3\n"), "simple file");
	ok(csv.nrows == 2 && csv.rows[1].ncells == 3, "two rows of three cells");
	is_str(csv.rows[1].cells[2], "3", "last cell");
	is_num(csv.rows[1].line, 2, "row line number");

	ok(parse("\xEF\xBB\xBF" "a,b\r\n1,2\r\n"), "BOM and CRLF");
	is_str(csv.rows[0].cells[0], "a", "BOM is not part of the first cell");
	is_str(csv.rows[1].cells[1], "2", "CR is not part of the last cell");

	ok(parse("a,\"x, y\",\"say \"\"hi\"\"\"\n"), "quoted comma and doubled quotes");
	is_str(csv.rows[0].cells[1], "x, y", "comma inside quotes");
	is_str(csv.rows[0].cells[2], "say \"hi\"", "doubled quotes");

	ok(parse("a,\"line1\nline2\"\nb,c\n"), "line break inside quotes");
	is_str(csv.rows[0].cells[1], "line1\nline2", "embedded newline kept");
	is_num(csv.rows[1].line, 3, "line numbers count embedded newlines");

	ok(parse("a,,\n"), "empty cells");
	is_num((double)csv.rows[0].ncells, 3, "trailing empty cells count");
	ok(parse("a,\"\",b"), "quoted empty cell, no final newline");
	is_num((double)csv.rows[0].ncells, 3, "three cells");
	is_str(csv.rows[0].cells[2], "b", "last line without newline");

	ok(parse("失独,高龄\n"), "UTF-8 text");
	is_str(csv.rows[0].cells[1], "高龄", "Chinese cell");

	ok(!parse("a,\"open\n"), "unterminated quote refused");
	is_str(err.lines[0], "t.csv:1: unterminated quoted cell", "unterminated quote message");
	ok(!parse("a,b\"c\n"), "quote inside unquoted cell refused");
	is_str(err.lines[0], "t.csv:1: quote inside an unquoted cell (quote the whole cell)",
	       "stray quote message");
	ok(!parse("x\n\"a\"b,c\n"), "text after closing quote refused");
	is_str(err.lines[0],
	       "t.csv:2: text after a closing quote (write \"\" for a quote inside a quoted cell)",
	       "text after quote message");
	ok(!parse("a\nb\xff\n"), "invalid UTF-8 refused");
	is_str(err.lines[0], "t.csv:2: not valid UTF-8 (save the file as UTF-8)", "UTF-8 message");
	ok(fv_csv_parse("t.csv", "a\n\0b", 4, &csv, &err) != FV_OK, "NUL refused");
	ok(parse(""), "empty file parses");
	is_num((double)csv.nrows, 0, "to no rows");

	fv_csv_release(&csv);
	fv_errors_release(&err);
	return done_testing();
}
