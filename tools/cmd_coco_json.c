/* xalign coco-json DETS... : COCO results JSON from detection tensors, as Python writes it; and
 * xalign coco-json --check RESULTS.json : was a results file rounded as the seed rounds it? */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: xalign coco-json DETS... [options]\n"
    "       xalign coco-json --check RESULTS.json [--json]\n\n"
    "Write a COCO results file from detection tensors, byte for byte as Python's\n"
    "json.dump(list_of_dicts, f) writes it, with the seed's rounding (bbox round(x, 3), score\n"
    "round(s, 5): Python's round, half to even on the exact double) or without it.\n"
    "--check says whether a results file was rounded that way.\n\n"
    "DETS: .npy files of [N, 6] rows (one file per image) and/or folders of them; rows\n"
    "x1, y1, x2, y2, score, class (--format xywh: x, y, w, h, score, class). The image id is the\n"
    "file name (000000000139.npy is 139; other names are written as string ids, as YOLOv5 does)\n"
    "unless --image-ids gives one id per file, in the order given.\n\n"
    "options:\n"
    "  --image-ids 139,285,...  image ids of the DETS files, in order (not with folders)\n"
    "  --format xyxy|xywh       row layout (default xyxy)\n"
    "  --box seed|yolov5        xyxy -> xywh: seed [x1, y1, x2 - x1, y2 - y1] in double\n"
    "                           (default), or YOLOv5 save_one_json's float32 xyxy2xywh then\n"
    "                           xy -= wh / 2\n"
    "  --no-round               write every value unrounded (Python's repr of the double)\n"
    "  --category-map coco80|none  class -> category_id: coco80 maps 0..79 to COCO's ids 1..90\n"
    "                           (default), none writes the class as it is\n"
    "  --output FILE, -o FILE   write there (default: standard output)\n"
    "  --check FILE             report whether FILE's boxes have at most 3 decimals and its\n"
    "                           scores at most 5 (exit 0 rounded, 1 not)\n"
    "  --json                   with --check: one JSON object\n"
    "  --help                   this text\n\n"
    "exit: 0 written (or rounded), 1 --check found unrounded values, 2 usage or input error\n";

static int check_file(const char *path, int json) {
    xa_error err = {0};
    xa_dets *d;
    xa_status st = xa_coco_results_load(path, NULL, &d, &err);
    if (st) return cli_lib_error("coco-json", &err, st);
    xa_rounding_check c;
    xa_rounding_check_run(d, &c);
    int rc =
        cli_emit(json ? xa_report_rounding_json(path, &c) : xa_report_rounding_text(path, d, &c),
                 "coco-json");
    xa_dets_free(d);
    if (rc) return rc;
    return c.rounded ? XA_EXIT_OK : XA_EXIT_UNALIGNED;
}

/* Parse "139,285,..." into ids. */
static int parse_ids(const char *s, int64_t **ids, size_t *n) {
    size_t cap = 16;
    *n = 0;
    *ids = malloc(cap * sizeof **ids);
    if (!*ids) return -1;
    while (*s) {
        char *e;
        long long v = strtoll(s, &e, 10);
        if (e == s || (*e && *e != ',')) return -1;
        if (*n == cap) {
            int64_t *p = realloc(*ids, cap * 2 * sizeof *p);
            if (!p) return -1;
            *ids = p;
            cap *= 2;
        }
        (*ids)[(*n)++] = v;
        s = *e ? e + 1 : e;
    }
    return *n ? 0 : -1;
}

/* Append the detections of `more` to `all` (images renumbered); frees `more`. */
static int append_dets(xa_dets **all, xa_dets *more) {
    if (!*all) {
        *all = more;
        return 0;
    }
    xa_dets *d = *all;
    xa_det *items = realloc(d->items, (d->count + more->count + 1) * sizeof *items);
    if (!items) return -1;
    d->items = items;
    xa_det_image *ims = realloc(d->images, (d->nimages + more->nimages + 1) * sizeof *ims);
    if (!ims) return -1;
    d->images = ims;
    for (size_t i = 0; i < more->count; i++) {
        d->items[d->count + i] = more->items[i];
        d->items[d->count + i].image += d->nimages;
    }
    for (size_t i = 0; i < more->nimages; i++) d->images[d->nimages + i] = more->images[i];
    d->count += more->count;
    d->nimages += more->nimages;
    more->nimages = 0; /* names moved */
    xa_dets_free(more);
    return 0;
}

