#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "xalign %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return XA_EXIT_USAGE;
}

int cli_lib_error(const char *cmd, const xa_error *err, xa_status st) {
    if (err && err->status == st && err->message[0]) return cli_error(cmd, "%s", err->message);
    return cli_error(cmd, "%s", xa_strerror(st));
}

int cli_next(cli_args *a) {
    while (a->i < a->argc) {
        char *s = a->argv[a->i++];
        if (s[0] == '-' && s[1] == '-' && s[2] == 0) { /* "--": the rest are positionals */
            while (a->i < a->argc) a->pos[a->npos++] = a->argv[a->i++];
            return 0;
        }
        if (s[0] == '-' && s[1] && !(s[1] >= '0' && s[1] <= '9')) {
            char *eq = strchr(s, '=');
            static char name[128];
            if (eq && (size_t)(eq - s) < sizeof name) {
                memcpy(name, s, (size_t)(eq - s));
                name[eq - s] = 0;
                a->opt = name;
                a->value = eq + 1;
            } else {
                a->opt = s;
                a->value = NULL;
            }
            return 1;
        }
        a->pos[a->npos++] = s;
    }
    return 0;
}

const char *cli_value(cli_args *a) {
    if (a->value) return a->value;
    if (a->i < a->argc) return a->argv[a->i++];
    cli_error(a->cmd, "option %s needs a value", a->opt);
    return NULL;
}

int cli_parse_double(cli_args *a, double *out) {
    const char *v = cli_value(a);
    if (!v) return 0;
    char *e;
    errno = 0;
    double d = strtod(v, &e);
    if (!*v || *e || errno || isnan(d)) {
        cli_error(a->cmd, "option %s: '%s' is not a number", a->opt, v);
        return 0;
    }
    *out = d;
    return 1;
}

int cli_parse_int(cli_args *a, long *out) {
    const char *v = cli_value(a);
    if (!v) return 0;
    char *e;
    errno = 0;
    long d = strtol(v, &e, 10);
    if (!*v || *e || errno) {
        cli_error(a->cmd, "option %s: '%s' is not an integer", a->opt, v);
        return 0;
    }
    *out = d;
    return 1;
}

int cli_dets_option(cli_args *a, xa_box_format *fmt, xa_category_map *map) {
    int is_fmt = !strcmp(a->opt, "--format");
    if (!is_fmt && strcmp(a->opt, "--category-map")) return 0;
    const char *v = cli_value(a);
    if (!v) return -1;
    if (is_fmt && (!strcmp(v, "xyxy") || !strcmp(v, "xywh"))) {
        *fmt = v[2] == 'x' ? XA_BOX_XYXY : XA_BOX_XYWH;
        return 1;
    }
    if (!is_fmt && (!strcmp(v, "coco80") || !strcmp(v, "none"))) {
        *map = v[0] == 'c' ? XA_CATEGORY_COCO80 : XA_CATEGORY_AS_IS;
        return 1;
    }
    cli_error(a->cmd, "%s must be %s, not '%s'", a->opt, is_fmt ? "xyxy or xywh" : "coco80 or none",
              v);
    return -1;
}

int cli_emit(char *text, const char *cmd) {
    if (!text) return cli_error(cmd, "out of memory rendering the report");
    fputs(text, stdout);
    xa_free(text);
    return 0;
}

int cli_tolerance_option(cli_args *a, cli_tolerance *t, int *bad) {
    static const char *const keys[] = {"--atol",       "--rtol",     "--max-abs", "--min-cosine",
                                       "--min-euclid", "--min-sqnr", "--equal",   "--preset"};
    *bad = 0;
    size_t k = 0;
    while (k < sizeof keys / sizeof keys[0] && strcmp(a->opt, keys[k])) k++;
    if (k == sizeof keys / sizeof keys[0]) return 0;
    /* --equal is a flag; the rest take a value, parsed by the library's one parser */
    const char *v = !strcmp(a->opt, "--equal") ? "true" : cli_value(a);
    xa_error err = {0};
    if (!v || xa_tolerance_set(&t->tol, a->opt + 2, v, &err)) {
        if (v) cli_error(a->cmd, "option %s: %s", a->opt, err.message);
        *bad = 1;
    }
    return 1;
}

