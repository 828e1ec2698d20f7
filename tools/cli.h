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
/* Tolerance options shared by compare and stages (--atol --rtol --max-abs --min-cosine
 * --min-euclid --min-sqnr --equal --preset). Returns 1 if a->opt was one of them (parsed into
 * t; *bad set on a parse error), 0 otherwise. Call cli_tolerance_finish after the loop. */
typedef struct {
    xa_tolerance tol;
    int have_atol, have_rtol;
} cli_tolerance;
int cli_tolerance_option(cli_args *a, cli_tolerance *t, int *bad);
int cli_tolerance_finish(const char *cmd, cli_tolerance *t); /* 0 ok, else exit code */
#define CLI_TOLERANCE_HELP                                                                        \
    "  --atol X --rtol Y   every |port - ref| <= X + Y*|ref| (numpy's allclose rule)\n"           \
    "  --max-abs X         max_abs <= X\n"                                                        \
    "  --min-cosine X      cosine >= X\n"                                                         \
    "  --min-euclid X      euclid_sim >= X (tpu-mlir's euclidean similarity)\n"                   \
    "  --min-sqnr X        sqnr_db >= X\n"                                                        \
    "  --preset NAME       tpu-mlir's cosine/euclid defaults: f32 0.99/0.99, f16 0.95/0.85,\n"    \
    "                      bf16 0.95/0.80, int8 0.8/0.5\n"                                        \
    "  --equal             require identical values\n"

/* Print text (or nothing for NULL/out of memory) to stdout; frees it. */
int cli_emit(char *text, const char *cmd);

#endif
