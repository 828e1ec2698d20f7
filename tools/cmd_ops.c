/* xalign ops [NAME] [--json]: the operation registry -- every operation with its parameters,
 * defaults and choices, as the command line, manifests and the Python package take them. */
#include "cli.h"

#include <string.h>

static const char *help =
    "usage: xalign ops [NAME] [--json]\n\n"
    "List the registered operations (the bit-exact reference operations that 'transform',\n"
    "'resize', 'preprocess', manifest replay in 'stages' and the Python package run), or one\n"
    "operation in full. Parameters are given as --KEY VALUE on the command line and as \"KEY\":\n"
    "VALUE in a manifest stage next to \"op\".\n\n"
    "  --json              every operation with its parameter schema as one JSON object\n"
    "  --help              this text\n";

int cmd_ops(int argc, char **argv) {
    cli_args a = CLI_ARGS(argc, argv, "ops");
    char **pos = a.pos;
    int json = 0;
    while (cli_next(&a)) {
        if (!strcmp(a.opt, "--help") || !strcmp(a.opt, "-h")) {
            fputs(help, stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(a.opt, "--json")) {
            json = 1;
        } else {
            return cli_error("ops", "unknown option '%s' (see --help)", a.opt);
        }
    }
    if (a.npos > 1) return cli_error("ops", "expected at most one operation name");
    if (json) {
        if (a.npos) return cli_error("ops", "--json lists every operation; leave out NAME");
        return cli_emit(xa_report_ops_json(), "ops") ? XA_EXIT_USAGE : XA_EXIT_OK;
    }
    if (a.npos) {
        const xa_op_info *in = xa_op_find(pos[0]);
        if (!in) {
            const char *s = xa_op_suggest(pos[0]);
            if (s)
                return cli_error("ops", "unknown operation '%s' (did you mean '%s'?)", pos[0], s);
            return cli_error("ops", "unknown operation '%s' ('xalign ops' lists them)", pos[0]);
        }
        printf("%s%s%s%s -- %s\nreproduces: %s\ninputs: %s\nparameters:\n", in->name,
               in->alias ? " (alias " : "", in->alias ? in->alias : "", in->alias ? ")" : "",
               in->summary, in->upstream, in->inputs);
        if (!in->nparams) printf("  (none)\n");
        cli_op_help(stdout, in);
        return XA_EXIT_OK;
    }
    const char *group = "";
    for (size_t i = 0; i < xa_op_count(); i++) {
        const xa_op_info *in = xa_op_info_at(i);
        if (strcmp(group, in->group)) printf("%s%s:\n", i ? "\n" : "", group = in->group);
        printf("  %-20s %s\n", in->name, in->summary);
        char line[1024];
        size_t o = 0;
        line[0] = 0;
        for (size_t k = 0; k < in->nparams && o < sizeof line; k++) {
            const xa_param_info *p = &in->params[k];
            o += (size_t)snprintf(line + o, sizeof line - o, "%s--%s%s%s", k ? " " : "", p->name,
                                  p->dflt ? (p->dflt[0] ? "=" : "") : " (required)",
                                  p->dflt ? p->dflt : "");
        }
        if (in->nparams) {
            printf("%23s", "");
            cli_wrap(stdout, line, 23, 25);
        }
    }
    printf("\n'xalign ops NAME' describes one operation; 'xalign transform --op NAME' runs it.\n");
    return XA_EXIT_OK;
}
