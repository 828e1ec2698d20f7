/* Shared by the results readers (private to the io layer). */
#ifndef XA_RESULTS_INTERNAL_H
#define XA_RESULTS_INTERNAL_H

#include "hashmap.h"
#include "internal.h"
#include "json_reader.h"
#include "xalign/results.h"

/* Builds an xa_dets: images are interned by id or by name. */
typedef struct xa_dets_builder {
    xa_dets *d;
    size_t cap_items, cap_images;
    xa_imap by_id;
    xa_smap by_name;
} xa_dets_builder;

xa_status xa_dets_builder_init(xa_dets_builder *b, xa_dets_source src, xa_box_format fmt,
                               xa_error *err);
/* Index of the image with this numeric id (added if new); SIZE_MAX when out of memory. */
size_t xa_dets_builder_image_id(xa_dets_builder *b, int64_t id);
/* Index of the image of this name (added if new). digits_are_id: a name of 1-18 ASCII digits is
 * keyed by its value (YOLOv5's int(path.stem)), the name kept for display. SIZE_MAX: ENOMEM. */
size_t xa_dets_builder_image_name(xa_dets_builder *b, const char *name, size_t len,
                                  int digits_are_id);
/* A new zeroed detection at the end; NULL when out of memory or past XA_DETS_MAX_COUNT. */
xa_det *xa_dets_builder_push(xa_dets_builder *b);
/* The finished set (the builder is emptied). */
xa_dets *xa_dets_builder_take(xa_dets_builder *b);
void xa_dets_builder_abort(xa_dets_builder *b);

/* A JSON number that is a whole number (an integer literal, or an integral float within
 * +-2^53, which Python would also compare equal to the integer): 1 with *out set, else 0. */
int xa_jnum_to_id(const xa_jnum *n, int64_t *out);

/* Growable arrays: ensure room for n + 1 elements of size es in *p (capacity *cap). */
int xa_grow(void **p, size_t *cap, size_t n, size_t es);

/* 1 when [s, s+n) is 1..18 ASCII digits (value in *v). */
int xa_digits_value(const char *s, size_t n, int64_t *v);

#endif
