/* COCO results files and COCO ground truth (instances.json), through the pull parser: one pass,
 * no tree, every value checked where it is read. Messages name the entry (its index, and its
 * id once known), the byte offset and the line. */
#define _GNU_SOURCE /* memmem */
#include "results_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Map a file (read small ones) for parsing. */
static xa_status map_json(const char *path, xa_file *f, xa_error *err) {
    return xa_file_open(path, (size_t)1 << 16, f, err);
}

/* What the start of a document looks like, for a message that says what the file is. */
static const char *object_kind(const unsigned char *p, const unsigned char *e) {
    /* a COCO ground truth names "images"/"annotations"/"categories" early */
    size_t n = (size_t)(e - p) < 4096 ? (size_t)(e - p) : 4096;
    if (memmem(p, n, "\"annotations\"", 13) || memmem(p, n, "\"images\"", 8) ||
        memmem(p, n, "\"categories\"", 12) || memmem(p, n, "\"info\"", 6))
        return "it holds an object like a COCO ground-truth file (use it as --gt)";
    return "it holds an object";
}

/* ---- values (messages take the entry and key from the reader's context) ------------------- */
/* A bbox: exactly four finite numbers; *at is where it starts. */
static int read_bbox(xa_jr *j, double box[4], size_t *at) {
    xa_jr_key(j, "bbox", -1);
    *at = xa_jr_value_offset(j);
    if (xa_jr_peek(j) != XA_J_ARRAY) {
        if (j->st) return -1;
        return xa_jr_fail_at(j, *at, XA_EFORMAT, "bbox must be a list of 4 numbers [x, y, w, h]");
    }
    xa_jr_array(j);
    int r;
    uint64_t i = 0;
    for (; (r = xa_jr_next_elem(j, i)) == 1; i++) {
        if (i >= 4) {
            xa_jr_key(j, "bbox", -1);
            return xa_jr_fail_at(j, *at, XA_EFORMAT, "bbox has more than 4 values");
        }
        xa_jnum n;
        size_t vat = xa_jr_value_offset(j);
        xa_jr_key(j, "bbox", (int)i);
        if (xa_jr_number(j, &n, NULL)) return -1;
        if (!isfinite(n.v))
            return xa_jr_fail_at(j, vat, XA_EFORMAT, "bbox[%d] is %s", (int)i,
                                 isnan(n.v) ? "NaN" : "infinite");
        box[i] = n.v;
    }
    xa_jr_key(j, "bbox", -1);
    if (r < 0) return -1;
    if (i != 4)
        return xa_jr_fail_at(j, *at, XA_EFORMAT, "bbox has %d values, not 4 (x, y, w, h)", (int)i);
    xa_jr_key(j, NULL, -1);
    return 0;
}

static int check_wh(xa_jr *j, const double box[4], size_t at) {
    xa_jr_key(j, NULL, -1);
    if (box[2] < 0) return xa_jr_fail_at(j, at, XA_EFORMAT, "bbox width %.17g is negative", box[2]);
    if (box[3] < 0)
        return xa_jr_fail_at(j, at, XA_EFORMAT, "bbox height %.17g is negative", box[3]);
    return 0;
}

/* A whole-number id under `key`. */
static int read_id(xa_jr *j, int64_t *out, const char *key) {
    xa_jnum n;
    xa_jr_key(j, key, -1);
    size_t at = xa_jr_value_offset(j);
    if (xa_jr_number(j, &n, NULL)) return -1;
    if (!xa_jnum_to_id(&n, out))
        return xa_jr_fail_at(j, at, XA_EFORMAT, "%s must be a whole number, found %.17g", key, n.v);
    xa_jr_key(j, NULL, -1);
    return 0;
}

/* A finite number under `key`. */
static int read_finite(xa_jr *j, double *out, const char *key) {
    xa_jnum n;
    xa_jr_key(j, key, -1);
    size_t at = xa_jr_value_offset(j);
    if (xa_jr_number(j, &n, NULL)) return -1;
    if (!isfinite(n.v))
        return xa_jr_fail_at(j, at, XA_EFORMAT, "%s is %s", key, isnan(n.v) ? "NaN" : "infinite");
    *out = n.v;
    xa_jr_key(j, NULL, -1);
    return 0;
}

/* ---- results --------------------------------------------------------------------------- */
enum { HAS_IMAGE = 1, HAS_CAT = 2, HAS_BBOX = 4, HAS_SCORE = 8 };

