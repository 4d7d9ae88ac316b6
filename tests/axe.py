"""axe-core in the browser tests: the WCAG 2.1 A/AA rules run on a page (or one frame of it) as the user sees it.

axe-core is the npm package pinned in bot/staff/package.json (a devDependency, installed by `make assets`), never
fetched at run time and never served by the gateway. It is evaluated through Playwright rather than added as a
<script> tag: the pages' Content-Security-Policy allows only this origin's scripts, and it must stay on.
"""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
AXE = REPO / "bot" / "staff" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def axe_source() -> str:
    if not AXE.is_file():
        subprocess.run(["bash", str(REPO / "bot" / "staff" / "install-assets.sh")], check=True)
    return AXE.read_text(encoding="utf-8")


def violations(target: Any, exclude: list[str] | None = None) -> dict[str, int]:
    """{rule id: number of failing nodes} of the WCAG 2.1 A/AA rules on a Playwright Page or Frame.

    Frames are checked each on its own (the widget's iframe is its own document): `exclude` leaves out
    selectors, e.g. the iframe when the host page is checked."""
    if not target.evaluate("typeof window.axe !== 'undefined'"):
        target.evaluate(axe_source() + "\n;undefined")
    # Half-faded text mid-animation would be measured as low contrast: let finite animations end first.
    target.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter((a) => a.effect && a.effect.getTiming().iterations !== Infinity)
            .map((a) => a.finished.catch(() => null)))"""
    )
    found: list[dict[str, Any]] = target.evaluate(
        """async ([tags, exclude]) => {
            const context = exclude.length ? {exclude: exclude.map((s) => [s])} : document;
            const result = await window.axe.run(context, {runOnly: {type: 'tag', values: tags}, iframes: false});
            return result.violations.map((v) => ({id: v.id, nodes: v.nodes.map((n) => n.target.join(' '))}));
        }""",
        [WCAG_21_AA, exclude or []],
    )
    return {v["id"]: len(v["nodes"]) for v in found}


def details(target: Any) -> list[dict[str, Any]]:
    """The failing nodes with axe's summary, for a message when a page regresses."""
    result: list[dict[str, Any]] = target.evaluate(
        """async (tags) => {
            const result = await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, iframes: false});
            return result.violations.map((v) => ({id: v.id, nodes: v.nodes.slice(0, 5).map((n) => ({
                target: n.target.join(' '), html: n.html.slice(0, 160), why: n.failureSummary}))}));
        }""",
        WCAG_21_AA,
    )
    return result
