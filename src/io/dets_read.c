/* Detection tensors: one .npy per image ([N, 6] rows), a folder of them, and the dispatcher that
 * tells a COCO results file, an .npy file and a folder apart. */
#include "results_internal.h"
#include "xalign/io.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Rows of one tensor into image `image`. `label` names the tensor in messages. */
static xa_status add_rows(xa_dets_builder *b, const xa_tensor *t, const char *label, size_t image,
                          xa_error *err) {
    int64_t n = 0, cols = 0;
    if (t->rank == 2) {
        n = t->shape[0];
        cols = t->shape[1];
    } else if (t->rank == 3 && t->shape[0] == 1) {
        n = t->shape[1];
        cols = t->shape[2];
    } else if (xa_tensor_count(t) == 0) {
        return XA_OK; /* np.zeros(0) and the like: no detections */
    } else {
        char s[96];
        return xa_fail(err, XA_ESHAPE,
                       "%s: detections must be [N, 6] or [1, N, 6] (rows x1, y1, x2, y2, score, "
                       "class), found %s %s",
                       label, xa_dtype_name(t->dtype),
                       xa_shape_format(t->rank, t->shape, s, sizeof s));
    }
    if (cols != 6 && n > 0) {
        char s[96];
        return xa_fail(err, XA_ESHAPE,
                       "%s: detection rows must have 6 columns (x1, y1, x2, y2, score, class), "
                       "found %s",
                       label, xa_shape_format(t->rank, t->shape, s, sizeof s));
    }
    if (t->dtype == XA_BOOL)
        return xa_fail(err, XA_EUNSUPPORTED, "%s: a bool tensor holds no detections", label);
    int xyxy = b->d->format == XA_BOX_XYXY;
    for (int64_t r = 0; r < n; r++) {
        double v[6];
        for (int c = 0; c < 6; c++)
            v[c] = xa_tensor_get(t, t->fortran_order ? c * n + r : r * 6 + c);
        for (int c = 0; c < 6; c++)
            if (!isfinite(v[c]))
                return xa_fail(err, XA_EFORMAT, "%s: row %lld: %s is %s", label, (long long)r,
                               c == 4   ? "the score"
                               : c == 5 ? "the class"
                                        : "a box value",
                               isnan(v[c]) ? "NaN" : "infinite");
        if (xyxy && (v[2] < v[0] || v[3] < v[1]))
            return xa_fail(err, XA_EFORMAT,
                           "%s: row %lld: x2 < x1 or y2 < y1 (a negative size: [%.9g, %.9g, %.9g, "
                           "%.9g]; rows are x1, y1, x2, y2, score, class%s)",
                           label, (long long)r, v[0], v[1], v[2], v[3],
                           " -- use --format xywh for x, y, w, h");
        if (!xyxy && (v[2] < 0 || v[3] < 0))
            return xa_fail(err, XA_EFORMAT, "%s: row %lld: a negative width or height (%.9g, %.9g)",
                           label, (long long)r, v[2], v[3]);
        if (v[5] < 0 || v[5] != floor(v[5]) || v[5] > 2147483647.0)
            return xa_fail(err, XA_EFORMAT,
                           "%s: row %lld: class %.9g is not a class index (a whole number >= 0)",
                           label, (long long)r, v[5]);
        xa_det *d = xa_dets_builder_push(b);
        if (!d) return xa_fail(err, XA_ENOMEM, "%s: out of memory (or too many detections)", label);
        d->image = image;
        memcpy(d->box, v, sizeof d->box);
        d->score = v[4];
        d->category_id = (int64_t)v[5];
    }
    return XA_OK;
}

/* The file name without folders and without ".npy". */
static void stem_of(const char *path, const char **s, size_t *n) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t len = strlen(b);
    if (len > 4 && !strcmp(b + len - 4, ".npy")) len -= 4;
    *s = b;
    *n = len;
}

