/* Growable string for report rendering (private). */
#ifndef XA_STRBUF_H
#define XA_STRBUF_H

#include <stddef.h>
#include "internal.h"

typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} xa_sb;

void xa_sb_printf(xa_sb *b, const char *fmt, ...) XA_PRINTF(2, 3);
/* n bytes of p, as they are. */
void xa_sb_append(xa_sb *b, const char *p, size_t n);
/* The string (caller frees) or NULL if an allocation failed. */
char *xa_sb_take(xa_sb *b);
/* %.*g that prints inf/nan readably. */
const char *xa_fmt_num(double v, int prec, char *buf, size_t size);

#endif
