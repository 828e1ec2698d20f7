/* Shared pieces of the xalign command line (uses only the public API). */
#ifndef XA_CLI_H
#define XA_CLI_H

#include <xalign/xalign.h>
#include <stdio.h>

/* Exit codes of every subcommand. */
enum { XA_EXIT_OK = 0, XA_EXIT_UNALIGNED = 1, XA_EXIT_USAGE = 2 };

/* The subcommands, one file each (tools/cmd_NAME.c); xalign.c holds the dispatch table. */
int cmd_info(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_resize(int argc, char **argv);
int cmd_stages(int argc, char **argv);
int cmd_transform(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_preprocess(int argc, char **argv);
int cmd_ops(int argc, char **argv);
int cmd_diagnose(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_heatmap(int argc, char **argv);
int cmd_nms(int argc, char **argv);
int cmd_results(int argc, char **argv);
int cmd_cocoeval(int argc, char **argv);
int cmd_coco_json(int argc, char **argv);

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
    char **pos; /* positional arguments, in order */
} cli_args;
/* Positionals are collected at the front of argv itself: the k-th positional is stored in slot k,
 * which the scanner has always passed already (k < i), so no second array (and no VLA) is needed.
 * argv must be writable, as main's is. */
#define CLI_ARGS(argc, argv, cmd)                                                                  \
    { (argc), 1, (argv), (cmd), NULL, NULL, 0, (argv) }

/* Returns 1 with a->opt set for the next option, 0 at the end. Positionals are collected. */
int cli_next(cli_args *a);
/* The option's value (inline or the next argv); NULL (and an error printed) if missing. */
const char *cli_value(cli_args *a);
int cli_parse_double(cli_args *a, double *out);
int cli_parse_int(cli_args *a, long *out);
/* Tolerance options shared by compare and stages (--atol --rtol --max-abs --min-cosine
 * --min-euclid --min-sqnr --equal --preset). Returns 1 if a->opt was one of them (parsed into
 * t; *bad set on a parse error), 0 otherwise. */
typedef struct {
    xa_tolerance tol;
} cli_tolerance;
int cli_tolerance_option(cli_args *a, cli_tolerance *t, int *bad);
#define CLI_TOLERANCE_HELP                                                                         \
    "  --atol X --rtol Y   every |port - ref| <= X + Y*|ref| (numpy's allclose rule)\n"            \
    "  --max-abs X         max_abs <= X\n"                                                         \
    "  --min-cosine X      cosine >= X\n"                                                          \
    "  --min-euclid X      euclid_sim >= X (tpu-mlir's euclidean similarity)\n"                    \
    "  --min-sqnr X        sqnr_db >= X\n"                                                         \
    "  --preset NAME       tpu-mlir's cosine/euclid defaults: f32 0.99/0.99, f16 0.95/0.85,\n"     \
    "                      bf16 0.95/0.80, int8 0.8/0.5\n"                                         \
    "  --equal             require identical values\n"

/* Exactly `want` positional arguments (`what` names them: "IN and OUT.npy"). With none, prints
 * `help` to stderr. Returns 0, or the exit code to return. */
int cli_positionals(const cli_args *a, int want, const char *what, const char *help);

/* One line saying what was done: "IN: uint8 [H, W, C] -> WHAT -> float32 [...] written to OUT",
 * noting how an image input was decoded. */
void cli_report_written(const char *in_spec, const xa_tensor *in, const char *what,
                        const xa_tensor *out, const char *out_path);

/* --format xyxy|xywh (layout of .npy detection rows) and --category-map coco80|none (.npy classes
 * to COCO ids), shared by results and coco-json. 1: consumed, 0: not one of them, -1: a bad value
 * (reported). */
int cli_dets_option(cli_args *a, xa_box_format *fmt, xa_category_map *map);

/* Print text (or nothing for NULL/out of memory) to stdout; frees it. */
int cli_emit(char *text, const char *cmd);

/* --bmodel FILE [--net NAME] [--stage K]: split raw BMRT dumps into the tensors a bmodel names. */
typedef struct cli_bmodel {
    const char *path, *net;
    long stage;       /* -1: chosen by the dump's size */
    xa_bmodel *model; /* loaded by cli_bmodel_open */
} cli_bmodel;
#define CLI_BMODEL_INIT                                                                            \
    { NULL, NULL, -1, NULL }
#define CLI_BMODEL_HELP                                                                            \
    "  --bmodel FILE       a SOPHON .bmodel: a raw dump given as PATH or PATH#NAME (no :DTYPE)\n"  \
    "                      is a BMRT dump (input_ref_data.dat.bmrt, output_ref_data.dat.bmrt)\n"   \
    "                      split into the tensors of the stage whose size it has; #NAME picks\n"   \
    "                      a tensor by its bmodel name\n"                                          \
    "  --net NAME          with --bmodel: the net the dump is from (default: any that fits)\n"     \
    "  --stage K           with --bmodel: the stage (default: the one whose size fits)\n"
/* 1: the current option was one of these (consumed); 0: not one; -1: bad value (reported). */
int cli_bmodel_option(cli_args *a, cli_bmodel *b);
/* Load the bmodel if --bmodel was given; returns an exit code (0 on success). */
int cli_bmodel_open(cli_bmodel *b, const char *cmd);
void cli_bmodel_close(cli_bmodel *b);
/* Every tensor a spec names, through the bmodel when one was given. `where` may be NULL. */
xa_status cli_load_all(const cli_bmodel *b, const char *spec, xa_tensor_list *l,
                       xa_bmrt_where *where, xa_error *err);
/* fopen(path, "rb") of a regular file; NULL for anything else, at once (a FIFO without a writer
 * does not block), with the reason in *why (may be NULL). */
FILE *cli_fopen_regular(const char *path, const char **why);
/* Up to n first bytes of a regular file (0 for anything else); never blocks on a FIFO. */
size_t cli_read_head(const char *path, unsigned char *buf, size_t n);
/* 1 when the file starts with a bmodel magic. */
int cli_is_bmodel(const char *path);

/* --html FILE [--html-budget MB]: the HTML report of a run (docs/report.md). */
typedef struct cli_html {
    const char *path; /* NULL: no report */
    double budget_mb; /* 0: the library's default (XA_HTML_DEFAULT_BUDGET) */
} cli_html;
#define CLI_HTML_HELP                                                                              \
    "  --html FILE         also write a self-contained HTML report: verdicts, metrics, "           \
    "diagnosis\n"                                                                                  \
    "                      and, for image-like stages, reference, port and |difference| heatmap\n" \
    "  --html-budget MB    pictures are added while the page stays under MB megabytes (default\n"  \
    "                      5); the page says what it left out\n"
/* 1: the current option was one of these (consumed); 0: not one; -1: bad value (reported). */
int cli_html_option(cli_args *a, cli_html *h);
/* Render the JSON of a run as the HTML report into h->path (a one-line note on stderr); returns
 * an exit code. */
int cli_write_html(const char *json, const cli_html *h, const xa_bmodel *bm, const char *cmd);

/* Parameters of a registered operation as options: --KEY VALUE (kebab-case keys, as `xalign ops`
 * lists them); a boolean is --KEY, --KEY=false, --KEY true|false|0|1 or --no-KEY. Returns 1 when
 * the current option was one of the operation's parameters (set), 0 when it is not, -1 on a
 * bad value (reported). */
int cli_op_option(cli_args *a, xa_op *op);
/* Print `text` from column `col`, wrapped at 100 columns, continuation lines indented by
 * `indent`. */
void cli_wrap(FILE *f, const char *text, int col, int indent);
/* The operation's parameters as help lines (generated from the registry). */
void cli_op_help(FILE *f, const xa_op_info *in);
/* The current option's value parsed by the registry's parser of that kind (xa_param_parse);
 * 0 and a message on error. */
int cli_param(cli_args *a, const xa_param_info *p, double *v, int *n);

#endif
