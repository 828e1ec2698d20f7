/* xalign decode IN OUT.npy --like cv2|pil : decode an image exactly as cv2.imread or PIL does. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: xalign decode IN OUT.npy --like cv2|pil [--gray] [--variant V[,V]]\n"
    "                     [--ignore-orientation] [--json]\n\n"
    "Decode a JPEG or PNG into the H x W x C uint8 array the named library returns, write it as\n"
    ".npy and print the decoder settings used.\n\n"
    "  --like cv2            cv2.imread(IN) of OpenCV 4.6: BGR, EXIF orientation applied\n"
    "  --like pil            Image.open(IN).convert('RGB') of Pillow 9.4: RGB, orientation not\n"
    "                        applied\n"
    "  --gray                cv2.IMREAD_GRAYSCALE, or .convert('L') (C = 1)\n"
    "  --ignore-orientation  cv2.IMREAD_IGNORE_ORIENTATION (cv2 only)\n"
    "  --variant V           JPEG decoder settings the libraries do not use by default, to model\n"
    "                        other decoders (repeat or separate with commas):\n"
    "                          no-fancy  nearest chroma upsampling (do_fancy_upsampling = FALSE),\n"
    "                                    the closest software model of hardware JPEG units\n"
    "                                    such as the Sophon JPU\n"
    "                          ifast     JDCT_IFAST integer DCT (what PIL's draft mode uses)\n"
    "                          float     JDCT_FLOAT DCT\n"
    "  --json                print the settings as one JSON object\n"
    "  --help                this text\n\n"
    "Truncated JPEGs: cv2 decodes what is there (the rest flat grey) and only warns; PIL raises.\n"
    "The same happens here: --like cv2 succeeds and reports the warning, --like pil fails.\n";

/* Apply one --variant value (possibly a comma list) to the options. */
static int add_variants(const char *list, xa_decode_options *o, int *dct_set) {
    char buf[256];
    if (strlen(list) >= sizeof buf) return cli_error("decode", "--variant value too long");
    strcpy(buf, list);
    for (char *save = NULL, *v = strtok_r(buf, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
        if (!strcmp(v, "no-fancy")) {
            o->fancy_upsampling = 0;
            continue;
        }
        xa_dct_method m;
        if (!strcmp(v, "ifast"))
            m = XA_DCT_IFAST;
        else if (!strcmp(v, "float"))
            m = XA_DCT_FLOAT;
        else
            return cli_error("decode", "unknown variant '%s' (no-fancy, ifast, float)", v);
        if (*dct_set && o->dct != m)
            return cli_error("decode", "--variant ifast and float exclude each other");
        o->dct = m;
        *dct_set = 1;
    }
    return XA_EXIT_OK;
}

int cmd_decode(int argc, char **argv) {
    int rc0;
    cli_args a = CLI_ARGS(argc, argv, "decode");
    char **pos = a.pos;
    xa_decode_options o;
    xa_decode_options_init(&o);
    const char *like = NULL;
    int json = 0, dct_set = 0, rc;
    while (cli_next(&a)) {
        if (!strcmp(a.opt, "--help") || !strcmp(a.opt, "-h")) {
            fputs(help, stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(a.opt, "--like")) {
            if (!(like = cli_value(&a))) return XA_EXIT_USAGE;
        } else if (!strcmp(a.opt, "--gray")) {
            o.gray = 1;
        } else if (!strcmp(a.opt, "--ignore-orientation")) {
            o.ignore_orientation = 1;
        } else if (!strcmp(a.opt, "--variant")) {
            const char *v = cli_value(&a);
            if (!v) return XA_EXIT_USAGE;
            if ((rc = add_variants(v, &o, &dct_set))) return rc;
        } else if (!strcmp(a.opt, "--json")) {
            json = 1;
        } else {
            return cli_error("decode", "unknown option '%s' (see --help)", a.opt);
        }
    }
    if ((rc0 = cli_positionals(&a, 2, "IN and OUT.npy", help))) return rc0;
    if (!like) return cli_error("decode", "--like cv2|pil is required");
    if (!strcmp(like, "cv2"))
        o.like = XA_DECODE_CV2;
    else if (!strcmp(like, "pil"))
        o.like = XA_DECODE_PIL;
    else
        return cli_error("decode", "--like '%s': expected cv2 or pil", like);
    if (o.ignore_orientation && o.like != XA_DECODE_CV2)
        return cli_error("decode", "--ignore-orientation is a cv2 flag; PIL never applies the "
                                   "EXIF orientation");

    xa_error err = {0};
    xa_tensor *t = NULL;
    xa_decode_info info;
    xa_status st = xa_image_decode(pos[0], &o, &t, &info, &err);
    if (!st) st = xa_npy_save(pos[1], t, &err);
    if (st) {
        xa_tensor_free(t);
        return cli_lib_error("decode", &err, st);
    }
    xa_decode_report r = {pos[0], pos[1], &o, &info, t};
    rc = cli_emit(json ? xa_report_decode_json(&r) : xa_report_decode_text(&r), "decode");
    xa_tensor_free(t);
    return rc;
}
