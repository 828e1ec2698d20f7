"""The bundled demo (make demo) keeps telling the seed's story: the cv2 port's first unaligned stage
is resize, with its own error on identical input, everything after it inherits only, the BMRT
dumps split by the bmodel, and the fixed port is aligned at every stage."""
import os

import numpy as np

from xa_testlib import SOURCE_DIR, Checker, run, run_json

ck = Checker("demo")
D = os.path.join(SOURCE_DIR, "examples", "resnet")
M, B = os.path.join(D, "manifest.json"), os.path.join(D, "resnet18_fp32.bmodel")

rc, j = run_json("stages", os.path.join(D, "ref"), os.path.join(D, "port"), "--manifest", M, "--bmodel", B)
st = {s["name"]: s for s in j["stages"]}
ck.check(rc == 1 and j["first_unaligned"] == "resize", f"port: first unaligned {j['first_unaligned']} rc {rc}")
ck.check(st["resize"]["own_error"]["status"] == "unaligned", "resize has its own error")
for name in ("crop", "normalize", "input"):
    ck.check(st[name]["status"] == "unaligned" and st[name]["own_error"]["status"] == "aligned" and st[name]["inherited"],
             f"{name}: inherited only")
ref_logits = np.load(os.path.join(D, "ref", "05_logits.npy")).ravel()
port_logits = np.fromfile(os.path.join(D, "port", "output_ref_data.dat.bmrt"), dtype=np.float32)
tk = st["logits"]["topk"]
ck.check(st["logits"]["tensors"][0]["port_shape"] == [1, 1000] and
         tk["ref_index"][0] == int(np.argmax(ref_logits)) and tk["port_index"][0] == int(np.argmax(port_logits)) and
         tk["top1_score_diff"] == float(port_logits[np.argmax(ref_logits)]) - float(ref_logits.max()),
         f"logits split from output_ref_data.dat.bmrt by the bmodel, top-1 as numpy finds it: {tk}")
rc, j = run_json("stages", os.path.join(D, "ref"), os.path.join(D, "port_fixed"), "--manifest", M, "--bmodel", B)
ck.check(rc == 0 and j["first_unaligned"] is None and all(s["status"] == "aligned" for s in j["stages"]),
         f"fixed port aligned: {[(s['name'], s['status']) for s in j['stages']]}")
rc, out, err = run("stages", os.path.join(D, "ref"), os.path.join(D, "port"), "--manifest", M)
ck.check(rc == 1 and "error" in out and "output_ref_data.dat.bmrt" in out, "without --bmodel the bare BMRT dump is an error that names it")
ck.done()
