/* xalign transform IN OUT.npy --op OP [--PARAM VALUE ...]: one registered operation, exactly as
 * the named library computes it. Operations and their parameters come from the registry
 * (include/xalign/registry.h); the help text is generated from it. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
    fputs("usage: xalign transform IN OUT.npy --op OP [--PARAM VALUE ...] [--json]\n"
          "       xalign transform --op OP --geometry-only (--input-size WxH[,WxH...] | IN)\n"
          "                        [--PARAM VALUE ...] [--json]\n\n"
          "Run one registered operation exactly as the original library does and write the\n"
          "result as .npy. IN is a tensor spec (.npy, an image decoded as RGB, raw bytes; see\n"
          "'xalign info --help'). 'xalign transform --op OP --help' lists OP's parameters;\n"
          "'xalign ops' lists every operation with its parameters and defaults.\n\n"
          "operations:\n",
          f);
    for (size_t i = 0; i < xa_op_count(); i++) {
        const xa_op_info *in = xa_op_info_at(i);
        fprintf(f, "  %-20s %s\n", in->name, in->summary);
    }
    fputs("\noptions:\n"
          "  --op OP              the operation (required)\n"
          "  --geometry-only      for letterbox-yolov5, letterbox-sail and tv-resize: print the\n"
          "                       geometry for --input-size (or IN's size), write nothing\n"
          "  --json               one JSON object: the operation, its parameters, input and\n"
          "                       output (and the geometry where there is one)\n"
          "  --help               this text\n\n"
          "Sizes are WIDTHxHEIGHT as cv2 takes them. Semantics: docs/ops-transforms.md.\n",
          f);
}

static void op_usage(const xa_op_info *in) {
    printf("usage: xalign transform IN OUT.npy --op %s [options]\n\n%s\nreproduces: %s\n"
           "input: %s\n\nparameters:\n",
           in->name, in->summary, in->upstream, in->inputs);
    if (!in->nparams) printf("  (none)\n");
    cli_op_help(stdout, in);
    if (in->has_geometry)
        printf("  --geometry-only          print the geometry for --input-size WxH[,...] or IN\n");
    printf("  --json                   one JSON object describing what was done\n");
}

/* --input-size W1xH1,W2xH2,... */
static int parse_sizes(const char *s, int64_t **out, size_t *n) {
    static const xa_param_info size = {
        .name = "--input-size", .type = XA_PARAM_SIZE, .min = 1, .max = 1 << 26};
    enum { MAXG = 100000 };
    size_t cap = 16;
    int64_t *wh = malloc(cap * 2 * sizeof *wh);
    if (!wh) return cli_error("transform", "out of memory");
    *n = 0;
    char buf[64];
    while (*s) {
        const char *e = strchr(s, ',');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        double v[XA_PARAM_MAX_VALUES];
        int nv;
        xa_error err = {0};
        if (l >= sizeof buf || *n >= MAXG) {
            free(wh);
            return cli_error("transform", "--input-size: at most %d sizes of WxH", MAXG);
        }
        memcpy(buf, s, l);
        buf[l] = 0;
        if (xa_param_parse(&size, buf, v, &nv, &err)) {
            free(wh);
            return cli_error("transform", "%s", err.message);
        }
        if (*n == cap) {
            int64_t *q = realloc(wh, (cap *= 2) * 2 * sizeof *wh);
            if (!q) {
                free(wh);
                return cli_error("transform", "out of memory");
            }
            wh = q;
        }
        wh[2 * *n] = (int64_t)v[0], wh[2 * *n + 1] = (int64_t)v[1];
        ++*n;
        s += l + (e != NULL);
    }
    if (!*n) {
        free(wh);
        return cli_error("transform", "--input-size names no size");
    }
    *out = wh;
    return XA_EXIT_OK;
}