xa_status xa_coco_results_parse(const void *buf, size_t size, const char *name,
                                const xa_json_limits *lim, xa_dets **out, xa_error *err) {
    *out = NULL;
    xa_jr j;
    xa_status st = xa_jr_init(&j, buf, size, name, lim, err);
    if (st) return st;
    xa_dets_builder b;
    if ((st = xa_dets_builder_init(&b, XA_DETS_COCO_JSON, XA_BOX_XYWH, err))) {
        xa_jr_done(&j);
        return st;
    }
    char *name_copy = NULL;
    xa_jtype t = xa_jr_peek(&j);
    if (t != XA_J_ARRAY) {
        if (t == XA_J_OBJECT)
            xa_jr_fail_at(&j, xa_jr_offset(&j), XA_EFORMAT,
                          "not a COCO results file: that is a JSON list of detections, and %s",
                          object_kind(j.p, j.end));
        else if (t == XA_J_EOF)
            xa_jr_fail_at(&j, 0, XA_EFORMAT, "empty file (a COCO results file is a JSON list)");
        else if (t != XA_J_ERROR)
            xa_jr_fail_at(&j, xa_jr_offset(&j), XA_EFORMAT,
                          "not a COCO results file: that is a JSON list of detections");
        goto fail;
    }
    xa_jr_array(&j);
    int r;
    for (uint64_t i = 0; (r = xa_jr_next_elem(&j, i)) == 1; i++) {
        size_t at = xa_jr_value_offset(&j);
        xa_jr_entry(&j, "entry", i);
        if (xa_jr_peek(&j) != XA_J_OBJECT) {
            if (!j.st)
                xa_jr_fail_at(&j, at, XA_EFORMAT,
                              "not an object {\"image_id\", \"category_id\", \"bbox\", "
                              "\"score\"}");
            goto fail;
        }
        xa_jr_object(&j);
        unsigned have = 0;
        int img_is_name = 0;
        int64_t img = 0, cat = 0;
        double box[4] = {0}, score = 0;
        size_t at_box = at, name_len = 0;
        xa_jstr key, sname;
        for (uint64_t k = 0; (r = xa_jr_next_key(&j, k, &key)) == 1; k++) {
            if (xa_jkey(&key, "image_id")) {
                if (xa_jr_peek(&j) == XA_J_STRING) {
                    xa_jr_key(&j, "image_id", -1);
                    if (xa_jr_string(&j, &sname, NULL)) goto fail;
                    j.ctx.idstr = NULL;
                    free(name_copy);
                    if (!(name_copy = malloc(sname.n + 1))) {
                        xa_jr_fail_at(&j, at, XA_ENOMEM, "out of memory");
                        goto fail;
                    }
                    memcpy(name_copy, sname.s, sname.n);
                    name_copy[sname.n] = 0;
                    name_len = sname.n;
                    img_is_name = 1;
                    j.ctx.idstr = name_copy;
                } else {
                    if (read_id(&j, &img, "image_id")) goto fail;
                    img_is_name = 0;
                    j.ctx.idstr = NULL;
                    j.ctx.id = img;
                }
                j.ctx.idkey = "image_id";
                xa_jr_key(&j, NULL, -1);
                have |= HAS_IMAGE;
            } else if (xa_jkey(&key, "category_id")) {
                if (read_id(&j, &cat, "category_id")) goto fail;
                have |= HAS_CAT;
            } else if (xa_jkey(&key, "bbox")) {
                if (read_bbox(&j, box, &at_box)) goto fail;
                have |= HAS_BBOX;
            } else if (xa_jkey(&key, "score")) {
                if (read_finite(&j, &score, "score")) goto fail;
                have |= HAS_SCORE;
            } else if (xa_jr_skip(&j)) {
                goto fail;
            }
        }
        if (r < 0) goto fail;
        if (have != (HAS_IMAGE | HAS_CAT | HAS_BBOX | HAS_SCORE)) {
            const char *k = !(have & HAS_IMAGE)  ? "image_id"
                            : !(have & HAS_CAT)  ? "category_id"
                            : !(have & HAS_BBOX) ? "bbox"
                                                 : "score";
            xa_jr_fail_at(&j, at, XA_EFORMAT,
                          "no \"%s\" (a COCO result needs image_id, category_id, bbox and score)",
                          k);
            goto fail;
        }
        if (check_wh(&j, box, at_box)) goto fail;
        size_t im = img_is_name ? xa_dets_builder_image_name(&b, name_copy, name_len, 0)
                                : xa_dets_builder_image_id(&b, img);
        xa_det *d = im == SIZE_MAX ? NULL : xa_dets_builder_push(&b);
        if (!d) {
            int lim_hit = b.d->count >= XA_DETS_MAX_COUNT;
            xa_jr_fail_at(&j, at, lim_hit ? XA_ELIMIT : XA_ENOMEM, "%s",
                          lim_hit ? "too many detections" : "out of memory");
            goto fail;
        }
        d->image = im;
        d->category_id = cat;
        memcpy(d->box, box, sizeof box);
        d->score = score;
        xa_jr_entry(&j, NULL, 0); /* the context may name name_copy */
        free(name_copy);
        name_copy = NULL;
    }
    xa_jr_entry(&j, NULL, 0);
    if (r < 0 || xa_jr_finish(&j)) goto fail;
    xa_jr_done(&j);
    *out = xa_dets_builder_take(&b);
    return XA_OK;
fail:
    j.ctx.idstr = NULL;
    free(name_copy);
    st = j.st ? j.st : XA_EFORMAT;
    xa_jr_done(&j);
    xa_dets_builder_abort(&b);
    return st;
}

