/* Name maps between the reference's member names and the port's: an explicit JSON map
 * {"ref name": "port name"} and sed-style regex renames "s/REGEX/REPLACEMENT/[g]" (POSIX
 * extended regular expressions), for tools that name layers differently. */
#include "cmp_internal.h"

#include <jansson.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *from, *to;
} pair;

typedef struct {
    regex_t re;
    char *repl;
    int global;
} rename_rule;

struct xa_name_map {
    pair *pairs; /* sorted by `from` */
    size_t npairs;
    rename_rule *rules;
    size_t nrules;
};

xa_status xa_name_map_new(xa_name_map **out, xa_error *err) {
    *out = calloc(1, sizeof **out);
    return *out ? XA_OK : xa_fail(err, XA_ENOMEM, "out of memory");
}

void xa_name_map_free(xa_name_map *m) {
    if (!m) return;
    for (size_t i = 0; i < m->npairs; i++) {
        free(m->pairs[i].from);
        free(m->pairs[i].to);
    }
    free(m->pairs);
    for (size_t i = 0; i < m->nrules; i++) {
        regfree(&m->rules[i].re);
        free(m->rules[i].repl);
    }
    free(m->rules);
    free(m);
}

static int by_from(const void *a, const void *b) {
    return strcmp(((const pair *)a)->from, ((const pair *)b)->from);
}

xa_status xa_name_map_parse(xa_name_map *m, const char *json, size_t len, const char *label,
                            xa_error *err) {
    if (!label) label = "name map";
    if (len > XA_NAMEMAP_MAX_BYTES)
        return xa_fail(err, XA_ELIMIT, "%s: %zu bytes exceed the limit of %u", label, len,
                       (unsigned)XA_NAMEMAP_MAX_BYTES);
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return xa_fail(err, XA_EFORMAT, "%s: invalid JSON at line %d: %s", label, je.line, je.text);
    xa_status st = XA_OK;
    size_t n = json_is_object(root) ? json_object_size(root) : 0;
    if (!json_is_object(root))
        st = xa_fail(err, XA_EFORMAT, "%s: expected an object {\"ref name\": \"port name\", ...}",
                     label);
    else if (m->npairs + n > XA_NAMEMAP_MAX_ENTRIES)
        st = xa_fail(err, XA_ELIMIT, "%s: more than %d names", label, XA_NAMEMAP_MAX_ENTRIES);
    pair *np = NULL;
    if (!st) {
        np = realloc(m->pairs, (m->npairs + n + 1) * sizeof *np);
        if (!np)
            st = xa_fail(err, XA_ENOMEM, "out of memory");
        else
            m->pairs = np;
    }
    const char *key;
    json_t *v;
    if (!st) json_object_foreach(root, key, v) {
            if (!json_is_string(v)) {
                st = xa_fail(err, XA_EFORMAT, "%s: the port name for '%.200s' is not a string",
                             label, key);
                break;
            }
            const char *to = json_string_value(v);
            if (strlen(key) > XA_NPZ_MAX_NAME || strlen(to) > XA_NPZ_MAX_NAME) {
                st = xa_fail(err, XA_ELIMIT, "%s: a name longer than %d bytes", label,
                             XA_NPZ_MAX_NAME);
                break;
            }
            pair *p = &m->pairs[m->npairs];
            p->from = xa_strdup(key);
            p->to = xa_strdup(to);
            if (!p->from || !p->to) {
                free(p->from);
                free(p->to);
                st = xa_fail(err, XA_ENOMEM, "out of memory");
                break;
            }
            m->npairs++;
        }
    json_decref(root);
    if (!st) {
        qsort(m->pairs, m->npairs, sizeof *m->pairs, by_from);
        for (size_t i = 1; i < m->npairs; i++)
            if (!strcmp(m->pairs[i].from, m->pairs[i - 1].from))
                return xa_fail(err, XA_EFORMAT, "%s: '%.200s' is mapped twice", label,
                               m->pairs[i].from);
    }
    return st;
}

xa_status xa_name_map_load(xa_name_map *m, const char *path, xa_error *err) {
    char *buf;
    size_t n;
    xa_status st = xa_read_small_file(path, XA_NAMEMAP_MAX_BYTES, &buf, &n, err);
    if (st) return st;
    st = xa_name_map_parse(m, buf, n, path, err);
    free(buf);
    return st;
}

