/* xalign resize IN OUT.npy --method M --size WxH : one library's resize, bit for bit. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: xalign resize IN OUT.npy --method M --size WxH\n\n"
    "Resize an image exactly as the named library does. IN is a tensor spec (an .npy of\n"
    "H x W x C or H x W, uint8 or float32, or a JPEG/PNG decoded as RGB); OUT is written as .npy.\n"
    "WxH is width x height, as cv2.resize takes it.\n\n"
    "methods:\n"
    "  cv2-nearest cv2-nearest-exact cv2-linear cv2-linear-exact cv2-area cv2-cubic cv2-lanczos4\n"
    "                      OpenCV 4.6 cv2.resize with that interpolation\n"
    "  pil-nearest pil-box pil-bilinear pil-hamming pil-bicubic pil-lanczos\n"
    "                      Pillow 9.4 Image.resize (antialiased when shrinking); torchvision's\n"
    "                      Resize on a PIL image is pil-bilinear\n"
    "  torch-bilinear      torch 1.13 F.interpolate(bilinear, align_corners=False) as its AVX2\n"
    "                      kernel computes it; uint8 takes torchvision's round trip\n"
    "  torch-bilinear-nofma  the same on a CPU without AVX2\n\n"
    "options:\n"
    "  --method M          required\n"
    "  --size WxH          required\n"
    "  --help              this text\n";

int cmd_resize(int argc, char **argv) {
    int rc0;
    cli_args a = CLI_ARGS(argc, argv, "resize");
    char **pos = a.pos;
    const char *method = NULL, *size = NULL;
    while (cli_next(&a)) {
        if (!strcmp(a.opt, "--help") || !strcmp(a.opt, "-h")) {
            fputs(help, stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(a.opt, "--method")) {
            if (!(method = cli_value(&a))) return XA_EXIT_USAGE;
        } else if (!strcmp(a.opt, "--size")) {
            if (!(size = cli_value(&a))) return XA_EXIT_USAGE;
        } else {
            return cli_error("resize", "unknown option '%s' (see --help)", a.opt);
        }
    }
    if ((rc0 = cli_positionals(&a, 2, "IN and OUT.npy", help))) return rc0;
    if (!method) return cli_error("resize", "--method is required (see --help)");
    if (!size) return cli_error("resize", "--size WxH is required");
    xa_resize_method m;
    if (xa_resize_method_from_name(method, &m) != XA_OK)
        return cli_error("resize", "unknown method '%s' (see --help)", method);
    long long w, h;
    char tail;
    if (sscanf(size, "%lldx%lld%c", &w, &h, &tail) != 2 || w < 1 || h < 1)
        return cli_error("resize", "--size '%s' is not WIDTHxHEIGHT with positive numbers", size);
    xa_error err = {0};
    xa_tensor *in = NULL, *out = NULL;
    xa_status st = xa_load(pos[0], &in, &err);
    if (!st) st = xa_resize(in, w, h, m, &out, &err);
    if (!st) st = xa_npy_save(pos[1], out, &err);
    if (!st) {
        char what[96];
        snprintf(what, sizeof what, "%s %lldx%lld", method, w, h);
        cli_report_written(pos[0], in, what, out, pos[1]);
    }
    xa_tensor_free(in);
    xa_tensor_free(out);
    if (st) return cli_lib_error("resize", &err, st);
    return XA_EXIT_OK;
}
