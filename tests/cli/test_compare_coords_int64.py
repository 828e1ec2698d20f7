"""`xalign compare`: positions are numpy's coordinates whatever the memory order (Fortran-order
files against C-order ones), and 64-bit integers are compared exactly, beyond 2^53 and across
dtypes, where their float64 images agree. Each case once gave a wrong answer."""
import numpy as np
from xa_testlib import Checker, run_json

ck = Checker("compare_coords_int64")

# Fortran-order reference vs C-order port: coordinates are numpy's
x = np.arange(12, dtype=np.float32).reshape(3, 4)
y = x.copy(); y[1, 2] += 5
np.save(ck.path("rF.npy"), np.asfortranarray(x)); np.save(ck.path("pC.npy"), y)
rc, j = run_json("compare", ck.path("rF.npy"), ck.path("pC.npy"))
ck.check(j["metrics"]["max_abs_coords"] == [1, 2] and j["metrics"]["max_abs_index"] == 6,
         f"Fortran/C coordinates: {j['metrics']['max_abs_coords']} {j['metrics']['max_abs_index']}")
np.save(ck.path("pF.npy"), np.asfortranarray(y))
rc, j = run_json("compare", ck.path("rF.npy"), ck.path("pF.npy"))
ck.check(j["metrics"]["max_abs_index"] == int(np.argmax(np.abs(y - x))), f"both Fortran: numpy's argmax index {j['metrics']['max_abs_index']}")

# 64-bit integers beyond 2^53 differ even where their doubles agree, across dtypes too
np.save(ck.path("i64.npy"), np.array([2**53 + 1, 5], np.int64))
np.save(ck.path("u64.npy"), np.array([2**53, 5], np.uint64))
np.save(ck.path("f64.npy"), np.array([2**53, 5], np.float64))
rc, j = run_json("compare", ck.path("i64.npy"), ck.path("u64.npy"))
ck.check(rc == 1 and j["metrics"]["equal"] == 1, f"int64 vs uint64 beyond 2^53: rc {rc} equal {j['metrics']['equal']}")
rc, j = run_json("compare", ck.path("i64.npy"), ck.path("f64.npy"), "--equal")
ck.check(rc == 1 and j["metrics"]["equal"] == 1, f"int64 vs float64 --equal: rc {rc} equal {j['metrics']['equal']}")

ck.done()
