/*
 * fieldvisit command line: the table of commands, --help and --version.
 */
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "config.h"
#include "fieldvisit/cli.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"form", fv_cmd_form, "check forms, fill a form with answers (form check|fill)"},
};

static void usage(FILE *fp)
{
	fprintf(fp,
		"Usage: fieldvisit [--version] [--help] COMMAND [ARGS...]\n"
		"\n"
		"Home visits, assessments and satisfaction surveys for village field work.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(fp,
		"\n"
		"Run 'fieldvisit COMMAND --help' for a command's options.\n"
		"Exit status: 0 ok, 1 rejected input, 2 usage error, 3 wrong passphrase,\n"
		"4 store or file error.  See fieldvisit(1) and fieldvisit-forms(5).\n");
}

void fv_cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("fieldvisit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

size_t fv_cli_errors(const fv_errors *err)
{
	for (size_t i = 0; i < err->n; i++)
		fv_cli_error("%s", err->lines[i]);
	return err->n;
}

int fv_cli_main(int argc, char **argv)
{
	/* Answers are about vulnerable people: never leave them in a core file. */
	struct rlimit no_core = {0, 0};
	setrlimit(RLIMIT_CORE, &no_core);
	setlocale(LC_ALL, "");

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("fieldvisit %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fv_cli_error("unknown command '%s' (see 'fieldvisit --help')", argv[1]);
	return 2;
}