xa_status xa_coco_results_load(const char *path, const xa_json_limits *lim, xa_dets **out,
                               xa_error *err) {
    xa_file f;
    *out = NULL;
    xa_status st = map_json(path, &f, err);
    if (st) return st;
    st = xa_coco_results_parse(f.data, f.size, path, lim, out, err);
    xa_file_close(&f);
    return st;
}

/* ---- ground truth ------------------------------------------------------------------------ */
typedef struct gt_build {
    xa_coco_gt *gt;
    size_t cap_images, cap_anns, cap_cats;
    size_t *ann_at; /* byte offset of each annotation, for messages after the parse */
    size_t cap_at;
} gt_build;

void xa_coco_gt_free(xa_coco_gt *gt) {
    if (!gt) return;
    for (size_t i = 0; i < gt->ncats; i++) free(gt->cats[i].name);
    free(gt->images);
    free(gt->anns);
    free(gt->cats);
    free(gt);
}

static int oom(xa_jr *j) {
    return xa_jr_fail_at(j, xa_jr_offset(j), XA_ENOMEM, "out of memory");
}

/* The value of a ground truth's list key: '[' consumed (0), or -1. */
static int begin_list(xa_jr *j, const char *key) {
    if (xa_jr_peek(j) == XA_J_ARRAY) return xa_jr_array(j);
    if (j->st) return -1;
    return xa_jr_fail_at(j, xa_jr_offset(j), XA_EFORMAT, "\"%s\" must be a list", key);
}

/* Before entry i of list `list`: 1 with the entry's '{' consumed, the context naming it and *at
 * its offset; 0 at the end of the list (the context cleared); -1 on error. */
static int next_entry(xa_jr *j, const char *list, uint64_t i, size_t *at) {
    int r = xa_jr_next_elem(j, i);
    if (r <= 0) {
        if (r == 0) xa_jr_entry(j, NULL, 0);
        return r;
    }
    *at = xa_jr_value_offset(j);
    xa_jr_entry(j, list, i);
    if (xa_jr_peek(j) == XA_J_OBJECT) return xa_jr_object(j) ? -1 : 1;
    if (j->st) return -1;
    return xa_jr_fail_at(j, *at, XA_EFORMAT, "not an object");
}

static int parse_images(xa_jr *j, gt_build *g) {
    xa_coco_gt *gt = g->gt;
    gt->nimages = 0; /* a repeated key: the last one counts, as in Python's json */
    if (begin_list(j, "images")) return -1;
    int r;
    size_t at;
    for (uint64_t i = 0; (r = next_entry(j, "images", i, &at)) == 1; i++) {
        xa_coco_image im = {0, -1, -1};
        int has_id = 0;
        xa_jstr key;
        for (uint64_t k = 0; (r = xa_jr_next_key(j, k, &key)) == 1; k++) {
            int64_t *dst = NULL;
            const char *kn = NULL;
            if (xa_jkey(&key, "id")) {
                dst = &im.id;
                kn = "id";
                has_id = 1;
            } else if (xa_jkey(&key, "width")) {
                dst = &im.width;
                kn = "width";
            } else if (xa_jkey(&key, "height")) {
                dst = &im.height;
                kn = "height";
            }
            if (!dst) {
                if (xa_jr_skip(j)) return -1;
                continue;
            }
            size_t vat = xa_jr_value_offset(j);
            if (read_id(j, dst, kn)) return -1;
            if (dst == &im.id) {
                j->ctx.idkey = "id";
                j->ctx.id = im.id;
            } else if (*dst < 0) {
                return xa_jr_fail_at(j, vat, XA_EFORMAT, "%s is negative (%lld)", kn,
                                     (long long)*dst);
            }
        }
        if (r < 0) return -1;
        if (!has_id) return xa_jr_fail_at(j, at, XA_EFORMAT, "no \"id\"");
        if (xa_grow((void **)&gt->images, &g->cap_images, gt->nimages, sizeof im)) return oom(j);
        gt->images[gt->nimages++] = im;
    }
    return r;
}

