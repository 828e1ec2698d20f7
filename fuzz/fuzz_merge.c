/* Fuzz target: the JSON parts `xalign merge` reads (xa_report_merge) and the renderers of dataset
 * JSON (xa_report_dataset_text_json, xa_report_html), on arbitrary bytes. The input is split at
 * NUL bytes into at most 16 parts. A merge that succeeds must give JSON both renderers accept.
 * The HTML is rendered with a budget of one byte, so no picture is drawn and no file the JSON
 * names is opened: the text of every page kind is what is fuzzed. */
#include "fuzz_target.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xalign/xalign.h>

enum { MAX_PARTS = 16 };

static void render(const char *json) {
    xa_html_options o;
    memset(&o, 0, sizeof o);
    o.max_bytes = 1;
    char *html = NULL;
    if (xa_report_html(json, &o, &html, NULL) == XA_OK && (!html || !strstr(html, "</html>")))
        __builtin_trap();
    xa_free(html);
    xa_free(xa_report_dataset_text_json(json));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    const char *parts[MAX_PARTS];
    size_t n = 0;
    for (size_t i = 0; i <= size && n < MAX_PARTS;) { /* NUL-separated */
        parts[n++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    for (size_t i = 0; i < n; i++) render(parts[i]);
    char *merged = NULL;
    int aligned = -1;
    if (xa_report_merge(parts, NULL, n, &merged, &aligned, NULL) == XA_OK) {
        char *text = xa_report_dataset_text_json(merged);
        if (!merged || !text || (aligned != 0 && aligned != 1)) __builtin_trap();
        xa_free(text);
        render(merged);
    }
    xa_free(merged);
    free(buf);
    return 0;
}
