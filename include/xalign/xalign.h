/* libxalign: find where, and why, a ported deep-learning pipeline stops matching its original. */
#ifndef XALIGN_H
#define XALIGN_H

#include "core.h"
#include "io.h"
#include "compare.h"
#include "ops.h"
#include "registry.h"
#include "stages.h"
#include "diagnose.h"
#include "nms.h"
#include "report.h"
#include "dump.h"
#include "results.h"

#endif