enum { A_ID = 1, A_IMG = 2, A_CAT = 4, A_BBOX = 8, A_AREA = 16, A_CROWD = 32 };

static int parse_anns(xa_jr *j, gt_build *g) {
    xa_coco_gt *gt = g->gt;
    gt->nanns = 0;
    if (begin_list(j, "annotations")) return -1;
    int r;
    size_t at;
    for (uint64_t i = 0; (r = next_entry(j, "annotations", i, &at)) == 1; i++) {
        size_t at_box = at, at_area = at, at_crowd = at;
        xa_coco_ann a;
        memset(&a, 0, sizeof a);
        unsigned have = 0;
        double crowd = 0;
        xa_jstr key;
        for (uint64_t k = 0; (r = xa_jr_next_key(j, k, &key)) == 1; k++) {
            if (xa_jkey(&key, "id")) {
                if (read_id(j, &a.id, "id")) return -1;
                j->ctx.idkey = "id";
                j->ctx.id = a.id;
                have |= A_ID;
            } else if (xa_jkey(&key, "image_id")) {
                if (read_id(j, &a.image_id, "image_id")) return -1;
                have |= A_IMG;
            } else if (xa_jkey(&key, "category_id")) {
                if (read_id(j, &a.category_id, "category_id")) return -1;
                have |= A_CAT;
            } else if (xa_jkey(&key, "bbox")) {
                if (read_bbox(j, a.bbox, &at_box)) return -1;
                have |= A_BBOX;
            } else if (xa_jkey(&key, "area")) {
                xa_jnum n;
                at_area = xa_jr_value_offset(j);
                xa_jr_key(j, "area", -1);
                if (xa_jr_number(j, &n, NULL)) return -1;
                a.area = n.v;
                have |= A_AREA;
            } else if (xa_jkey(&key, "iscrowd")) {
                at_crowd = xa_jr_value_offset(j);
                xa_jr_key(j, "iscrowd", -1);
                if (xa_jr_bool_or_number(j, &crowd, NULL)) return -1;
                have |= A_CROWD;
            } else if (xa_jr_skip(j)) {
                return -1;
            }
            xa_jr_key(j, NULL, -1);
        }
        if (r < 0) return -1;
        if (have != (A_ID | A_IMG | A_CAT | A_BBOX | A_AREA | A_CROWD)) {
            const char *k = !(have & A_ID)     ? "id"
                            : !(have & A_IMG)  ? "image_id"
                            : !(have & A_CAT)  ? "category_id"
                            : !(have & A_BBOX) ? "bbox"
                            : !(have & A_AREA) ? "area"
                                               : "iscrowd";
            return xa_jr_fail_at(j, at, XA_EFORMAT,
                                 "no \"%s\" (pycocotools reads id, image_id, category_id, bbox, "
                                 "area and iscrowd of every annotation)",
                                 k);
        }
        if (check_wh(j, a.bbox, at_box)) return -1;
        if (!isfinite(a.area) || a.area < 0)
            return xa_jr_fail_at(j, at_area, XA_EFORMAT, "area %.17g is %s", a.area,
                                 isnan(a.area) ? "NaN"
                                 : a.area < 0  ? "negative"
                                               : "infinite");
        if (crowd != 0 && crowd != 1)
            return xa_jr_fail_at(j, at_crowd, XA_EFORMAT, "iscrowd must be 0 or 1, found %.17g",
                                 crowd);
        a.iscrowd = crowd == 1;
        if (xa_grow((void **)&gt->anns, &g->cap_anns, gt->nanns, sizeof a) ||
            xa_grow((void **)&g->ann_at, &g->cap_at, gt->nanns, sizeof *g->ann_at))
            return oom(j);
        g->ann_at[gt->nanns] = at;
        gt->anns[gt->nanns++] = a;
    }
    return r;
}