xa_status xa_dets_from_tensor(const xa_tensor *t, xa_box_format format, const char *name,
                              xa_dets **out, xa_error *err) {
    *out = NULL;
    xa_dets_builder b;
    xa_status st = xa_dets_builder_init(&b, XA_DETS_TENSOR, format, err);
    if (st) return st;
    const char *nm = name && *name ? name : "tensor";
    size_t im = xa_dets_builder_image_name(&b, nm, strlen(nm), 1);
    if (im == SIZE_MAX) {
        xa_dets_builder_abort(&b);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    if ((st = add_rows(&b, t, nm, im, err))) {
        xa_dets_builder_abort(&b);
        return st;
    }
    *out = xa_dets_builder_take(&b);
    return XA_OK;
}

static xa_status add_file(xa_dets_builder *b, const char *path, xa_error *err) {
    const char *s;
    size_t n;
    stem_of(path, &s, &n);
    size_t before = b->d->nimages;
    size_t im = xa_dets_builder_image_name(b, s, n, 1);
    if (im == SIZE_MAX) return xa_fail(err, XA_ENOMEM, "out of memory");
    if (im < before) { /* 139.npy after 000000000139.npy: two files of one image */
        const xa_det_image *o = &b->d->images[im];
        return xa_fail(err, XA_EFORMAT,
                       "%s: %.*s%s.npy is image %lld too (a file name of digits is the image id, "
                       "as YOLOv5's int(path.stem)): two files for one image; remove or rename "
                       "one",
                       path, (int)(s - path), path, o->name ? o->name : "", (long long)o->id);
    }
    xa_tensor *t;
    xa_status st = xa_npy_load(path, &t, err);
    if (st) return st;
    st = add_rows(b, t, path, im, err);
    xa_tensor_free(t);
    return st;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static xa_status load_folder(xa_dets_builder *b, const char *dir, xa_error *err) {
    DIR *d = opendir(dir);
    if (!d) return xa_fail(err, XA_EIO, "%s: cannot open the folder: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    xa_status st = XA_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len <= 4 || strcmp(e->d_name + len - 4, ".npy")) continue;
        if (n >= XA_DETS_MAX_FILES) {
            st = xa_fail(err, XA_ELIMIT, "%s: more than %u .npy files", dir, XA_DETS_MAX_FILES);
            break;
        }
        if (xa_grow((void **)&names, &cap, n, sizeof *names) ||
            !(names[n] = xa_strdup(e->d_name))) {
            st = xa_fail(err, XA_ENOMEM, "out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (!st && n == 0)
        st = xa_fail(err, XA_ENOTFOUND,
                     "%s: no .npy files (one file of detections per image, named after it)", dir);
    if (!st) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && !st; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *p = malloc(len);
        if (!p) {
            st = xa_fail(err, XA_ENOMEM, "out of memory");
            break;
        }
        snprintf(p, len, "%s/%s", dir, names[i]);
        st = add_file(b, p, err);
        free(p);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return st;
}

xa_status xa_dets_load_npy(const char *path, xa_box_format format, xa_dets **out, xa_error *err) {
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0) return xa_fail(err, XA_EIO, "%s: %s", path, strerror(errno));
    xa_dets_builder b;
    xa_status st = xa_dets_builder_init(&b, XA_DETS_NPY, format, err);
    if (st) return st;
    st = S_ISDIR(sb.st_mode) ? load_folder(&b, path, err) : add_file(&b, path, err);
    if (st) {
        xa_dets_builder_abort(&b);
        return st;
    }
    *out = xa_dets_builder_take(&b);
    return XA_OK;
}

xa_status xa_dets_load(const char *path, xa_box_format npy_format, xa_dets **out, xa_error *err) {
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0) return xa_fail(err, XA_EIO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode)) return xa_dets_load_npy(path, npy_format, out, err);
    unsigned char head[64];
    FILE *f = xa_fopen_regular(path, err);
    if (!f) return XA_EIO;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n >= 6 && !memcmp(head, "\x93NUMPY", 6))
        return xa_dets_load_npy(path, npy_format, out, err);
    size_t i = 0;
    if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) i = 3;
    while (i < n && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t')) i++;
    if (i < n && (head[i] == '[' || head[i] == '{'))
        return xa_coco_results_load(path, NULL, out, err);
    if (n == 0) return xa_fail(err, XA_EFORMAT, "%s: empty file", path);
    return xa_fail(err, XA_EFORMAT,
                   "%s: not a COCO results file (JSON list), an .npy file or a folder of .npy "
                   "files",
                   path);
}
