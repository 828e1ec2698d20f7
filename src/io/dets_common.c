/* Detection sets: the builder every reader fills, freeing, and the COCO 80 -> 91 ids. */
#include "results_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int xa_grow(void **p, size_t *cap, size_t n, size_t es) {
    if (n < *cap) return 0;
    size_t c = *cap ? *cap * 2 : 64;
    while (c <= n) c *= 2;
    if (c > SIZE_MAX / es) return -1;
    void *q = realloc(*p, c * es);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

int xa_digits_value(const char *s, size_t n, int64_t *v) {
    if (n == 0 || n > 18) return 0;
    int64_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        r = r * 10 + (s[i] - '0');
    }
    *v = r;
    return 1;
}

int xa_jnum_to_id(const xa_jnum *n, int64_t *out) {
    if (n->is_int) {
        *out = n->i;
        return 1;
    }
    double v = n->v;
    if (!isfinite(v) || v != floor(v) || fabs(v) > 9007199254740992.0) return 0;
    *out = (int64_t)v;
    return 1;
}

xa_status xa_dets_builder_init(xa_dets_builder *b, xa_dets_source src, xa_box_format fmt,
                               xa_error *err) {
    memset(b, 0, sizeof *b);
    b->d = calloc(1, sizeof *b->d);
    if (!b->d) return xa_fail(err, XA_ENOMEM, "out of memory");
    b->d->source = src;
    b->d->format = fmt;
    return XA_OK;
}

static size_t add_image(xa_dets_builder *b, int has_id, int64_t id, const char *name, size_t len) {
    xa_dets *d = b->d;
    if (xa_grow((void **)&d->images, &b->cap_images, d->nimages, sizeof *d->images))
        return SIZE_MAX;
    xa_det_image *im = &d->images[d->nimages];
    memset(im, 0, sizeof *im);
    im->has_id = has_id;
    im->id = id;
    if (name) {
        im->name = malloc(len + 1);
        if (!im->name) return SIZE_MAX;
        memcpy(im->name, name, len);
        im->name[len] = 0;
    }
    return d->nimages++;
}

size_t xa_dets_builder_image_id(xa_dets_builder *b, int64_t id) {
    size_t v = xa_imap_get(&b->by_id, id);
    if (v != SIZE_MAX) return v;
    size_t idx = add_image(b, 1, id, NULL, 0);
    if (idx == SIZE_MAX || xa_imap_put(&b->by_id, id, idx, NULL) < 0) return SIZE_MAX;
    return idx;
}

size_t xa_dets_builder_image_name(xa_dets_builder *b, const char *name, size_t len,
                                  int digits_are_id) {
    int64_t id;
    if (digits_are_id && xa_digits_value(name, len, &id)) {
        size_t v = xa_imap_get(&b->by_id, id);
        if (v != SIZE_MAX) return v;
        size_t idx = add_image(b, 1, id, name, len);
        if (idx == SIZE_MAX || xa_imap_put(&b->by_id, id, idx, NULL) < 0) return SIZE_MAX;
        return idx;
    }
    size_t v = xa_smap_get(&b->by_name, name, len);
    if (v != SIZE_MAX) return v;
    size_t idx = add_image(b, 0, 0, name, len);
    if (idx == SIZE_MAX) return SIZE_MAX;
    const char *key = b->d->images[idx].name;
    if (xa_smap_put(&b->by_name, key, len, idx, NULL) < 0) return SIZE_MAX;
    return idx;
}

xa_det *xa_dets_builder_push(xa_dets_builder *b) {
    xa_dets *d = b->d;
    if (d->count >= XA_DETS_MAX_COUNT) return NULL;
    if (xa_grow((void **)&d->items, &b->cap_items, d->count, sizeof *d->items)) return NULL;
    xa_det *x = &d->items[d->count++];
    memset(x, 0, sizeof *x);
    return x;
}

xa_dets *xa_dets_builder_take(xa_dets_builder *b) {
    xa_dets *d = b->d;
    b->d = NULL;
    xa_imap_clear(&b->by_id);
    xa_smap_clear(&b->by_name);
    return d;
}

void xa_dets_builder_abort(xa_dets_builder *b) {
    xa_dets_free(xa_dets_builder_take(b));
}

void xa_dets_free(xa_dets *d) {
    if (!d) return;
    for (size_t i = 0; i < d->nimages; i++) free(d->images[i].name);
    free(d->images);
    free(d->items);
    free(d);
}

/* YOLOv5 utils/general.py coco80_to_coco91_class(): the ids of COCO's 80 used categories
 * among its 91 (paper) ids. */
static const unsigned char coco91[80] = {
    1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21,
    22, 23, 24, 25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44,
    46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65,
    67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90};

int xa_coco80_to_91(int64_t cls) {
    return cls >= 0 && cls < 80 ? coco91[cls] : -1;
}
