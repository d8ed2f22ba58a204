#!/usr/bin/env python3
"""The report in a real browser: render report.html of a synthetic 32-recipe sweep in headless Chromium,
take a screenshot, check that every plot has a size and nothing drawn overflows its SVG (nor any SVG its
figure, nor the page its window), and print it to PDF with one page per <section>.

Usage: browser_test.py FPSIM_BINARY   (run by ctest; needs Debian's chromium and poppler-utils' pdfinfo,
both installed by tools/setup.sh). Every browser call is bounded by a timeout."""
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TIMEOUT = 120  # seconds per browser call; a render takes 1-5 s on an idle machine
FAILURES = []


def fail(message):
    FAILURES.append(message)
    print("FAIL: " + message)


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(value, f)


def write_sweep(folder):
    """2 models x 32 precisions (fp32, e2..e6 x m1..m6 minus e6m6, bfloat16) x 2 seeds, 8 eval points."""
    precisions = ["fp32"] + ["e%dm%d" % (e, m) for e in range(2, 7) for m in range(1, 7)][:-1] + ["bfloat16"]
    models = [{"type": "mlp", "widths": [784, 512, 512, 10]}, {"type": "cnn", "channels": [6, 16]}]
    runs = []
    for mi, model in enumerate(models):
        for pi, precision in enumerate(precisions):
            for seed in (1, 2):
                rid = "run%03d" % len(runs)
                overrides = {"/model": model, "/precision": precision, "/seed": seed}
                runs.append({"index": len(runs), "id": rid, "overrides": overrides})
                run = os.path.join(folder, rid)
                write_json(os.path.join(run, "run.json"), {"schema": 1, "id": rid, "overrides": overrides})
                diverged = precision.startswith("e2m") and precision != "e2m6"
                acc = 0.86 + 0.0003 * pi + 0.01 * mi + 0.002 * seed
                points = ["fc1/activation", "fc1/activation_grad", "fc2/weight_grad", "fc3/output_grad"]
                with open(os.path.join(run, "metrics.jsonl"), "w") as f:
                    for k, step in enumerate(range(200, 1800, 200)):
                        scale = 2.0 ** min(16, 12 + k) if precision != "fp32" else 1.0
                        tele = {p: {"zero_frac": 0.001 * (pi % 7) * (j + 1) * (k + 1)} for j, p in enumerate(points)}
                        point = {"schema": 1, "step": step, "train_loss": 0.3 + 1.0 / (k + 1) + 0.001 * pi,
                                 "test_loss": 0.35 + 1.0 / (k + 1), "test_accuracy": acc, "loss_scale": scale,
                                 "telemetry": {} if precision == "fp32" else tele}
                        f.write(json.dumps(point) + "\n")
                write_json(os.path.join(run, "summary.json"), {
                    "schema": 1, "status": "diverged" if diverged else "completed",
                    "final_test_accuracy": None if diverged else acc, "best_test_accuracy": None if diverged else acc,
                    "final_test_loss": 0.4, "skipped_steps": 0, "final_loss_scale": 65536.0})
    write_json(os.path.join(folder, "sweep.json"), {
        "schema": 1, "name": "browser_fixture", "description": "Synthetic 32-recipe sweep for the browser test.",
        "axes": ["/model", "/precision", "/seed"], "baseline": {"/precision": "fp32"},
        "report": {"rows": "/precision", "cols": "/model/type"}, "runs": runs})


def chromium(work, *args):
    profile = tempfile.mkdtemp(dir=work, prefix="profile_")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--user-data-dir=" + profile] + list(args)
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        fail("chromium did not finish within %d s: %s" % (TIMEOUT, " ".join(args)))
        return None


# Runs in the page: the box of every SVG and its figure, and the element drawn furthest outside its SVG.
BOX_SCRIPT = """<script>
const out = [];
document.querySelectorAll('figure svg').forEach((s, i) => {
  const r = s.getBoundingClientRect(), f = s.closest('figure').getBoundingClientRect();
  let worst = null;
  s.querySelectorAll('text, rect, line, circle, polyline').forEach(el => {
    const b = el.getBoundingClientRect();
    const over = Math.max(r.left - b.left, b.right - r.right, r.top - b.top, b.bottom - r.bottom);
    if (over > 1 && (!worst || over > worst.over))
      worst = {over: over, tag: el.tagName, text: (el.textContent || '').slice(0, 80)};
  });
  const cap = s.closest('figure').querySelector('figcaption');
  out.push({i: i, caption: cap ? cap.textContent : '', w: r.width, h: r.height,
            svg: [r.left, r.right], figure: [f.left, f.right], worst: worst});
});
const page = {scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth};
const pre = document.createElement('pre');
pre.id = 'boxes';
pre.textContent = JSON.stringify({svgs: out, page: page});
document.body.appendChild(pre);
</script>
"""