static int geometry(xa_op *op, const char *sizes, const char *in_spec, int json) {
    int64_t *wh = NULL;
    size_t n = 0;
    int rc;
    if (sizes) {
        if ((rc = parse_sizes(sizes, &wh, &n))) return rc;
    } else {
        xa_tensor *in = NULL;
        xa_error err = {0};
        xa_status st = xa_load(in_spec, &in, &err);
        if (st) return cli_lib_error("transform", &err, st);
        /* the same image rules as the operation: one H x W (x C) image, not a batch */
        if (in->rank < 2 || in->rank > 3 || (in->dtype != XA_U8 && in->dtype != XA_F32)) {
            rc = cli_error("transform",
                           "%s is not one H x W (x C) uint8/float32 image (%s, rank %d)", in_spec,
                           xa_dtype_name(in->dtype), in->rank);
            xa_tensor_free(in);
            return rc;
        }
        wh = malloc(2 * sizeof *wh);
        if (wh) wh[0] = in->shape[1], wh[1] = in->shape[0], n = 1;
        xa_tensor_free(in);
        if (!wh) return cli_error("transform", "out of memory");
    }
    xa_letterbox_geom *g = calloc(n, sizeof *g);
    if (!g) {
        free(wh);
        return cli_error("transform", "out of memory");
    }
    xa_error err = {0};
    xa_status st = XA_OK;
    for (size_t i = 0; i < n && !st; i++)
        st = xa_op_geometry(op, wh[2 * i], wh[2 * i + 1], &g[i], &err);
    free(wh);
    if (st) {
        free(g);
        return cli_lib_error("transform", &err, st);
    }
    char *text;
    if (json) {
        text = xa_report_letterbox_json(g, n);
    } else if (!strcmp(xa_op_get_info(op)->name, "tv-resize")) {
        for (size_t i = 0; i < n; i++)
            printf("%lldx%lld -> %lldx%lld\n", (long long)g[i].src_w, (long long)g[i].src_h,
                   (long long)g[i].out_w, (long long)g[i].out_h);
        free(g);
        return XA_EXIT_OK;
    } else {
        text = xa_report_letterbox_text(g, n);
    }
    free(g);
    return cli_emit(text, "transform") ? XA_EXIT_USAGE : XA_EXIT_OK;
}

static void unknown_option(const xa_op_info *in, const char *opt) {
    if (!strcmp(in->name, "tv-resize") && !strcmp(opt, "--size")) {
        cli_error("transform", "tv-resize takes --short N, the shorter side as torchvision's "
                               "Resize(N) (for an exact WIDTHxHEIGHT use --op resize)");
        return;
    }
    if (!in->nparams) {
        cli_error("transform", "%s has no option %s (it takes none)", in->name, opt);
        return;
    }
    char list[600];
    size_t o = 0;
    for (size_t k = 0; k < in->nparams && o < sizeof list; k++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s--%s", k ? ", " : "",
                              in->params[k].name);
    cli_error("transform", "%s has no option %s (its options: %s)", in->name, opt, list);
}

/* The value of --op, looked up before the other options (which depend on it). */
static const char *find_op(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) break;
        if (!strcmp(argv[i], "--op")) return i + 1 < argc ? argv[i + 1] : "";
        if (!strncmp(argv[i], "--op=", 5)) return argv[i] + 5;
    }
    return NULL;
}

