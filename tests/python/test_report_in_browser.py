"""The forest plot never clips or overlaps a label, measured by a browser: headless
Chromium lays out the HTML report and the notebook fragment of a policy with long rule ids
and many segments, and reports each SVG text's bounding box (getBBox) against the viewBox.
Skipped where Chromium is not installed (apt-get install chromium)."""

import json
import pathlib
import re
import shutil
import subprocess

import pytest

import referee

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

# Appended to the page: counts the SVG texts and lists every box outside the viewBox and
# every pair of boxes that overlap, into <pre id="result">.
MEASURE = """<script>
const problems = []; let texts = 0;
for (const svg of document.querySelectorAll('svg.forest')) {
  const view = svg.viewBox.baseVal;
  const boxes = [...svg.querySelectorAll('text')].map(t => [t.getBBox(), t.textContent]);
  texts += boxes.length;
  for (const [b, text] of boxes)
    if (b.x < 0 || b.y < 0 || b.x + b.width > view.width || b.y + b.height > view.height)
      problems.push('outside: ' + text);
  for (let i = 0; i < boxes.length; ++i)
    for (let j = i + 1; j < boxes.length; ++j) {
      const [a, ta] = boxes[i], [b, tb] = boxes[j];
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height)
        problems.push('overlap: ' + ta + ' | ' + tb);
    }
}
document.body.insertAdjacentHTML('beforeend',
  '<pre id="result">' + texts + ' texts\\n' + problems.join('\\n') + '</pre>');
</script>"""


def long_label_report():
    policy = json.loads((EXAMPLES / "gate-segments.json").read_text())
    policy["rules"][0]["id"] = "auc-non-inferior-for-the-quarterly-credit-risk-model-in-every-region-v2"
    policy["rules"][1]["id"] = "W" * 60  # the widest letter, in any font
    policy["rules"].append({"id": "tight-" + "M" * 30, "metric": "roc_auc", "subject": "delta", "min": 0.04,
                            "severity": "warn", "scope": {"each_segment": "region*channel"}})
    return referee.evaluate(EXAMPLES / "segment_trap.csv", policy, threads=1)


def measured(page, tmp_path):
    path = tmp_path / "page.html"
    path.write_text(page.replace("</body>", MEASURE + "</body>") if "</body>" in page
                    else "<!DOCTYPE html><html><body>" + page + MEASURE + "</body></html>", encoding="utf-8")
    dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", path.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    result = re.search(r'<pre id="result">(\d+) texts\n(.*?)</pre>', dom, re.S)
    assert result, "Chromium gave no measurement"
    return int(result.group(1)), [p for p in result.group(2).split("\n") if p]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_no_label_of_the_forest_plot_is_clipped_or_overlaps_in_chromium(tmp_path):
    report = long_label_report()
    assert "FAIL (warn)" in report.to_html() and ">INCONCLUSIVE<" in report.to_html()  # the long verdicts
    for page in (report.to_html(), report._repr_html_()):
        texts, problems = measured(page, tmp_path)
        assert texts > 60
        assert problems == []
