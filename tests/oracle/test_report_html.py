"""The HTML report in a real browser: Debian's headless Chromium, driven through chromedriver by
selenium, loads the pages `xalign stages --html` (one sample, and a dataset of real photos) and
`xalign compare --html` write. Every page: self-contained (no URL outside the page), no console
error, every picture decodes (naturalWidth > 0). Every heatmap embedded in a page, as the PNG in
the page and as the pixels the browser drew (read back through a canvas), equals the heatmap numpy
computes from the dumps (tests/pylib/xa_heatmap.py), downsampled by the factor the page states
(each pixel the largest |d| of its block); the reference and port pictures equal the dumps'
pixels (float tensors mapped to 0..255 as documented). The samples table sorts when a header is
clicked and filters; every link has its target. The size budget: a 50-sample, 6-stage run of
224 x 224 x 3 images stays under 5 MB with every picture, and a smaller budget leaves pictures
out (the worst samples keep theirs) and says so."""
import base64
import io
import json
import os
import re
import shutil
import tempfile

import numpy as np
import xa_dataset
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from xa_heatmap import pixel_values, reference
from xa_testlib import SOURCE_DIR, Checker, run

ck = Checker("report_html")
E = os.path.join(SOURCE_DIR, "examples", "resnet")
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def browser():
    """Headless Chromium that stays off the network: as root it needs --no-sandbox; without the
    --disable-* flags and a fresh profile it fetches components and sync data at start."""
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="xa-chromium-", dir=ck.dir)
    for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update", "--no-first-run",
              "--disable-sync", "--disable-quic", "--disable-extensions", "--window-size=1300,1000",
              f"--user-data-dir={profile}"]:
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=o)
    d.set_page_load_timeout(120)
    return d


def anchor(prefix, s):
    """The page's element ids: letters, digits and '-' kept, any other byte as _XX."""
    return prefix + "".join(c if c.isascii() and (c.isalnum() or c == "-") else f"_{ord(c):02x}" for c in s)


def decode(data_uri):
    assert data_uri.startswith("data:image/png;base64,"), data_uri[:40]
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1]))))


CANVAS = """var i=arguments[0],c=document.createElement('canvas');c.width=i.naturalWidth;
c.height=i.naturalHeight;c.getContext('2d').drawImage(i,0,0);return c.toDataURL('image/png');"""


def problems(d, path):
    """(URLs outside the page, console errors, pictures that do not decode, number of pictures)."""
    html = open(path, encoding="utf-8").read()
    outside = re.findall(r'(?:src|href)="(?!data:image/png;base64,|#)([^"]{0,60})', html)
    outside += [t for t in ("<link", "<script src", "url(") if t in html]
    d.get_log("browser")  # drop what an earlier page left
    d.get("file://" + os.path.abspath(path))
    severe = [e["message"] for e in d.get_log("browser") if e["level"] == "SEVERE"]
    imgs = d.execute_script("return Array.from(document.images).map(function(i){return [i.complete, i.naturalWidth,"
                            " i.naturalHeight, i.className];})")
    broken = [i for i in imgs if not (i[0] and i[1] > 0 and i[2] > 0)]
    return outside, severe, broken, len(imgs)


def load(d, path, what):
    """Open a page; check it is self-contained, logs no console error and every picture decodes.
    Returns the number of pictures."""
    outside, severe, broken, n = problems(d, path)
    ck.check(not outside, f"{what}: not self-contained: {outside[:3]}")
    ck.check(not severe, f"{what}: console errors {severe[:3]}")
    ck.check(not broken, f"{what}: {len(broken)} of {n} pictures do not decode: {broken[:3]}")
    return n