int cli_bmodel_option(cli_args *a, cli_bmodel *b) {
    if (!strcmp(a->opt, "--bmodel")) {
        b->path = cli_value(a);
        return b->path ? 1 : -1;
    }
    if (!strcmp(a->opt, "--net")) {
        b->net = cli_value(a);
        return b->net ? 1 : -1;
    }
    if (!strcmp(a->opt, "--stage")) {
        if (!cli_parse_int(a, &b->stage)) return -1;
        if (b->stage < 0 || b->stage > 1000000) {
            cli_error(a->cmd, "--stage must be a stage number (0, 1, ...)");
            return -1;
        }
        return 1;
    }
    return 0;
}

int cli_bmodel_open(cli_bmodel *b, const char *cmd) {
    if (!b->path) {
        if (b->net || b->stage >= 0) return cli_error(cmd, "--net and --stage need --bmodel");
        return XA_EXIT_OK;
    }
    xa_error err = {0};
    xa_status st = xa_bmodel_load(b->path, &b->model, &err);
    return st ? cli_lib_error(cmd, &err, st) : XA_EXIT_OK;
}

void cli_bmodel_close(cli_bmodel *b) {
    xa_bmodel_free(b->model);
    b->model = NULL;
}

xa_status cli_load_all(const cli_bmodel *b, const char *spec, xa_tensor_list *l,
                       xa_bmrt_where *where, xa_error *err) {
    if (!b || !b->model) {
        if (where) *where = (xa_bmrt_where){SIZE_MAX, SIZE_MAX, -1, -1};
        return xa_load_all(spec, l, err);
    }
    return xa_bmrt_load_spec(spec, b->model, b->net, (int)b->stage, l, where, err);
}

FILE *cli_fopen_regular(const char *path, const char **why) {
    /* O_NONBLOCK: a FIFO without a writer must not hang the open; the file is then refused by
     * its fstat unless it is regular (for which O_NONBLOCK changes nothing) */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    FILE *f = NULL;
    if (why) *why = NULL;
    if (fd < 0) {
        if (why) *why = strerror(errno);
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (why) *why = "not a regular file (a FIFO, device, socket or directory)";
    } else if (!(f = fdopen(fd, "rb")) && why) {
        *why = strerror(errno);
    }
    if (!f) close(fd);
    return f;
}

size_t cli_read_head(const char *path, unsigned char *buf, size_t n) {
    FILE *f = cli_fopen_regular(path, NULL); /* others: the library refuses them with a message */
    size_t r = f ? fread(buf, 1, n, f) : 0;
    if (f) fclose(f);
    return r;
}

int cli_is_bmodel(const char *path) {
    unsigned char m[4];
    return xa_bmodel_sniff(m, cli_read_head(path, m, sizeof m));
}

int cli_positionals(const cli_args *a, int want, const char *what, const char *help) {
    if (a->npos == want) return 0;
    if (!a->npos) {
        fputs(help, stderr);
        return XA_EXIT_USAGE;
    }
    return cli_error(a->cmd, "expected %s, got %d argument%s", what, a->npos,
                     a->npos == 1 ? "" : "s");
}

void cli_report_written(const char *in_spec, const xa_tensor *in, const char *what,
                        const xa_tensor *out, const char *out_path) {
    char a[160], b[160];
    unsigned char head[8] = {0};
    size_t n = cli_read_head(in_spec, head, sizeof head);
    printf("%s: %s %s%s -> %s -> %s %s written to %s\n", in_spec, xa_dtype_name(in->dtype),
           xa_shape_format(in->rank, in->shape, a, sizeof a),
           xa_image_sniff(head, n)
               ? " (image decoded as RGB with libjpeg-turbo/libpng defaults, EXIF "
                 "orientation not applied; 'xalign decode' decodes as cv2 or PIL)"
               : "",
           what, xa_dtype_name(out->dtype), xa_shape_format(out->rank, out->shape, b, sizeof b),
           out_path);
}

/* ---- registry parameters as options --------------------------------------------------------- */
static const xa_param_info *op_param(const xa_op_info *in, const char *name) {
    for (size_t k = 0; k < in->nparams; k++)
        if (!strcmp(in->params[k].name, name) ||
            (in->params[k].alias && !strcmp(in->params[k].alias, name)))
            return &in->params[k];
    return NULL;
}

static int is_bool_word(const char *s) {
    return s && (!strcmp(s, "true") || !strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "1") ||
                 !strcmp(s, "yes") || !strcmp(s, "no"));
}

