/* xalign resize IN OUT.npy --method M --size WxH: one library's resize, bit for bit (the
 * registered "resize" operation). */
#include "cli.h"

#include <string.h>

static void usage(FILE *f) {
    fputs("usage: xalign resize IN OUT.npy --method M --size WxH [--json]\n\n"
          "Resize an image exactly as the named library does. IN is a tensor spec (an .npy of\n"
          "H x W x C or H x W, uint8 or float32, or a JPEG/PNG decoded as RGB); OUT is written as\n"
          ".npy. WxH is width x height, as cv2.resize takes it; torchvision's Resize(N) (the\n"
          "shorter side) is 'xalign transform --op tv-resize --short N'.\n\n"
          "method families (docs/ops-resize-*.md):\n"
          "  cv2-*     OpenCV 4.6 cv2.resize with that interpolation\n"
          "  pil-*     Pillow 9.4 Image.resize (antialiased when shrinking); torchvision's Resize\n"
          "            on a PIL image is pil-bilinear\n"
          "  torch-*   torch 1.13 F.interpolate as its CPU kernels compute it; uint8 input takes\n"
          "            torchvision's float round trip; -nofma: on a CPU without AVX2; -cl: on a\n"
          "            channels-last tensor (permuted from HWC without .contiguous()); -aa:\n"
          "            antialias=True (torchvision's Resize(antialias=True) on tensors)\n\n",
          f);
    const xa_op_info *in = xa_op_find("resize");
    fputs("options:\n", f);
    cli_op_help(f, in);
    fputs("  --json                   one JSON object describing what was done\n"
          "  --help                   this text\n",
          f);
}

int cmd_resize(int argc, char **argv) {
    int rc = XA_EXIT_OK, r, json = 0;
    cli_args a = CLI_ARGS(argc, argv, "resize");
    char **pos = a.pos;
    xa_op *op;
    xa_error err = {0};
    xa_status st = xa_op_new("resize", &op, &err);
    if (st) return cli_lib_error("resize", &err, st);
    while (!rc && cli_next(&a)) {
        if (!strcmp(a.opt, "--help") || !strcmp(a.opt, "-h")) {
            usage(stdout);
            xa_op_free(op);
            return XA_EXIT_OK;
        } else if (!strcmp(a.opt, "--json")) {
            json = 1;
        } else if ((r = cli_op_option(&a, op)) <= 0) {
            rc = r ? XA_EXIT_USAGE : cli_error("resize", "unknown option '%s' (see --help)", a.opt);
        }
    }
    if (!rc && !a.npos) {
        usage(stderr);
        rc = XA_EXIT_USAGE;
    } else if (!rc && a.npos != 2) {
        rc = cli_error("resize", "expected IN and OUT.npy, got %d argument%s", a.npos,
                       a.npos == 1 ? "" : "s");
    } else if (!rc && !xa_op_is_set(op, "method")) {
        rc = cli_error("resize", "--method is required (see --help)");
    } else if (!rc && !xa_op_is_set(op, "size")) {
        rc = cli_error("resize", "--size WxH is required");
    }
    if (rc) {
        xa_op_free(op);
        return rc;
    }
    xa_tensor *in = NULL, *out = NULL;
    st = xa_load(pos[0], &in, &err);
    const xa_tensor *ci = in;
    if (!st) {
        st = xa_op_run(op, &ci, 1, &out, &err);
        if (st) { /* name the input the operation refused */
            char m[XA_ERROR_MESSAGE_SIZE];
            snprintf(m, sizeof m, "%s", err.message);
            snprintf(err.message, sizeof err.message, "%s: %.400s", pos[0], m);
        }
    }
    if (!st) st = xa_npy_save(pos[1], out, &err);
    if (!st && json) {
        xa_op_report rep = {op, pos[0], in, pos[1], out, NULL};
        rc = cli_emit(xa_report_op_json(&rep), "resize");
    } else if (!st) {
        cli_report_written(pos[0], in, xa_op_describe(op), out, pos[1]);
    }
    xa_tensor_free(in);
    xa_tensor_free(out);
    xa_op_free(op);
    if (st) return cli_lib_error("resize", &err, st);
    return rc;
}