def check_boxes(work, report):
    with open(report) as f:
        page = f.read()
    probe = os.path.join(os.path.dirname(report), "report_probe.html")
    with open(probe, "w") as f:
        f.write(page.replace("</body>", BOX_SCRIPT + "</body>"))
    run = chromium(work, "--window-size=1400,1000", "--dump-dom", "file://" + probe)
    if run is None:
        return
    found = re.search(r'<pre id="boxes">(.*?)</pre>', run.stdout, re.S)
    if not found:
        fail("no box dump in chromium's DOM (exit %d): %s" % (run.returncode, run.stderr[-500:]))
        return
    boxes = json.loads(html.unescape(found.group(1)))
    expected = page.count("<svg")
    if len(boxes["svgs"]) != expected:
        fail("chromium laid out %d SVGs, report.html has %d" % (len(boxes["svgs"]), expected))
    for b in boxes["svgs"]:
        name = "plot %d (%s)" % (b["i"], b["caption"][:70])
        if not (b["w"] > 0 and b["h"] > 0):
            fail("%s has size %.0f x %.0f" % (name, b["w"], b["h"]))
        if b["worst"]:
            w = b["worst"]
            fail("%s: <%s> '%s' is drawn %.0f px outside the SVG" % (name, w["tag"], w["text"], w["over"]))
        if b["svg"][0] < b["figure"][0] - 1 or b["svg"][1] > b["figure"][1] + 1:
            fail("%s: the SVG (x %.0f-%.0f) overflows its figure (x %.0f-%.0f)" %
                 (name, b["svg"][0], b["svg"][1], b["figure"][0], b["figure"][1]))
    if boxes["page"]["scroll"] > boxes["page"]["client"] + 1:
        fail("the page scrolls sideways: %d px of content in a %d px window" %
             (boxes["page"]["scroll"], boxes["page"]["client"]))
    print("checked %d SVG boxes" % len(boxes["svgs"]))


def check_screenshot(work, report):
    png = os.path.join(work, "report.png")
    run = chromium(work, "--window-size=1400,4000", "--hide-scrollbars", "--screenshot=" + png, "file://" + report)
    if run is None:
        return
    if not os.path.exists(png):
        fail("no screenshot written (exit %d): %s" % (run.returncode, run.stderr[-500:]))
        return
    with open(png, "rb") as f:
        head = f.read(24)
    width, height = struct.unpack(">II", head[16:24])
    size = os.path.getsize(png)
    # A blank page compresses to a few kB; the report's table and plots take far more.
    if head[:8] != b"\x89PNG\r\n\x1a\n" or (width, height) != (1400, 4000) or size < 50000:
        fail("screenshot %s: %dx%d, %d bytes (expected a 1400x4000 PNG of a drawn page)" % (png, width, height, size))
    print("screenshot %dx%d, %d bytes" % (width, height, size))


def check_pdf(work, report):
    pdf = os.path.join(work, "report.pdf")
    # Both spellings of "no header and footer" (Chromium renamed the flag); an unknown flag is ignored.
    run = chromium(work, "--no-pdf-header-footer", "--print-to-pdf-no-header", "--print-to-pdf=" + pdf,
                   "file://" + report)
    if run is None:
        return
    if not os.path.exists(pdf):
        fail("no PDF written (exit %d): %s" % (run.returncode, run.stderr[-500:]))
        return
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, timeout=TIMEOUT).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    with open(report) as f:
        page = f.read()
    sections = re.findall(r"<section[^>]*>\s*<h[12]>(.*?)</h[12]>", page)
    if pages != len(sections):
        fail("the PDF has %d pages for %d sections (one page each expected; a section too tall for an A4 page, "
             "or a missing page break): %s" % (pages, len(sections), "; ".join(sections)))
    print("PDF: %d pages, %d sections" % (pages, len(sections)))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: browser_test.py FPSIM_BINARY")
    for tool in (CHROMIUM, "pdfinfo"):
        if not shutil.which(tool):
            sys.exit("FAIL: %s is not installed (tools/setup.sh installs chromium and poppler-utils)" % tool)
    work = tempfile.mkdtemp(prefix="fpsim_browser_")
    try:
        folder = os.path.join(work, "browser_fixture")
        write_sweep(folder)
        made = subprocess.run([sys.argv[1], "report", folder], capture_output=True, text=True, timeout=TIMEOUT)
        if made.returncode != 0:
            sys.exit("FAIL: fpsim report exited %d: %s" % (made.returncode, made.stderr))
        report = os.path.join(folder, "report.html")
        check_boxes(work, report)
        check_screenshot(work, report)
        check_pdf(work, report)
    finally:
        if os.environ.get("FPSIM_KEEP_BROWSER_TEST"):
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if FAILURES:
        sys.exit("%d browser check(s) failed" % len(FAILURES))
    print("browser checks passed")


if __name__ == "__main__":
    main()
