/* xalign registry: every reference operation, registered once by name with its parameter schema.
 *
 * The command line (`transform`, `resize`, `preprocess`, `ops`), manifest replay in `stages`,
 * the preprocessing recipes, the diagnosis search and the Python package all reach the bit-exact
 * operations through this table, in the manner of libvips' operations by nickname: create an
 * operation by name, set its parameters (from text, numbers or lists; one parser per kind of
 * value), run it on tensors. A new parameter is a new schema entry, never a new struct field.
 *
 *     xa_op *op;
 *     xa_op_new("resize", &op, &err);
 *     xa_op_set(op, "method", "pil-bilinear", &err);
 *     xa_op_set(op, "size", "224x224", &err);
 *     xa_op_run(op, &img, 1, &out, &err);
 *     xa_op_free(op);
 *
 * Names are kebab-case ("center-crop"); the snake_case spellings of older manifests
 * ("center_crop") are accepted as aliases. Parameter keys are kebab-case too. A handle is not
 * shared between threads while it runs; xa_op_dup gives each thread its own.
 */
#ifndef XALIGN_REGISTRY_H
#define XALIGN_REGISTRY_H

#include "core.h"
#include "ops.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Kinds of parameter value. Text forms (command line, manifests, Python):
 *   INT     "12"                  FLOAT   "0.45"             BOOL  "true" "false" "1" "0"
 *   CHOICE  one of the listed names ("hwc", "cv2-linear", ...)
 *   FLOATS  "0.485,0.456,0.406"   INTS    "0,0,12,12"
 *   SIZE    "WxH" (width x height, as cv2 takes it); a bare "N" means NxN only where the
 *           schema says so (crops and letterboxes, as CenterCrop(224) and new_shape=640 do) --
 *           a resize refuses it, since torchvision's Resize(N) is a shorter side (`short`). */
typedef enum xa_param_type {
    XA_PARAM_INT = 0,
    XA_PARAM_FLOAT = 1,
    XA_PARAM_BOOL = 2,
    XA_PARAM_CHOICE = 3,
    XA_PARAM_FLOATS = 4,
    XA_PARAM_INTS = 5,
    XA_PARAM_SIZE = 6,
} xa_param_type;
XA_API const char *xa_param_type_name(xa_param_type t); /* "int", "float", ... "size" */

#define XA_PARAM_MAX_VALUES 64 /* entries of a FLOATS/INTS list */

/* One parameter of an operation's schema (read-only, owned by the library). */
typedef struct xa_param_info {
    const char *name; /* kebab-case key */
    xa_param_type type;
    const char *dflt;    /* default in text form; NULL: required; "" optional without default */
    const char *help;    /* one line */
    const char *choices; /* CHOICE: the accepted names, "a|b|c" (xa_param_choices) */
    int min_count;       /* FLOATS/INTS: accepted list lengths */
    int max_count;
    double min, max;   /* INT/FLOAT and list entries: accepted range (inclusive) */
    int square_ok;     /* SIZE: a bare N means NxN */
    const char *alias; /* an older key accepted for it ("method" of decode -> "like"), or NULL */
} xa_param_info;

/* One operation (read-only, owned by the library). */
typedef struct xa_op_info {
    const char *name;     /* kebab-case */
    const char *alias;    /* snake_case name of older manifests, or NULL */
    const char *summary;  /* one line */
    const char *upstream; /* the function reproduced, e.g. "torchvision F.center_crop" */
    const char *inputs;   /* names of the input tensors, space-separated ("image", "boxes") */
    int min_inputs, max_inputs;
    size_t nparams;
    const xa_param_info *params;
    int has_geometry;  /* xa_op_geometry answers for it (letterboxes, tv-resize) */
    const char *group; /* "decode", "resize", "geometry", "normalize", "layout", "boxes", ... */
} xa_op_info;

XA_API size_t xa_op_count(void);
XA_API const xa_op_info *xa_op_info_at(size_t i);      /* NULL when out of range */
XA_API const xa_op_info *xa_op_find(const char *name); /* name or alias; NULL if unknown */
/* The choices of a CHOICE parameter: "hwc|chw"; NULL for other types. */
XA_API const char *xa_param_choices(const xa_param_info *p);
/* The one parser of each kind of value: `text` as parameter `p` into v[0..*n) (SIZE: width,
 * height; CHOICE: the index of the choice; lists: the entries; BOOL: 0 or 1). v must hold
 * XA_PARAM_MAX_VALUES entries. The command line parses its own options with it too. */
XA_API xa_status xa_param_parse(const xa_param_info *p, const char *text, double *v, int *n,
                                xa_error *err);
/* The closest registered name to an unknown one (edit distance), for "did you mean"; NULL. */
XA_API const char *xa_op_suggest(const char *name);

/* ---- an operation with its parameters ------------------------------------------------------ */
typedef struct xa_op xa_op;

XA_API xa_status xa_op_new(const char *name, xa_op **out, xa_error *err);
XA_API xa_status xa_op_dup(const xa_op *op, xa_op **out, xa_error *err);
XA_API void xa_op_free(xa_op *op);
XA_API const xa_op_info *xa_op_get_info(const xa_op *op);

/* Set a parameter from its text form (parsed and range-checked by its type). Unknown keys and
 * bad values are XA_EINVAL with a message naming the operation, the key and the value. */
XA_API xa_status xa_op_set(xa_op *op, const char *key, const char *value, xa_error *err);
XA_API xa_status xa_op_set_number(xa_op *op, const char *key, double v, xa_error *err);
XA_API xa_status xa_op_set_numbers(xa_op *op, const char *key, const double *v, int n,
                                   xa_error *err);
XA_API int xa_op_is_set(const xa_op *op, const char *key);
/* The value in canonical text form ("224x224", "0.485,0.456,0.406"), the default when unset, NULL
 * for an unknown key or an unset parameter without default. Valid until the next set or free. */
XA_API const char *xa_op_get(const xa_op *op, const char *key);
/* "resize method=pil-bilinear size=224x224": the name and every parameter set explicitly. */
XA_API const char *xa_op_describe(const xa_op *op);

/* Check that every required parameter is set and the combination is valid, without running. */
XA_API xa_status xa_op_validate(const xa_op *op, xa_error *err);

/* Run on `n` input tensors; *out receives a new tensor (caller frees). After a run,
 * xa_op_note() gives one line of what it did beyond the parameters (the letterbox geometry, the
 * Resize output size), "" when nothing. */
XA_API xa_status xa_op_run(xa_op *op, const xa_tensor *const *inputs, size_t n, xa_tensor **out,
                           xa_error *err);
XA_API const char *xa_op_note(const xa_op *op);

/* The geometry an operation with has_geometry would produce for a w x h input, without an image:
 * the letterboxes fill every field; tv-resize fills src/new/out sizes (no border). */
XA_API xa_status xa_op_geometry(const xa_op *op, int64_t w, int64_t h, xa_letterbox_geom *g,
                                xa_error *err);

#ifdef __cplusplus
}
#endif
#endif
