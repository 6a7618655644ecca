"""Accessibility and layout checks for the browser tests.

- ``axe_violations(page)``: axe-core (vendored in static/vendor/axe-core, served by the app) run on
  the page against WCAG 2.0/2.1 A and AA; the serious and critical violations, each as
  "rule: target, ..." for the failure message.
- ``sideways_overflow(page)``: whether the page scrolls sideways, and which elements reach past
  the viewport's right edge (outside a box that scrolls sideways itself, such as a wide table
  in ``.scroll``).
"""

from __future__ import annotations

from typing import Any

# Served by the app itself: the pages' Content-Security-Policy refuses an inline script.
AXE = "/static/vendor/axe-core/axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Any) -> list[str]:
    """The serious and critical WCAG 2.1 AA violations axe-core finds on the page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    assert len(result["passes"]) > 10, "axe-core checked next to nothing"
    return [
        f"{v['id']} ({v['impact']}): "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sideways_overflow(page: Any) -> list[str]:
    """Empty when nothing reaches past the viewport's right edge, else what does."""
    return list(
        page.evaluate(
            """() => {
              const width = document.documentElement.clientWidth;
              const out = [];
              if (document.documentElement.scrollWidth > width) {
                out.push(`page ${document.documentElement.scrollWidth} > ${width}`);
              }
              // Inside a box that scrolls or clips sideways (a wide table in .scroll) is fine.
              const contained = el => {
                for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
                  const overflow = getComputedStyle(p).overflowX;
                  if (['auto', 'scroll', 'hidden', 'clip'].includes(overflow)) {
                    return true;
                  }
                }
                return false;
              };
              for (const el of document.querySelectorAll('body *')) {
                const box = el.getBoundingClientRect();
                if (box.width > 0 && box.right > width + 1 && !contained(el)) {
                  out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(box.right)}`);
                }
              }
              return out.slice(0, 10);
            }"""
        )
    )