static int parse_cats(xa_jr *j, gt_build *g) {
    xa_coco_gt *gt = g->gt;
    for (size_t i = 0; i < gt->ncats; i++) free(gt->cats[i].name);
    gt->ncats = 0;
    if (begin_list(j, "categories")) return -1;
    int r;
    size_t at;
    for (uint64_t i = 0; (r = next_entry(j, "categories", i, &at)) == 1; i++) {
        xa_coco_category c = {0, NULL};
        int has_id = 0;
        xa_jstr key, s;
        for (uint64_t k = 0; (r = xa_jr_next_key(j, k, &key)) == 1; k++) {
            if (xa_jkey(&key, "id")) {
                if (read_id(j, &c.id, "id")) goto fail;
                j->ctx.idkey = "id";
                j->ctx.id = c.id;
                has_id = 1;
            } else if (xa_jkey(&key, "name") && xa_jr_peek(j) == XA_J_STRING) {
                if (xa_jr_string(j, &s, NULL)) goto fail;
                free(c.name);
                c.name = malloc(s.n + 1);
                if (!c.name) {
                    oom(j);
                    goto fail;
                }
                memcpy(c.name, s.s, s.n);
                c.name[s.n] = 0;
            } else if (xa_jr_skip(j)) {
                goto fail;
            }
        }
        if (r < 0) goto fail;
        if (!has_id) {
            xa_jr_fail_at(j, at, XA_EFORMAT, "no \"id\"");
            goto fail;
        }
        if (!c.name && !(c.name = xa_strdup(""))) {
            oom(j);
            goto fail;
        }
        if (xa_grow((void **)&gt->cats, &g->cap_cats, gt->ncats, sizeof c)) {
            oom(j);
            goto fail;
        }
        gt->cats[gt->ncats++] = c;
        continue;
    fail:
        free(c.name);
        return -1;
    }
    return r;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}
static int cmp_cat(const void *a, const void *b) {
    return cmp_i64(&((const xa_coco_category *)a)->id, &((const xa_coco_category *)b)->id);
}

/* Cross-checks once everything is read: unique image and category ids, annotations of listed
 * images. Images and categories are sorted by id (pycocotools' sorted(getImgIds())). */
static int gt_validate(xa_jr *j, gt_build *g) {
    xa_coco_gt *gt = g->gt;
    xa_imap ids = {0};
    int rc = -1;
    for (size_t i = 0; i < gt->nimages; i++) {
        size_t old;
        int p = xa_imap_put(&ids, gt->images[i].id, i, &old);
        if (p < 0) {
            oom(j);
            goto out;
        }
        if (p == 0) {
            xa_jr_fail_at(j, 0, XA_EFORMAT, "images[%zu]: duplicate id %lld (also images[%zu])", i,
                          (long long)gt->images[i].id, old);
            goto out;
        }
    }
    for (size_t i = 0; i < gt->nanns; i++)
        if (xa_imap_get(&ids, gt->anns[i].image_id) == SIZE_MAX) {
            xa_jr_fail_at(j, g->ann_at[i], XA_EFORMAT,
                          "annotations[%zu] (id %lld): image_id %lld is not in \"images\"", i,
                          (long long)gt->anns[i].id, (long long)gt->anns[i].image_id);
            goto out;
        }
    /* annotation ids: pycocotools' createIndex keeps anns[ann['id']] = ann, the last of an id,
     * and COCOeval loads the ids of an image's annotations through it: the earlier annotation
     * would be evaluated as a second copy of the later one (converters that restart ids per
     * image give such files) */
    xa_imap_clear(&ids);
    for (size_t i = 0; i < gt->nanns; i++) {
        size_t old;
        int p = xa_imap_put(&ids, gt->anns[i].id, i, &old);
        if (p < 0) {
            oom(j);
            goto out;
        }
        if (p == 0) {
            xa_jr_fail_at(j, g->ann_at[i], XA_EFORMAT,
                          "annotations[%zu] (id %lld): annotations[%zu] has the same id; "
                          "pycocotools looks annotations up by id and would evaluate "
                          "annotations[%zu] in place of annotations[%zu] (the later replaces the "
                          "earlier): give every annotation its own id",
                          i, (long long)gt->anns[i].id, old, i, old);
            goto out;
        }
    }
    if (gt->ncats > 1) qsort(gt->cats, gt->ncats, sizeof *gt->cats, cmp_cat);
    for (size_t i = 1; i < gt->ncats; i++)
        if (gt->cats[i].id == gt->cats[i - 1].id) {
            xa_jr_fail_at(j, 0, XA_EFORMAT, "categories: duplicate id %lld",
                          (long long)gt->cats[i].id);
            goto out;
        }
    xa_imap cats = {0};
    for (size_t i = 0; i < gt->ncats; i++)
        if (xa_imap_put(&cats, gt->cats[i].id, i, NULL) < 0) {
            xa_imap_clear(&cats);
            oom(j);
            goto out;
        }
    for (size_t i = 0; i < gt->nanns; i++)
        if (xa_imap_get(&cats, gt->anns[i].category_id) == SIZE_MAX) gt->anns_unknown_category++;
    xa_imap_clear(&cats);
    if (gt->nimages > 1) /* id is the first member */
        qsort(gt->images, gt->nimages, sizeof *gt->images, cmp_i64);
    rc = 0;
out:
    xa_imap_clear(&ids);
    return rc;
}