def block_for(h, w, max_side):
    side = max(h, w)
    return -(-side // max_side) if side > max_side else 1


def display(t, other, block, layout=None):
    """The reference/port picture as documented: HWC (layout guessed as the heatmap does), the
    first element of every block, 3 channels (the first three) or 1; uint8 pairs as they are,
    anything else mapped from [lo, hi] (finite range of both sides) to 0..255 rounded half up."""
    def hwc(a):
        a = a[0] if a.ndim == 4 else a
        if a.ndim == 2:
            return a[:, :, None]
        return a if (layout or ("hwc" if a.shape[-1] <= 4 else "chw")) == "hwc" else a.transpose(1, 2, 0)
    a = hwc(t)[::block, ::block]
    a = a[:, :, :3] if a.shape[2] >= 3 else a[:, :, :1]
    if t.dtype == np.uint8 and other.dtype == np.uint8:
        return a.astype(np.uint8)
    both = np.concatenate([t.astype(np.float64).ravel(), other.astype(np.float64).ravel()])
    both = both[np.isfinite(both)]
    lo, hi = float(both.min()), float(both.max())
    v = a.astype(np.float64)
    if t.dtype == np.uint8 and lo == 0 and hi == 255:
        u = v
    else:
        u = (v - lo) * (255 / (hi - lo) if hi > lo else 0)
    with np.errstate(invalid="ignore"):
        return np.where(~(u > 0), 0, np.where(u >= 255, 255, np.floor(u + 0.5))).astype(np.uint8)


def same(got, want):
    got = got.reshape(got.shape[:2] + (-1,))
    return got.shape == want.shape and np.array_equal(got, want)


def check_pictures(d, sec_id, ref, port, max_side, what):
    """A stage's pictures against numpy: heatmap (page PNG and the browser's pixels), one heatmap
    per channel, reference and port, the stated downsampling, the histogram's exact count."""
    sec = d.find_element(By.ID, sec_id)
    h, w = pixel_values(ref, port)[0].shape
    b = block_for(h, w, max_side)
    hm = sec.find_elements(By.CSS_SELECTOR, "img.heatmap")
    if not ck.check(len(hm) == 1, f"{what}: one heatmap in #{sec_id}, found {len(hm)}"):
        return
    want, info = reference(ref, port, block=b)
    got = decode(hm[0].get_attribute("src"))
    ck.check(same(got, want), f"{what}: the page's heatmap ({got.shape}) differs from numpy's (block {b}, {want.shape}):"
             f" {int((got.reshape(want.shape) != want).any(axis=2).sum()) if got.size == want.size else 'shape'} pixels")
    drawn = decode(d.execute_script(CANVAS, hm[0]))[:, :, :3]
    ck.check(same(drawn, want), f"{what}: the pixels the browser drew differ from numpy's heatmap")
    meta = sec.find_element(By.CSS_SELECTOR, "p.meta").text
    ck.check(f"{w} x {h} (W x H)" in meta and
             ((f"drawn downsampled by {b} (each heatmap pixel the largest |d| of {b}x{b})" in meta) == (b > 1)),
             f"{what}: the page states size and downsampling (block {b}): {meta!r}")
    chans = sec.find_elements(By.CSS_SELECTOR, "img.heatmap-channel")
    nch = 1 if ref.ndim == 2 else (ref.shape[-1] if ref.shape[-1] <= 4 else ref.shape[-3])
    ck.check(len(chans) == (nch if 1 < nch <= 4 else 0), f"{what}: {len(chans)} per-channel heatmaps for {nch} channels")
    for k, im in enumerate(chans):
        ck.check(same(decode(im.get_attribute("src")), reference(ref, port, channel=k, block=b)[0]),
                 f"{what}: channel {k}'s heatmap differs from numpy's")
    for cls, t, other in (("ref", ref, port), ("port", port, ref)):
        im = sec.find_elements(By.CSS_SELECTOR, f"img.{cls}")
        if ck.check(len(im) == 1, f"{what}: one {cls} picture"):
            g, wd = decode(im[0].get_attribute("src")), display(t, other, b)
            ck.check(same(g, wd), f"{what}: the {cls} picture {g.shape} differs from the dump's pixels {wd.shape}")
    with np.errstate(invalid="ignore"):
        exact = int(((ref.astype(np.float64) == port.astype(np.float64)) |
                     (np.isnan(ref.astype(np.float64)) & np.isnan(port.astype(np.float64)))).sum())
    title = sec.find_element(By.CSS_SELECTOR, "figure.hist svg title").get_attribute("textContent")
    ck.check(title.startswith(f"|port - ref|: {exact} exact, "), f"{what}: histogram {title!r}, numpy: {exact} exact")
    return b


def no_pictures(d, sec_id, what):
    ck.check(not d.find_element(By.ID, sec_id).find_elements(By.TAG_NAME, "img"), f"{what}: no pictures in #{sec_id}")


def load_dump(stage_json, side, folder):
    """A stage's tensor as numpy reads it: .npy, or a raw BMRT dump with the JSON's dtype/shape."""
    spec = stage_json[side]
    t = stage_json["tensors"][0]
    path = spec if os.path.exists(spec) else os.path.join(folder, spec)
    if path.endswith(".npy"):
        return np.load(path)
    return np.fromfile(path, np.dtype(t[f"{side}_dtype"])).reshape(t[f"{side}_shape"])


def table_names(d):
    return [r.find_elements(By.TAG_NAME, "td")[0].text for r in d.find_elements(By.CSS_SELECTOR, "table.samples tbody tr")
            if r.is_displayed()]


d = browser()
try:
    # ---- the checks themselves can fail: an outside URL, a script error, a broken picture
    bad = ck.path("bad.html")
    with open(bad, "w") as f:
        f.write('<!DOCTYPE html><html><body><img src="data:image/png;base64,iVBORw0KGgo="><a href="http://x/">x</a>'
                '<script>nosuch();</script></body></html>')
    outside, severe, broken, n = problems(d, bad)
    ck.check(outside == ["http://x/"] and len(severe) == 1 and "nosuch is not defined" in severe[0] and len(broken) == n == 1,
             f"the control page's faults are seen: {outside}, {severe}, {broken}")

    # ---- one sample: the bundled ResNet-18 pipeline, cv2.resize port vs PIL original
    one = ck.path("one.html")
    args = [os.path.join(E, "ref"), os.path.join(E, "port"), "--manifest", os.path.join(E, "manifest.json"),
            "--bmodel", os.path.join(E, "resnet18_fp32.bmodel")]
    rc, out, err = run("stages", *args, "--json", "--html", one)
    ck.check(rc == 1 and f"HTML report written to {one}" in err, f"stages --html: rc {rc}, {err!r}")
    j = json.loads(out)
    n = load(d, one, "one sample")
    html = open(one).read()
    ck.check(n > 10 and "cause: resize_method" in d.page_source and "top-5 overlap" in d.page_source,
             f"one sample: {n} pictures, diagnosis and top-k shown")
    blocks = []
    for st in j["stages"]:
        sec = anchor("st-", "") + anchor("-", st["name"])
        if st["status"] == "aligned" or st["name"] == "logits":  # aligned: no pictures; logits [1, 1000]: a vector
            no_pictures(d, sec, f"one sample {st['name']}")
            continue
        r, p = load_dump(st, "ref", j["ref_dir"]), load_dump(st, "port", j["port_dir"])
        blocks.append(check_pictures(d, sec, r, p, 256, f"one sample {st['name']}"))
    ck.check(blocks == [2, 1, 1, 1], f"the resize stage (354 x 256) is drawn downsampled by 2, the rest at full size: {blocks}")
    note = d.find_element(By.ID, "pictures-note").text
    ck.check("4 stages drawn, 1 of them downsampled by 2" in note and "left out" not in note, f"note: {note!r}")

    # ---- compare --html: one stage, at full resolution
    cmp_html = ck.path("compare.html")
    cr, cp = os.path.join(E, "ref", "03_normalize.npy"), os.path.join(E, "port", "03_normalize.npy")
    rc, out, err = run("compare", cr, cp, "--html", cmp_html)
    ck.check(rc == 1 and "unaligned!" in out and f"HTML report written to {cmp_html}" in err, f"compare --html: rc {rc}")
    load(d, cmp_html, "compare")
    check_pictures(d, anchor("st-", "") + anchor("-", "compare"), np.load(cr), np.load(cp), 256, "compare")
    rc, out, err = run("compare", cr, cp, "--html", os.path.join(cr, "x.html"))
    ck.check(rc == 2 and err.endswith(f"xalign compare: {os.path.join(cr, 'x.html')}: cannot write the HTML report\n"),
             f"compare --html to a path that cannot be written: rc {rc}, {err!r}")
    rc, out, err = run("compare", os.path.join(E, "ref", "05_logits.npy"), os.path.join(E, "ref", "05_logits.npy"),
                       "--html", ck.path("logits.html"))
    ck.check(rc == 0 and load(d, ck.path("logits.html"), "compare logits") == 0 and
             "no picture" not in open(ck.path("logits.html")).read(), "a vector gets no picture and no note")

    # ---- a dataset: 7 samples of real photos, every other one with the cv2 resize
    ref_dir, port_dir, names, bad = xa_dataset.make(ck.path("ds"), 7)
    ds = ck.path("ds.html")
    rc, out, err = run("stages", ref_dir, port_dir, "--json", "--html", ds)
    dj = json.loads(out)
    unaligned = [s["sample"] for s in dj["samples"] if not s["aligned"]]
    ck.check(rc == 1 and len(unaligned) >= 2 and set(unaligned) <= set(bad), f"dataset: rc {rc}, unaligned {unaligned}")
    load(d, ds, "dataset")
    links = d.execute_script("return Array.from(document.querySelectorAll('a[href^=\"#\"]')).map(function(a){"
                             "return [a.getAttribute('href'), !!document.getElementById(a.getAttribute('href').slice(1))];})")
    ck.check(len(links) >= len(names) and all(ok for _, ok in links), f"dataset: links without a target {[h for h, ok in links if not ok]}")
    for s in dj["samples"]:
        for st in s["stages"]:
            sec = anchor("st-", s["sample"]) + anchor("-", st["name"])
            if st["name"] != s["first_unaligned"]:
                no_pictures(d, sec, f"{s['sample']} {st['name']}")
            else:
                check_pictures(d, sec, load_dump(st, "ref", s["ref_dir"]), load_dump(st, "port", s["port_dir"]), 128,
                               f"{s['sample']} {st['name']}")

    # sorting: by name (ascending, then descending), then by the resize stage's max_abs
    th = {t.text.strip(" \u25b2\u25bc"): t for t in d.find_elements(By.CSS_SELECTOR, "table.samples thead th")}
    ck.check(table_names(d) == names, f"table in name order: {table_names(d)}")
    th["sample"].click()
    ck.check(table_names(d) == sorted(names) and th["sample"].get_attribute("aria-sort") == "ascending", "sorted by name, ascending")
    th["sample"].click()
    ck.check(table_names(d) == sorted(names, reverse=True) and th["sample"].get_attribute("aria-sort") == "descending",
             f"sorted by name, descending: {table_names(d)}")
    prev = table_names(d)
    max_abs = {s["sample"]: next(st["metrics"]["max_abs"] for st in s["stages"] if st["name"] == "resize") for s in dj["samples"]}
    th["resize"].click()
    want = sorted(prev, key=lambda nm: max_abs[nm])  # stable, as the browser's sort is
    ck.check(table_names(d) == want and th["sample"].get_attribute("aria-sort") is None,
             f"sorted by resize max_abs: {table_names(d)} vs {want}")
    th["resize"].click()
    ck.check([max_abs[nm] for nm in table_names(d)] == sorted(max_abs.values(), reverse=True), "resize max_abs descending")
    # filtering: text, then unaligned only
    box = d.find_element(By.ID, "filter")
    box.send_keys(names[3][-2:])
    ck.check(table_names(d) == [names[3]], f"filter '{names[3][-2:]}': {table_names(d)}")
    box.clear()
    box.send_keys("x")  # clear() fires no input event: type, then erase
    box.send_keys("\b")
    ck.check(sorted(table_names(d)) == sorted(names), f"empty filter shows every sample: {table_names(d)}")
    d.find_element(By.ID, "onlybad").click()
    ck.check(sorted(table_names(d)) == sorted(unaligned), f"unaligned only: {table_names(d)} vs {unaligned}")

    # ---- the size budget: 50 samples x 6 stages, every sample unaligned (each draws a picture)
    ref50, port50, names50, bad50 = xa_dataset.make(ck.path("ds50"), 50, bad_every=1)
    big = ck.path("ds50.html")
    rc, out, err = run("stages", ref50, port50, "--no-diagnose", "--json", "--html", big)
    size = os.path.getsize(big)
    print(f"50 samples x 6 stages, {len(bad50)} with the cv2 resize: {size} bytes of HTML")
    j50 = json.loads(out)
    nbad = j50["samples_unaligned"]
    ck.check(rc == 1 and size < 5_000_000, f"50-sample page: {size} bytes, budget 5 MB")
    ck.check(load(d, big, "50 samples") == 6 * nbad, f"every unaligned sample drawn: 6 pictures (ref, port, heatmap, 3"
             f" channels) x {nbad}")
    note = d.find_element(By.ID, "pictures-note").text
    ck.check(f"{nbad} stages drawn" in note and "left out" not in note, f"50 samples note: {note!r}")
    # a budget of 1 MB: pictures of the stages' worst samples first, then page order, then a note
    small = ck.path("ds50-1mb.html")
    rc, out, err = run("stages", ref50, port50, "--no-diagnose", "--html", small, "--html-budget", "1")
    s_html = open(small).read()
    m = re.search(r"the pictures of (\d+) of (\d+) samples are left out to keep the page under 1 MB", s_html)
    left = s_html.count('class="nopic leftout"')
    ck.check(rc == 1 and os.path.getsize(small) <= 1_000_000 and m and int(m.group(2)) == nbad and
             int(m.group(1)) == left > 0, f"1 MB budget: {os.path.getsize(small)} bytes, note {m and m.group(0)}, {left} notes")
    load(d, small, "50 samples, 1 MB")
    worst = {st["worst_sample"] for st in j50["stages"] if st["unaligned"]}
    for wname in worst:
        sec = d.find_element(By.ID, anchor("s-", wname))
        ck.check(sec.find_elements(By.CSS_SELECTOR, "img.heatmap"), f"worst sample {wname} keeps its pictures")
    rc, out, err = run("stages", ref50, port50, "--html", small, "--html-budget", "0")
    ck.check(rc == 2 and err == "xalign stages: --html-budget: MB from 0.01 to 1000000, not 0\n", f"bad budget: {err!r}")
finally:
    d.quit()
shutil.rmtree(ck.path("ds50"), ignore_errors=True)
ck.done()
