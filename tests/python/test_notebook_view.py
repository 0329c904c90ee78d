"""The notebook view: Report._repr_html_() is the core's HTML fragment (one <div>, scoped
CSS, no script, nothing loaded) with the verdict, the forest plot and the rules table with
both models' values, severity and scope. The oracles are Python's own HTML and XML parsers
and scikit-learn's roc_auc_score on the example data."""

import html.parser
import pathlib
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import referee
from referee import _core
from referee._report import Report

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "source", "wbr"}
SVG_EMPTY = {"line", "circle", "rect", "path"}


class Tree(html.parser.HTMLParser):
    """Checks that tags nest and close, and collects tags, attributes and table rows."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.tags, self.attributes, self.rows, self._cell = [], [], [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(name for name, _ in attrs)
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = ""
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(name for name, _ in attrs)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag in ("td", "th"):
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def view():
    data = EXAMPLES / "credit_eval.csv"
    return pd.read_csv(data), referee.evaluate(data, EXAMPLES / "gate-segments.json", threads=1)


def test_fragment_is_one_self_contained_div(view):
    _, report = view
    page = report._repr_html_()
    tree = Tree()
    tree.feed(page)
    tree.close()
    assert tree.stack == []
    assert tree.tags[0] == "div" and page.startswith('<div class="referee-report">') and page.endswith("</div>\n")
    assert not {"html", "head", "body", "script", "link", "img", "iframe", "object"} & set(tree.tags)
    assert not {"src", "href", "onload", "onclick"} & set(tree.attributes)
    assert "url(" not in page and "@import" not in page
    style = page[page.index("<style>") + len("<style>"):page.index("</style>")]
    selectors = [rule.split("{")[0] for rule in style.split("}") if rule.strip()]
    assert selectors and all(s.strip().startswith(".referee-report") for sel in selectors for s in sel.split(","))
    svg = page[page.index("<svg"):page.index("</svg>") + len("</svg>")]
    ET.fromstring(svg)  # well-formed XML


def test_fragment_shows_both_models_severity_and_scope(view):
    frame, report = view
    tree = Tree()
    tree.feed(report._repr_html_())
    header, *rows = [r for r in tree.rows if r]
    assert header[:8] == ["verdict", "severity", "rule", "metric", "scope", "subject", "champion", "challenger"]
    # Each rule's row, then its reason on a row of its own.
    by_id = {row[2]: dict(zip(header, row), reason=reason[0]) for row, reason in zip(rows[::2], rows[1::2])}
    assert set(by_id) == {r.id for r in report.rules}
    overall = by_id["auc-overall"]
    assert overall["scope"] == "overall" and overall["severity"] == "block"
    assert overall["champion"].startswith(f"{roc_auc_score(frame['y'], frame['score_prod']):.4f} [")
    assert overall["challenger"].startswith(f"{roc_auc_score(frame['y'], frame['score_new']):.4f} [")
    assert by_id["auc-every-region"]["scope"] == "each region"
    assert by_id["dp-ratio"]["severity"] == "warn" and by_id["dp-ratio"]["scope"] == "sex"
    assert by_id["auc-overall"]["reason"] == next(r.reason for r in report.rules if r.id == "auc-overall")


def test_fragment_verdict_matches_the_html_report(view):
    _, report = view
    banner = f'<div class="banner" style="background:{_core.VERDICT_COLOURS[report.verdict]}">referee: {report.verdict}'
    assert banner in report._repr_html_() and banner in report.to_html()


def test_a_report_from_json_alone_has_no_html_view(view):
    _, report = view
    assert Report(report.to_json())._repr_html_() is None
