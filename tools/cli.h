/* Shared pieces of the xalign command line (uses only the public API). */
#ifndef XA_CLI_H
#define XA_CLI_H

#include <xalign/xalign.h>
#include <stdio.h>

/* Exit codes of every subcommand. */
enum { XA_EXIT_OK = 0, XA_EXIT_UNALIGNED = 1, XA_EXIT_USAGE = 2 };

typedef struct xa_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} xa_command;

/* Print "xalign CMD: message" to stderr; returns XA_EXIT_USAGE. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report a library failure. */
int cli_lib_error(const char *cmd, const xa_error *err, xa_status st);

/* Minimal option scanner: accepts "--name value" and "--name=value". */
typedef struct {
    int argc, i;
    char **argv;
    const char *cmd;
    const char *opt;   /* current option name (with dashes) */
    const char *value; /* inline "=value" or NULL */
    int npos;
    char **pos;        /* positional arguments, in order */
} cli_args;

/* Returns 1 with a->opt set for the next option, 0 at the end. Positionals are collected. */
int cli_next(cli_args *a);
/* The option's value (inline or the next argv); NULL (and an error printed) if missing. */
const char *cli_value(cli_args *a);
int cli_parse_double(cli_args *a, double *out);
int cli_parse_int(cli_args *a, long *out);
/* Print text (or nothing for NULL/out of memory) to stdout; frees it. */
int cli_emit(char *text, const char *cmd);

#endif
