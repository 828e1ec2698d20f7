"""python/xalign_dump.py raises DumpError (an OSError naming the stage and the file) when a dump
cannot be written: a folder it cannot create or write into, and a write that fails half-way
(the file is /dev/full: ENOSPC). The C side's kept errors: tests/unit/test_dump.c, and the
dump_stages example in tests/cli/test_install.py."""
import errno
import os
import sys

import numpy as np
from xa_testlib import SOURCE_DIR, Checker

sys.path.insert(0, os.path.join(SOURCE_DIR, "python"))
import xalign_dump as xd  # noqa: E402

ck = Checker("dump_errors")
a = np.arange(6, dtype=np.float32).reshape(2, 3)


def raises(fn, want_errno, *needles):
    try:
        fn()
    except xd.DumpError as e:
        ok = isinstance(e, OSError) and e.errno == want_errno and all(n in str(e) for n in needles)
        return ck.check(ok, f"DumpError errno {e.errno} (want {want_errno}) {e} (want {needles})")
    except Exception as e:  # noqa: BLE001 -- any other exception is a failure of the test
        return ck.check(False, f"wanted DumpError, got {type(e).__name__}: {e}")
    return ck.check(False, f"no exception, wanted errno {want_errno} {needles}")


# a folder that cannot be created: its parent is a regular file (holds for root too)
blocker = ck.path("file")
open(blocker, "w").close()
xd.configure(os.path.join(blocker, "dumps"))
raises(lambda: xd.dump("read", a), errno.ENOTDIR, "stage 'read'", "cannot write", blocker)
raises(lambda: xd.dump_multi("outputs", boxes=a), errno.ENOTDIR, "stage 'outputs'")

# a folder without write permission (root is not refused by permissions: checked otherwise)
ro = ck.path("readonly")
os.mkdir(ro)
os.chmod(ro, 0o555)
xd.configure(ro)
if os.geteuid() != 0:
    raises(lambda: xd.dump("read", a), errno.EACCES, "stage 'read'", os.path.join(ro, "00_read.npy"))
else:
    ck.check(xd.dump("read", a) == os.path.join(ro, "00_read.npy"), "root writes into a 0555 folder")
os.chmod(ro, 0o755)

# a write that fails after the file was opened: disk full
d = ck.path("full")
xd.configure(d)
ck.check(xd.dump("first", a) == os.path.join(d, "00_first.npy"), "first dump written")
os.symlink("/dev/full", os.path.join(d, "01_second.npy"))
os.symlink("/dev/full", os.path.join(d, "02_third.npz"))
raises(lambda: xd.dump("second", a), errno.ENOSPC, "stage 'second'", "01_second.npy", "No space left")
raises(lambda: xd.dump_multi("third", x=a), errno.ENOSPC, "stage 'third'", "02_third.npz")
# the failed calls used up their numbers, as the C library's do; later dumps work
p = xd.dump("fourth", a)
ck.check(p == os.path.join(d, "03_fourth.npy") and np.array_equal(np.load(p), a), f"after failures: {p}")
# dumping off: nothing written, nothing raised
xd.configure(None)
ck.check(xd.dump("off", a) is None, "off")
ck.done()
