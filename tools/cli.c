#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "xalign %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return XA_EXIT_USAGE;
}

int cli_lib_error(const char *cmd, const xa_error *err, xa_status st) {
    if (err && err->status == st && err->message[0])
        return cli_error(cmd, "%s", err->message);
    return cli_error(cmd, "%s", xa_strerror(st));
}

int cli_next(cli_args *a) {
    while (a->i < a->argc) {
        char *s = a->argv[a->i++];
        if (s[0] == '-' && s[1] == '-' && s[2] == 0) { /* "--": the rest are positionals */
            while (a->i < a->argc) a->pos[a->npos++] = a->argv[a->i++];
            return 0;
        }
        if (s[0] == '-' && s[1] && !(s[1] >= '0' && s[1] <= '9')) {
            char *eq = strchr(s, '=');
            static char name[128];
            if (eq && (size_t)(eq - s) < sizeof name) {
                memcpy(name, s, (size_t)(eq - s));
                name[eq - s] = 0;
                a->opt = name;
                a->value = eq + 1;
            } else {
                a->opt = s;
                a->value = NULL;
            }
            return 1;
        }
        a->pos[a->npos++] = s;
    }
    return 0;
}

const char *cli_value(cli_args *a) {
    if (a->value) return a->value;
    if (a->i < a->argc) return a->argv[a->i++];
    cli_error(a->cmd, "option %s needs a value", a->opt);
    return NULL;
}

int cli_parse_double(cli_args *a, double *out) {
    const char *v = cli_value(a);
    if (!v) return 0;
    char *e;
    errno = 0;
    double d = strtod(v, &e);
    if (!*v || *e || errno || isnan(d)) {
        cli_error(a->cmd, "option %s: '%s' is not a number", a->opt, v);
        return 0;
    }
    *out = d;
    return 1;
}

int cli_parse_int(cli_args *a, long *out) {
    const char *v = cli_value(a);
    if (!v) return 0;
    char *e;
    errno = 0;
    long d = strtol(v, &e, 10);
    if (!*v || *e || errno) {
        cli_error(a->cmd, "option %s: '%s' is not an integer", a->opt, v);
        return 0;
    }
    *out = d;
    return 1;
}

int cli_emit(char *text, const char *cmd) {
    if (!text) return cli_error(cmd, "out of memory rendering the report");
    fputs(text, stdout);
    xa_free(text);
    return 0;
}
