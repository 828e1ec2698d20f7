#!/usr/bin/python3
"""Regenerate the seed corpus of fuzz/fuzz_coco.c: /usr/bin/python3 fuzz/make_corpus_coco.py

Writes fuzz/corpus/coco/ (replacing it): small COCO results files, ground truths, classification
CSV and JSON lines as Python's json writes them, "GROUND TRUTH \\0 RESULTS" pairs that reach
COCOeval, and malformed edits of them, each named for what it holds. Deterministic (fixed seed).
"""
import json
import os
import shutil

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "coco")
rng = np.random.default_rng(20240918)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)

    def w(name, data):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)

    images = [{"id": i, "width": 640, "height": 480, "file_name": f"{i:012d}.jpg"} for i in (1, 5, 9)]
    anns = []
    for k in range(12):
        b = [float(v) for v in np.round(rng.uniform(0, 300, 4), 2)]
        anns.append({"id": k + 1, "image_id": images[k % 3]["id"], "category_id": int(k % 4) + 1,
                     "bbox": b, "area": b[2] * b[3] * 0.8, "iscrowd": int(k == 7),
                     "segmentation": [[b[0], b[1], b[0] + b[2], b[1], b[0], b[1] + b[3]]]})
    anns[3]["area"] = 1024.0
    gt = {"info": {"year": 2017}, "images": images, "annotations": anns,
          "categories": [{"id": c, "name": f"c{c}"} for c in (1, 2, 3, 4, 5)]}
    res = []
    for a in anns:
        for j in range(2):
            b = [round(v + float(rng.normal(0, 3)), 3) for v in a["bbox"][:2]] + a["bbox"][2:]
            res.append({"image_id": a["image_id"], "category_id": a["category_id"], "bbox": b,
                        "score": round(float(rng.random()), 5)})
    res.append({"image_id": 5, "category_id": 9, "bbox": [1, 1, 0, 0], "score": 0.5})
    gts, rs = json.dumps(gt), json.dumps(res)
    w("gt.json", gts)
    w("results.json", rs)
    w("results_unrounded.json", json.dumps([dict(r, score=r["score"] + 1e-9) for r in res]))
    w("results_string_ids.json", json.dumps([dict(r, image_id=f"img{r['image_id']}") for r in res[:5]]))
    w("results_empty.json", "[]")
    w("pair.bin", gts + "\0" + rs)
    w("pair_empty_results.bin", gts + "\0[]")
    w("pair_no_categories.bin", json.dumps(dict(gt, categories=[])) + "\0" + rs)
    w("pair_id0.bin", json.dumps(dict(gt, annotations=[dict(anns[0], id=0)])) + "\0" + rs)
    w("cls.csv", "file,top1,score,c2,c3,c4,c5\na.jpg,3,0.91,5,1,7,2\n\"b,1.jpg\",4,0.5\n")
    w("cls.jsonl", "\n".join(json.dumps({"file": f"f{i}.jpg", "top1": i, "score": 0.5, "top5": [i, 1, 2, 3, 4]})
                             for i in range(5)) + "\n")
    # malformed
    w("bad_truncated.json", rs[: len(rs) // 2])
    w("bad_nan_score.json", rs.replace('"score": ', '"score": NaN, "x": ', 1))
    w("bad_negative_w.json", json.dumps([dict(res[0], bbox=[1, 2, -3, 4])]))
    w("bad_bbox3.json", json.dumps([dict(res[0], bbox=[1, 2, 3])]))
    w("bad_escape.json", '[{"image_id": "\\ud83d\\ude00\\u00e9\\q"}]')
    w("bad_utf8.json", b'[{"image_id": "\xc3\x28"}]')
    w("bad_deep.json", "[" * 200 + "]" * 200)
    w("bad_gt_no_images.json", json.dumps({"annotations": anns}))
    w("bad_gt_unknown_image.json", json.dumps(dict(gt, annotations=[dict(anns[0], image_id=77)])))
    w("bad_long_number.json", "[" + "1" * 2000 + "]")
    w("bad_numbers.json", "[01, 1., .5, -, 1e, +1, 0x10, Infinity, -Infinity, -NaN]")
    w("bad_cls_header_only.csv", "file,top1,score\n")
    w("bad_pair_unknown_image.bin", gts + "\0" + json.dumps([dict(res[0], image_id=404)]))


if __name__ == "__main__":
    main()