xa_status xa_coco_gt_parse(const void *buf, size_t size, const char *name,
                           const xa_json_limits *lim, xa_coco_gt **out, xa_error *err) {
    *out = NULL;
    xa_jr j;
    xa_status st = xa_jr_init(&j, buf, size, name, lim, err);
    if (st) return st;
    gt_build g = {0};
    g.gt = calloc(1, sizeof *g.gt);
    if (!g.gt) {
        xa_jr_done(&j);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    int has_images = 0, has_cats = 0;
    xa_jtype t = xa_jr_peek(&j);
    if (t != XA_J_OBJECT) {
        if (t == XA_J_ARRAY)
            xa_jr_fail_at(&j, xa_jr_offset(&j), XA_EFORMAT,
                          "not a COCO ground-truth file (an object with \"images\", "
                          "\"annotations\", \"categories\"): it holds a list, like a results "
                          "file");
        else if (t == XA_J_EOF)
            xa_jr_fail_at(&j, 0, XA_EFORMAT, "empty file (a COCO ground truth is a JSON object)");
        else if (t != XA_J_ERROR)
            xa_jr_fail_at(&j, xa_jr_offset(&j), XA_EFORMAT,
                          "not a COCO ground-truth file (a JSON object)");
        goto fail;
    }
    xa_jr_object(&j);
    xa_jstr key;
    int r;
    for (uint64_t k = 0; (r = xa_jr_next_key(&j, k, &key)) == 1; k++) {
        int bad = 0;
        if (xa_jkey(&key, "images")) {
            bad = parse_images(&j, &g);
            has_images = 1;
        } else if (xa_jkey(&key, "annotations")) {
            bad = parse_anns(&j, &g);
        } else if (xa_jkey(&key, "categories")) {
            bad = parse_cats(&j, &g);
            has_cats = 1;
        } else {
            bad = xa_jr_skip(&j);
        }
        if (bad) goto fail;
    }
    if (r < 0 || xa_jr_finish(&j)) goto fail;
    if (!has_images) {
        xa_jr_fail_at(&j, 0, XA_EFORMAT,
                      "no \"images\" list: not a COCO ground-truth file (pycocotools evaluates "
                      "the images it lists)");
        goto fail;
    }
    if (!has_cats) {
        xa_jr_fail_at(&j, 0, XA_EFORMAT,
                      "no \"categories\" list (pycocotools' loadRes copies it and fails with "
                      "KeyError: 'categories'; an empty list [] is accepted)");
        goto fail;
    }
    if (gt_validate(&j, &g)) goto fail;
    free(g.ann_at);
    xa_jr_done(&j);
    *out = g.gt;
    return XA_OK;
fail:
    st = j.st ? j.st : XA_EFORMAT;
    free(g.ann_at);
    xa_coco_gt_free(g.gt);
    xa_jr_done(&j);
    return st;
}

xa_status xa_coco_gt_load(const char *path, const xa_json_limits *lim, xa_coco_gt **out,
                          xa_error *err) {
    xa_file f;
    *out = NULL;
    xa_status st = map_json(path, &f, err);
    if (st) return st;
    st = xa_coco_gt_parse(f.data, f.size, path, lim, out, err);
    xa_file_close(&f);
    return st;
}
