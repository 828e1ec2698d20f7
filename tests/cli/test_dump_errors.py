"""python/xalign_dump.py raises DumpError (an OSError naming the stage and the file) when a dump
cannot be written: a folder it cannot create or write into, and a write that fails half-way
(the file is /dev/full: ENOSPC), a dtype xalign does not read (EINVAL). torch bfloat16 tensors are
dumped as |V2, which `xalign info`/`compare` read back as bfloat16. The C side's kept errors: tests/unit/test_dump.c, and the
dump_stages example in tests/cli/test_install.py."""
import errno
import os
import sys

import numpy as np
from xa_testlib import SOURCE_DIR, Checker, run, run_json

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
# torch tensors: bfloat16 as |V2 (what xalign reads as bfloat16), other dtypes without a numpy
# equivalent (or that xalign does not read) raise DumpError naming the stage
import torch  # noqa: E402

d = ck.path("torch")
xd.configure(d)
t = torch.tensor([1.5, -2.25, 3.0e10, 1e-3, -0.0, 7.0], dtype=torch.bfloat16)
try:
    p = xd.dump("logits", t)
except Exception as e:  # noqa: BLE001 -- reported
    p = None
    ck.check(False, f"bfloat16 torch tensor: {type(e).__name__}: {e}")
if p:
    info = run_json("info", p, check_rc=0)[1]["items"][0]
    ck.check(info["dtype"] == "bfloat16" and info["shape"] == [6] and info["max"] == float(t.float().max()),
             f"xalign info reads bfloat16: {info}")
    want = ck.path("want.npy")
    np.save(want, t.float().numpy())  # bfloat16 -> float32 is exact
    cmp = run_json("compare", want, p, "--equal", check_rc=0)[1]
    ck.check(cmp["port"]["dtype"] == "bfloat16" and cmp["aligned"] and cmp["metrics"]["equal"] == 6,
             f"compare: the bfloat16 values, all 6 equal: {cmp['port']} {cmp['metrics']['equal']}")
    pm = xd.dump_multi("heads", a=t, b=torch.arange(3))
    cm = run_json("compare", pm, pm, check_rc=0)[1]
    ck.check([m["ref"]["dtype"] for m in cm["members"]] == ["bfloat16", "int64"], f"npz members: {cm['members']}")
raises(lambda: xd.dump("cplx", torch.zeros(2, dtype=torch.complex32)), errno.EINVAL, "stage 'cplx'",
       "torch dtype torch.complex32")
raises(lambda: xd.dump("quant", torch.quantize_per_tensor(torch.zeros(2), 0.1, 0, torch.quint8)), errno.EINVAL,
       "stage 'quant'", "torch.quint8")
raises(lambda: xd.dump("np_cplx", np.zeros(2, np.complex64)), errno.EINVAL, "stage 'np_cplx'", "complex64")
raises(lambda: xd.dump_multi("multi", x=np.array([object()])), errno.EINVAL, "stage 'multi'", "'x'", "object")

# dumping off: nothing written, nothing raised
xd.configure(None)
ck.check(xd.dump("off", a) is None, "off")
ck.done()