xa_status xa_name_map_add_rename(xa_name_map *m, const char *sed, xa_error *err) {
    /* s<d>REGEX<d>REPLACEMENT<d>[g]; a backslash before <d> makes it literal */
    size_t len = strlen(sed);
    if (len < 4 || sed[0] != 's' || len > XA_NAMEMAP_MAX_RULE)
        return xa_fail(err, XA_EINVAL,
                       "rename '%.100s': expected s/REGEX/REPLACEMENT/ (or s/REGEX/REPL/g)", sed);
    char d = sed[1];
    if (d == '\\' || d == '\n' || (d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') ||
        (d >= '0' && d <= '9'))
        return xa_fail(err, XA_EINVAL, "rename '%.100s': bad delimiter '%c'", sed, d);
    char *parts[2] = {malloc(len + 1), malloc(len + 1)};
    size_t at = 2;
    for (int k = 0; k < 2; k++) {
        size_t o = 0;
        if (!parts[k]) break;
        while (at < len && sed[at] != d) {
            if (sed[at] == '\\' && at + 1 < len && sed[at + 1] == d)
                at++; /* \<d> is <d> */
            else if (sed[at] == '\\' && at + 1 < len)
                parts[k][o++] = sed[at++];
            parts[k][o++] = sed[at++];
        }
        parts[k][o] = 0;
        if (at >= len) {
            free(parts[0]);
            free(parts[1]);
            return xa_fail(err, XA_EINVAL, "rename '%.100s': missing the closing '%c'", sed, d);
        }
        at++;
    }
    if (!parts[0] || !parts[1]) {
        free(parts[0]);
        free(parts[1]);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    int global = 0;
    for (; at < len; at++) {
        if (sed[at] != 'g' || global) {
            free(parts[0]);
            free(parts[1]);
            return xa_fail(err, XA_EINVAL, "rename '%.100s': unknown flag '%c' (only g)", sed,
                           sed[at]);
        }
        global = 1;
    }
    rename_rule *nr = realloc(m->rules, (m->nrules + 1) * sizeof *nr);
    if (!nr) {
        free(parts[0]);
        free(parts[1]);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    m->rules = nr;
    rename_rule *r = &m->rules[m->nrules];
    int rc = regcomp(&r->re, parts[0], REG_EXTENDED);
    free(parts[0]);
    if (rc) {
        char msg[128];
        regerror(rc, &r->re, msg, sizeof msg);
        free(parts[1]);
        return xa_fail(err, XA_EINVAL, "rename '%.100s': %s", sed, msg);
    }
    r->repl = parts[1];
    r->global = global;
    m->nrules++;
    return XA_OK;
}

/* Append n bytes to a name being built; 0 when it would exceed the name limit. */
static int append(char *o, size_t *k, const char *s, size_t n) {
    if (*k + n > XA_NPZ_MAX_NAME) return 0;
    memcpy(o + *k, s, n);
    *k += n;
    return 1;
}

/* One rename rule applied to `in` (first match, or every match with g) into `out`. */
static int apply_rule(const rename_rule *r, const char *in, char *out) {
    size_t k = 0;
    const char *s = in;
    regmatch_t mt[10];
    int first = 1;
    while (*s || first) {
        if (regexec(&r->re, s, 10, mt, first ? 0 : REG_NOTBOL) != 0) break;
        if (!append(out, &k, s, (size_t)mt[0].rm_so)) return 0;
        for (const char *q = r->repl; *q; q++) {
            int g = -1;
            if (*q == '&')
                g = 0;
            else if (*q == '\\' && q[1] >= '0' && q[1] <= '9')
                g = *++q - '0';
            else if (*q == '\\' && q[1])
                q++; /* an escaped character stands for itself */
            if (g < 0) {
                if (!append(out, &k, q, 1)) return 0;
            } else if (mt[g].rm_so >= 0) {
                if (!append(out, &k, s + mt[g].rm_so, (size_t)(mt[g].rm_eo - mt[g].rm_so)))
                    return 0;
            }
        }
        size_t adv = (size_t)mt[0].rm_eo;
        if (adv == (size_t)mt[0].rm_so) { /* an empty match: keep one character and move on */
            if (!s[adv]) {
                s += adv;
                first = 0;
                break;
            }
            if (!append(out, &k, s + adv, 1)) return 0;
            adv++;
        }
        s += adv;
        first = 0;
        if (!r->global) break;
    }
    if (!append(out, &k, s, strlen(s))) return 0;
    out[k] = 0;
    return 1;
}

xa_status xa_name_map_port_name(const xa_name_map *m, const char *ref, char **out, xa_error *err) {
    *out = NULL;
    if (m && m->npairs) {
        size_t lo = 0, hi = m->npairs;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = strcmp(m->pairs[mid].from, ref);
            if (c == 0) {
                *out = xa_strdup(m->pairs[mid].to);
                return *out ? XA_OK : xa_fail(err, XA_ENOMEM, "out of memory");
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    char *a = malloc(XA_NPZ_MAX_NAME + 1), *b = malloc(XA_NPZ_MAX_NAME + 1);
    if (!a || !b) {
        free(a);
        free(b);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    size_t n = strlen(ref);
    if (n > XA_NPZ_MAX_NAME) n = XA_NPZ_MAX_NAME;
    memcpy(a, ref, n);
    a[n] = 0;
    for (size_t i = 0; m && i < m->nrules; i++) {
        if (!apply_rule(&m->rules[i], a, b)) {
            free(a);
            free(b);
            return xa_fail(err, XA_ELIMIT, "renaming '%.100s' gives a name over %d bytes", ref,
                           XA_NPZ_MAX_NAME);
        }
        char *t = a;
        a = b;
        b = t;
    }
    free(b);
    *out = a;
    return XA_OK;
}

int xa_name_map_entry(const xa_name_map *m, size_t i, const char **from, const char **to) {
    if (!m || i >= m->npairs) return 0;
    if (from) *from = m->pairs[i].from;
    if (to) *to = m->pairs[i].to;
    return 1;
}

int xa_name_map_empty(const xa_name_map *m) {
    return !m || (!m->npairs && !m->nrules);
}
