/* The operation registry's private side: operation definitions and parameter accessors used by
 * the wrappers in registry_ops.c (and by later operation families that register themselves in
 * the table there). */
#ifndef XA_REGISTRY_INTERNAL_H
#define XA_REGISTRY_INTERNAL_H

#include "internal.h"
#include "xalign/registry.h"

typedef xa_status (*xa_op_run_fn)(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                                  xa_error *err);
typedef xa_status (*xa_op_geometry_fn)(const xa_op *op, int64_t w, int64_t h, xa_letterbox_geom *g,
                                       xa_error *err);
/* cross-parameter checks (mean and std of equal length, ...) before a run */
typedef xa_status (*xa_op_check_fn)(const xa_op *op, xa_error *err);

typedef struct xa_op_def {
    xa_op_info info;
    xa_op_run_fn run;
    xa_op_geometry_fn geometry; /* NULL unless info.has_geometry */
    xa_op_check_fn check;       /* may be NULL */
} xa_op_def;

/* The table (registry_ops.c). Parameter tables with the CHOICE "resize method" list get their
 * choices filled once at start-up (xa_registry_init). */
extern xa_op_def xa_op_defs[];
extern const size_t xa_op_ndefs;
extern const char xa_resize_choices_marker[]; /* the `choices` of a resize-method parameter */

/* Values of the handle's parameters, defaults included; the caller names a key of the schema
 * (a wrong key is a programming error: it aborts in debug builds and reads as unset). */
int xa_op_has(const xa_op *op, const char *key); /* set explicitly or by a default */
int64_t xa_op_int(const xa_op *op, const char *key);
double xa_op_float(const xa_op *op, const char *key);
int xa_op_bool(const xa_op *op, const char *key);
const char *xa_op_choice(const xa_op *op, const char *key);
int xa_op_choice_index(const xa_op *op, const char *key); /* position in the choices */
const double *xa_op_floats(const xa_op *op, const char *key, int *n);
void xa_op_size(const xa_op *op, const char *key, int64_t *w, int64_t *h);
xa_resize_method xa_op_method(const xa_op *op, const char *key);
/* One line for xa_op_note(). */
void xa_op_set_note(xa_op *op, const char *fmt, ...) XA_PRINTF(2, 3);

#endif
