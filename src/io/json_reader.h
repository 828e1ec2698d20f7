/* A bounded pull parser for JSON held in memory (private to the io layer).
 *
 * No tree is built: readers walk the document with next_key / next_elem and take the values they
 * want, skipping the rest (a COCO ground truth's segmentation polygons are validated and skipped
 * without being converted). The buffer is never written to and need not be NUL-terminated, so a
 * read-only file mapping is parsed in place. The grammar is RFC 8259 plus what Python's json
 * module reads and writes: NaN, Infinity and -Infinity as numbers (json.dump writes a NaN score
 * as NaN; readers then refuse it with a message instead of calling it malformed).
 *
 * Numbers convert exactly as strtod does (correctly rounded to the nearest double): see
 * xa_jr_parse_double. Errors say what is wrong and where: "NAME: line L, byte B: ...". The first
 * error poisons the reader: every later call fails with it.
 */
#ifndef XA_JSON_READER_H
#define XA_JSON_READER_H

#include "internal.h"
#include "xalign/results.h"

#include <locale.h>

typedef enum xa_jtype {
    XA_J_ERROR = 0,
    XA_J_OBJECT,
    XA_J_ARRAY,
    XA_J_STRING,
    XA_J_NUMBER,
    XA_J_TRUE,
    XA_J_FALSE,
    XA_J_NULL,
    XA_J_EOF,
} xa_jtype;

typedef struct xa_jstr {
    const char *s; /* into the buffer (no escapes) or the reader's scratch; not NUL-terminated */
    size_t n;
} xa_jstr;

/* A parsed number. */
typedef struct xa_jnum {
    double v;   /* strtod's value; NaN/inf for Python's literals */
    int is_int; /* an integer literal (no '.', no exponent) that fits int64: i holds it */
    int64_t i;
    int nonfinite; /* NaN, Infinity or -Infinity literal */
} xa_jnum;

/* The entry being read, for messages: set by the readers with plain stores, formatted only when
 * something fails ("entry 12 (image_id 139): bbox[2] is negative"). */
typedef struct xa_jctx {
    const char *list;  /* "entry" (a results list), "images", "annotations", ...; NULL: none */
    uint64_t index;    /* the entry's index in its list */
    const char *idkey; /* "image_id" / "id" once the entry's id is known, else NULL */
    int64_t id;
    const char *idstr; /* a string id (NULL for numbers) */
    const char *key;   /* the member being read, NULL between members */
    int sub;           /* element inside it (bbox[k]), -1 for none */
} xa_jctx;

typedef struct xa_jr {
    const unsigned char *base, *p, *end;
    const char *name;
    xa_json_limits lim;
    int depth;
    xa_error *err;
    xa_status st; /* XA_OK until the first failure */
    char *scratch;
    size_t scap;
    xa_jctx ctx;
} xa_jr;

/* Start entry `index` of `list`, and name the member being read. */
static inline void xa_jr_entry(xa_jr *j, const char *list, uint64_t index) {
    j->ctx.list = list;
    j->ctx.index = index;
    j->ctx.idkey = NULL;
    j->ctx.idstr = NULL;
    j->ctx.key = NULL;
    j->ctx.sub = -1;
}
static inline void xa_jr_key(xa_jr *j, const char *key, int sub) {
    j->ctx.key = key;
    j->ctx.sub = sub;
}

/* Fails with XA_ELIMIT when the buffer exceeds lim->max_bytes; refuses a UTF-8 BOM (Python's
 * json.loads does too). `lim` may be NULL. Release with xa_jr_done. */
xa_status xa_jr_init(xa_jr *j, const void *buf, size_t size, const char *name,
                     const xa_json_limits *lim, xa_error *err);
void xa_jr_done(xa_jr *j);

/* Type of the next value (whitespace skipped, nothing consumed); XA_J_EOF at the end. */
xa_jtype xa_jr_peek(xa_jr *j);
/* Consume '[' / '{'; 0 on success, -1 on error (wrong type, depth limit). */
int xa_jr_array(xa_jr *j);
int xa_jr_object(xa_jr *j);
/* Before element i (0, 1, ...) of the current array: 1 if an element follows, 0 if the array
 * ended (']' consumed), -1 on error. */
int xa_jr_next_elem(xa_jr *j, uint64_t i);
/* Before member i of the current object: 1 with the key (and ':' consumed), 0 at '}', -1. */
int xa_jr_next_key(xa_jr *j, uint64_t i, xa_jstr *key);
/* Values. Each returns 0 or -1 (a value of another type is an error naming `what`, or the
 * context's key when `what` is NULL). */
int xa_jr_string(xa_jr *j, xa_jstr *s, const char *what);
int xa_jr_number(xa_jr *j, xa_jnum *n, const char *what);
int xa_jr_skip(xa_jr *j); /* any value, validated */
/* true/false as 1/0, or a number (iscrowd is written both ways). */
int xa_jr_bool_or_number(xa_jr *j, double *v, const char *what);
/* After the top-level value: only whitespace may follow. */
int xa_jr_finish(xa_jr *j);

/* 1 if key equals the NUL-terminated literal. */
static inline int xa_jkey(const xa_jstr *k, const char *lit) {
    size_t i = 0;
    for (; i < k->n; i++)
        if (lit[i] != k->s[i] || !lit[i]) return 0;
    return lit[i] == 0;
}

/* Offset of the current position (for messages naming an entry's start). */
static inline size_t xa_jr_offset(const xa_jr *j) {
    return (size_t)(j->p - j->base);
}
/* Offset of the next value (whitespace skipped, nothing consumed): where a message about that
 * value points, rather than at the space before it. */
static inline size_t xa_jr_value_offset(xa_jr *j) {
    xa_jr_peek(j);
    return xa_jr_offset(j);
}
/* Fail with "NAME: <context>: <message> (line L, byte B)" at byte offset `at`; returns -1. The
 * context is the entry (and its id) when one is set, then the key: messages about a value read
 * as "bbox[2] is negative" after it. */
int xa_jr_fail_at(xa_jr *j, size_t at, xa_status st, const char *fmt, ...) XA_PRINTF(4, 5);
/* "bbox[2]", "score" or "the value": the member the context names. */
void xa_jr_key_label(const xa_jr *j, char *buf, size_t n);
/* 1-based line of a byte offset. */
size_t xa_jr_line(const xa_jr *j, size_t at);

/* The C locale (NULL if it cannot be made), and strtod in it: a host program's setlocale must not
 * change how '.' reads or prints (numbers are read here and written by coco_write.c). */
locale_t xa_c_locale(void);
double xa_strtod_c(const char *s);

/* The number grammar and conversion, exposed for tests: parse a JSON number (or NaN/Infinity/
 * -Infinity) at the start of [s, end). Returns the bytes consumed, 0 if it is not a number,
 * (size_t)-1 if it is longer than XA_JSON_MAX_NUMBER characters. */
#define XA_JSON_MAX_NUMBER 1100
size_t xa_jr_parse_number(const char *s, const char *end, xa_jnum *out);

#endif
