/*
 * fieldvisit command line: one file per command under src/cli/, a table of
 * commands in src/cli/cli.c that also prints --help.
 */
#ifndef FIELDVISIT_CLI_H
#define FIELDVISIT_CLI_H

#include "fieldvisit/core.h"

/* Run fieldvisit with its arguments; returns the process exit code
 * (0 ok, 1 rejected input, 2 usage, 3 wrong passphrase, 4 store or file). */
int fv_cli_main(int argc, char **argv);

/* Print "fieldvisit: " and the message to stderr. */
void fv_cli_error(const char *fmt, ...) FV_PRINTF(1, 2);
/* Print every line of err as an error; returns the number printed. */
size_t fv_cli_errors(const fv_errors *err);

/* The commands (src/cli/cmd_*.c).  argv[0] is the command's own name. */
int fv_cmd_form(int argc, char **argv);

#endif