int cmd_transform(int argc, char **argv) {
    const char *name = find_op(argc, argv);
    if (!name) {
        for (int i = 1; i < argc; i++)
            if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
                usage(stdout);
                return XA_EXIT_OK;
            }
        if (argc < 2) {
            usage(stderr);
            return XA_EXIT_USAGE;
        }
        return cli_error("transform", "--op is required (see --help)");
    }
    if (!strcmp(name, "resize-size"))
        return cli_error("transform", "resize-size is now 'transform --op tv-resize --short N "
                                      "--geometry-only --input-size WxH'");
    xa_op *op;
    xa_error err = {0};
    xa_status st = xa_op_new(name, &op, &err);
    if (st) return cli_lib_error("transform", &err, st);
    cli_args a = CLI_ARGS(argc, argv, "transform");
    char **pos = a.pos;
    int geometry_only = 0, json = 0, rc = XA_EXIT_OK, r;
    const char *input_size = NULL;
    while (cli_next(&a)) {
        if (!strcmp(a.opt, "--help") || !strcmp(a.opt, "-h")) {
            op_usage(xa_op_get_info(op));
            xa_op_free(op);
            return XA_EXIT_OK;
        } else if (!strcmp(a.opt, "--op")) {
            if (!cli_value(&a)) rc = XA_EXIT_USAGE;
        } else if (!strcmp(a.opt, "--geometry-only")) {
            geometry_only = 1;
        } else if (!strcmp(a.opt, "--json")) {
            json = 1;
        } else if (!strcmp(a.opt, "--input-size")) {
            if (!(input_size = cli_value(&a))) rc = XA_EXIT_USAGE;
        } else if ((r = cli_op_option(&a, op)) <= 0) {
            if (!r) unknown_option(xa_op_get_info(op), a.opt);
            rc = XA_EXIT_USAGE;
        }
        if (rc) break;
    }
    const xa_op_info *info = xa_op_get_info(op);
    if (!rc && (geometry_only || input_size)) {
        if (!info->has_geometry)
            rc = cli_error("transform",
                           "--geometry-only works with letterbox-yolov5, "
                           "letterbox-sail and tv-resize, not %s",
                           info->name);
        else if (!input_size && a.npos != 1)
            rc =
                cli_error("transform", "give --input-size WxH[,WxH...] or one IN for the geometry");
        else
            rc = geometry(op, input_size, input_size ? NULL : pos[0], json);
        xa_op_free(op);
        return rc;
    }
    if (!rc && (st = xa_op_validate(op, &err))) rc = cli_lib_error("transform", &err, st);
    int nin = a.npos - 1; /* IN... OUT.npy: an operation of several inputs takes them in order */
    if (!rc && (nin < info->min_inputs || nin > info->max_inputs)) {
        if (info->max_inputs == 1)
            rc = cli_error("transform", "expected IN and OUT.npy, got %d argument%s", a.npos,
                           a.npos == 1 ? "" : "s");
        else
            rc = cli_error("transform", "%s takes %s and OUT.npy, got %d argument%s", info->name,
                           info->inputs, a.npos, a.npos == 1 ? "" : "s");
    }
    if (rc) {
        xa_op_free(op);
        return rc;
    }
    xa_tensor *ins[8] = {NULL}, *out = NULL, *in;
    const char *out_path = pos[nin];
    xa_letterbox_geom g;
    int bad = -1; /* the input a failure names */
    st = XA_OK;
    for (int k = 0; k < nin && !st; k++) {
        st = !strcmp(info->inputs, "file") ? xa_load_bytes(pos[k], &ins[k], &err)
                                           : xa_load(pos[k], &ins[k], &err);
        if (st) bad = k;
    }
    in = ins[0];
    if (!st) st = xa_op_run(op, (const xa_tensor *const *)ins, (size_t)nin, &out, &err);
    if (st && bad < 0) { /* the operation's message, naming the input it was given */
        char m[XA_ERROR_MESSAGE_SIZE];
        snprintf(m, sizeof m, "%s", err.message);
        snprintf(err.message, sizeof err.message, "%s: %.400s", pos[0], m);
    } else if (!st) {
        st = xa_npy_save(out_path, out, &err);
    }
    if (!st && json) {
        int has_g = info->has_geometry && in->rank >= 2 &&
                    !xa_op_geometry(op, in->shape[1], in->shape[0], &g, NULL);
        xa_op_report r2 = {op, pos[0], in, out_path, out, has_g ? &g : NULL};
        rc = cli_emit(xa_report_op_json(&r2), "transform");
    } else if (!st) {
        cli_report_written(pos[0], in, xa_op_describe(op), out, out_path);
        if (xa_op_note(op)[0]) printf("  %s\n", xa_op_note(op));
    }
    for (int k = 0; k < nin; k++) xa_tensor_free(ins[k]);
    xa_tensor_free(out);
    xa_op_free(op);
    if (st) return cli_lib_error("transform", &err, st);
    return rc;
}
