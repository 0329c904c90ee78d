"""Writes a page that shows ``Report._repr_html_()`` as a JupyterLab notebook shows a cell's
output, for the screenshot in docs/report.md (docs/img/screenshots.sh runs it).

The page imitates JupyterLab's default light theme where it touches the output: its fonts
(system-ui for text, Menlo/Consolas/DejaVu Sans Mono for code, 14 px), and what its
rendered-HTML styles do to a table in an output (cells right-aligned by a rule of two
classes, no borders, fixed layout, zebra rows), so the screenshot shows the fragment holding
its own against them. The styles are written here from that description, not copied.

usage: python notebook_page.py DATA POLICY OUT.html
"""

import html
import sys

import referee

CODE_FONT = "Menlo,Consolas,'DejaVu Sans Mono',monospace"
STYLE = f"""
body {{ margin: 0; padding: 16px 24px; background: #fff; color: rgba(0,0,0,.87);
       font-family: system-ui,-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif;
       font-size: 14px; }}
.cell {{ display: flex; gap: 8px; margin: 6px 0; }}
.prompt {{ width: 64px; flex: none; text-align: right; font-family: {CODE_FONT}; font-size: 13px;
          color: #307fc1; padding-top: 6px; }}
.prompt.out {{ color: #bf5b3d; }}
pre.input {{ flex: 1; margin: 0; padding: 6px 8px; background: #f5f5f5; border: 1px solid #e0e0e0;
            font-family: {CODE_FONT}; font-size: 13px; line-height: 1.4; }}
.output {{ flex: 1; min-width: 0; line-height: 1.6; padding-right: 20px; }}
.output table {{ border-collapse: collapse; border: none; font-size: 13px; table-layout: fixed;
                margin: 0 auto 1em; }}
.output td, .output th, .output tr {{ vertical-align: middle; padding: .5em; line-height: normal; border: none; }}
:not(.markdown).output td, :not(.markdown).output th {{ text-align: right; }}
.output tbody tr:nth-child(even) {{ background: #f5f5f5; }}
.output p {{ text-align: left; margin: 0 0 1em; }}
.output svg {{ max-width: 100%; height: auto; }}
.output code {{ background: #eeeeee; padding: 1px 5px; font-family: {CODE_FONT}; }}
"""


def main(data: str, policy: str, out: str) -> None:
    report = referee.evaluate(data, policy)
    code = f"import referee\nreport = referee.evaluate({data!r}, {policy!r})\nreport"
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>notebook</title>'
        f"<style>{STYLE}</style></head><body>\n"
        f'<div class="cell"><div class="prompt">[1]:</div><pre class="input">{html.escape(code)}</pre></div>\n'
        f'<div class="cell"><div class="prompt out">[1]:</div><div class="output">{report._repr_html_()}</div></div>\n'
        "</body></html>\n"
    )
    with open(out, "w", encoding="utf-8") as f:
        f.write(page)


if __name__ == "__main__":
    main(*sys.argv[1:4])