int cmd_coco_json(int argc, char **argv) {
    cli_args a = CLI_ARGS(argc, argv, "coco-json");
    xa_coco_write_options wo;
    xa_coco_write_options_init(&wo);
    xa_box_format fmt = XA_BOX_XYXY;
    const char *ids_arg = NULL, *out = NULL, *check = NULL, *v;
    int json = 0, r;
    while (cli_next(&a)) {
        const char *o = a.opt;
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(help, stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(o, "--json")) {
            json = 1;
        } else if (!strcmp(o, "--no-round")) {
            wo.round = 0;
        } else if (!strcmp(o, "--check")) {
            if (!(check = cli_value(&a))) return XA_EXIT_USAGE;
        } else if (!strcmp(o, "--image-ids")) {
            if (!(ids_arg = cli_value(&a))) return XA_EXIT_USAGE;
        } else if (!strcmp(o, "--output") || !strcmp(o, "-o")) {
            if (!(out = cli_value(&a))) return XA_EXIT_USAGE;
        } else if ((r = cli_dets_option(&a, &fmt, &wo.categories)) != 0) {
            if (r < 0) return XA_EXIT_USAGE;
        } else if (!strcmp(o, "--box")) {
            if (!(v = cli_value(&a))) return XA_EXIT_USAGE;
            if (!strcmp(v, "seed"))
                wo.xyxy = XA_XYWH_SEED;
            else if (!strcmp(v, "yolov5"))
                wo.xyxy = XA_XYWH_YOLOV5;
            else
                return cli_error("coco-json", "--box must be seed or yolov5, not '%s'", v);
        } else {
            return cli_error("coco-json", "unknown option '%s' (see --help)", o);
        }
    }
    if (check) {
        if (a.npos) return cli_error("coco-json", "--check takes one file and no DETS");
        return check_file(check, json);
    }
    if (json)
        return cli_error("coco-json", "--json goes with --check (the output is JSON already)");
    if (!a.npos) {
        fputs(help, stderr);
        return XA_EXIT_USAGE;
    }
    int64_t *ids = NULL;
    size_t nids = 0;
    if (ids_arg && parse_ids(ids_arg, &ids, &nids)) {
        free(ids);
        return cli_error("coco-json", "--image-ids: '%s' is not a comma-separated list of ids",
                         ids_arg);
    }
    if (ids && nids != (size_t)a.npos) {
        free(ids);
        return cli_error("coco-json", "--image-ids gives %zu ids for %d files", nids, a.npos);
    }
    xa_dets *all = NULL;
    int rc = XA_EXIT_OK;
    for (int i = 0; i < a.npos && !rc; i++) {
        xa_error err = {0};
        xa_dets *d;
        xa_status st = xa_dets_load_npy(a.pos[i], fmt, &d, &err);
        if (st) {
            rc = cli_lib_error("coco-json", &err, st);
            break;
        }
        if (ids) {
            if (d->nimages != 1) {
                xa_dets_free(d);
                rc = cli_error("coco-json",
                               "%s: --image-ids names one image per file; this is a "
                               "folder of %zu",
                               a.pos[i], d->nimages);
                break;
            }
            d->images[0].has_id = 1;
            d->images[0].id = ids[i];
        }
        if (append_dets(&all, d)) {
            xa_dets_free(d);
            rc = cli_error("coco-json", "out of memory");
        }
    }
    free(ids);
    if (!rc) {
        xa_error err = {0};
        char *s;
        size_t n;
        xa_status st = xa_coco_results_encode(all, &wo, &s, &n, &err);
        if (st) {
            rc = cli_lib_error("coco-json", &err, st);
        } else if (out) {
            FILE *f = fopen(out, "wb");
            int bad = !f || fwrite(s, 1, n, f) != n;
            if (f && fclose(f) != 0) bad = 1;
            if (bad)
                rc = cli_error("coco-json", "%s: cannot write", out);
            else {
                /* a file without detections writes nothing: count the images the output holds */
                size_t with = 0;
                unsigned char *seen = calloc(all->nimages + 1, 1);
                for (size_t k = 0; seen && k < all->count; k++) {
                    with += !seen[all->items[k].image];
                    seen[all->items[k].image] = 1;
                }
                free(seen);
                char files[96] = "";
                if (with != all->nimages)
                    snprintf(files, sizeof files, " (%zu files, %zu without detections)",
                             all->nimages, all->nimages - with);
                fprintf(
                    stderr, "wrote %zu detections of %zu images%s to %s (%s; category ids %s)\n",
                    all->count, with, files, out,
                    wo.round ? "rounded: bbox 3 decimals, score 5 decimals" : "not rounded",
                    wo.categories == XA_CATEGORY_COCO80 ? "from classes 0..79 by the 80 -> 91 map"
                                                        : "as the classes");
            }
            xa_free(s);
        } else {
            fwrite(s, 1, n, stdout);
            xa_free(s);
        }
    }
    xa_dets_free(all);
    return rc;
}