int cli_op_option(cli_args *a, xa_op *op) {
    const xa_op_info *in = xa_op_get_info(op);
    const char *name = a->opt + 2;
    const xa_param_info *p = op_param(in, name);
    xa_error err = {0};
    xa_status st;
    if (!p && !strncmp(name, "no-", 3) && (p = op_param(in, name + 3)) &&
        p->type == XA_PARAM_BOOL) { /* --no-scaleup */
        if (a->value) {
            cli_error(a->cmd, "%s takes no value", a->opt);
            return -1;
        }
        st = xa_op_set(op, p->name, "false", &err);
    } else if (!p) {
        return 0;
    } else if (p->type == XA_PARAM_BOOL) { /* --auto, --auto=false, --auto 0 */
        const char *v = a->value;
        if (!v && a->i < a->argc && is_bool_word(a->argv[a->i])) v = a->argv[a->i++];
        st = xa_op_set(op, p->name, v ? v : "true", &err);
    } else {
        const char *v = cli_value(a);
        if (!v) return -1;
        st = xa_op_set(op, p->name, v, &err);
    }
    if (st) {
        cli_lib_error(a->cmd, &err, st);
        return -1;
    }
    return 1;
}

/* Print `text` from column `col`, wrapped at 100 columns with continuation lines at `indent`. */
void cli_wrap(FILE *f, const char *text, int col, int indent) {
    for (const char *w = text; *w;) {
        while (*w == ' ') w++;
        int l = (int)strcspn(w, " ");
        if (!l) break;
        if (col > indent && col + 1 + l > 100) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', f);
            col++;
        }
        fprintf(f, "%.*s", l, w);
        col += l;
        w += l;
    }
    fputc('\n', f);
}

void cli_op_help(FILE *f, const xa_op_info *in) {
    static const char *const forms[] = {"N", "X", "", "NAME", "X,...", "N,...", "WxH"};
    for (size_t k = 0; k < in->nparams; k++) {
        const xa_param_info *p = &in->params[k];
        char head[64], text[1600];
        if (p->type == XA_PARAM_BOOL)
            snprintf(head, sizeof head, "--%s", p->name);
        else
            snprintf(head, sizeof head, "--%s %s", p->name,
                     p->type == XA_PARAM_SIZE && p->square_ok ? "WxH|N" : forms[p->type]);
        size_t o = (size_t)snprintf(text, sizeof text, "%s", p->help);
        if (!p->dflt)
            o += (size_t)snprintf(text + o, sizeof text - o, " (required)");
        else if (p->dflt[0])
            o += (size_t)snprintf(text + o, sizeof text - o, " (default %s)", p->dflt);
        const char *ch = xa_param_choices(p);
        if (ch && o < sizeof text) {
            o += (size_t)snprintf(text + o, sizeof text - o, "; one of: %s", ch);
            for (char *c = text; *c; c++)
                if (*c == '|') *c = ' ';
        }
        fprintf(f, "  %-24s ", head);
        cli_wrap(f, text, 27, 27);
    }
}

int cli_param(cli_args *a, const xa_param_info *p, double *v, int *n) {
    const char *s = cli_value(a);
    if (!s) return 0;
    xa_error err = {0};
    xa_status st = xa_param_parse(p, s, v, n, &err);
    if (st) {
        cli_error(a->cmd, "option %s: %s", a->opt, err.message);
        return 0;
    }
    return 1;
}

int cli_html_option(cli_args *a, cli_html *h) {
    if (!strcmp(a->opt, "--html")) {
        h->path = cli_value(a);
        return h->path ? 1 : -1;
    }
    if (!strcmp(a->opt, "--html-budget")) {
        if (!cli_parse_double(a, &h->budget_mb)) return -1;
        if (!(h->budget_mb >= 0.01 && h->budget_mb <= 1e6)) {
            cli_error(a->cmd, "--html-budget: MB from 0.01 to 1000000, not %g", h->budget_mb);
            return -1;
        }
        return 1;
    }
    return 0;
}

int cli_write_html(const char *json, const cli_html *h, const xa_bmodel *bm, const char *cmd) {
    if (!json) return cli_error(cmd, "out of memory rendering the report");
    const char *path = h->path;
    xa_html_options o = {0, NULL, bm, (int64_t)(h->budget_mb * 1e6)};
    char *html = NULL;
    xa_error err = {0};
    xa_status st = xa_report_html(json, &o, &html, &err);
    if (st) return cli_lib_error(cmd, &err, st);
    FILE *f = fopen(path, "wb");
    size_t n = strlen(html);
    int ok = f && fwrite(html, 1, n, f) == n;
    if (f && fclose(f)) ok = 0;
    xa_free(html);
    if (!ok) return cli_error(cmd, "%s: cannot write the HTML report", path);
    fprintf(stderr, "xalign %s: HTML report written to %s (%zu bytes)\n", cmd, path, n);
    return XA_EXIT_OK;
}
