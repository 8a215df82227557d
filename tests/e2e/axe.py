"""axe-core in the browser tests: WCAG 2.1 A/AA rules, critical and serious violations fail.

The script is vendored (tests/e2e/vendor, axe-core's npm package) so no test downloads
anything. It is evaluated through the DevTools protocol rather than added as a <script>
element: the pages send a Content-Security-Policy without 'unsafe-inline', which would
block an inline script, while page.evaluate is not subject to it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"critical", "serious"}


@cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page, context: str | None = None) -> list[dict]:
    """The critical and serious WCAG 2.1 A/AA violations on the page as it is now (or in
    the part that `context`, a CSS selector, names), one dict per rule."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated as a function body so that axe's UMD wrapper sees no module system and
        # sets window.axe.
        page.evaluate(f"() => {{ {_axe_source()}\n }}")
    result = page.evaluate(
        """([context, tags]) => window.axe.run(context || document, {
               runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})""",
        [context, WCAG_TAGS],
    )
    return _broken_references(page, context) + [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [
                {"target": n["target"], "summary": n.get("failureSummary", "")[:300]}
                for n in v["nodes"][:5]
            ],
        }
        for v in result["violations"]
        if v["impact"] in FAILING_IMPACTS
    ]


class AxeAudit:
    """Collects violations over a walk of many screen states, so that one run reports them
    all instead of stopping at the first screen."""

    def __init__(self, page):
        self.page = page
        self.found: dict[str, list[dict]] = {}
        self.checked: list[str] = []

    def check(self, state: str, context: str | None = None) -> None:
        self.checked.append(state)
        violations = axe_violations(self.page, context)
        if violations:
            self.found[state] = violations

    def assert_clean(self) -> None:
        assert not self.found, _report(self.found)


def _report(found: dict[str, list[dict]]) -> str:
    # One line per rule and element, naming the screen states it was found on: the same
    # badge is found on every state of a screen.
    seen: dict[tuple, list[str]] = {}
    for state, violations in found.items():
        for v in violations:
            for n in v["nodes"] or [{"target": "", "summary": ""}]:
                key = (
                    v["impact"],
                    v["rule"],
                    str(n["target"]),
                    n["summary"].replace("\n", " ")[:160],
                )
                seen.setdefault(key, []).append(state)
    lines = [f"axe: critical/serious WCAG 2.1 A/AA violations on {len(found)} screen state(s)"]
    for (impact, rule, target, summary), states in seen.items():
        lines.append(f"- {impact} {rule} {target} {summary!r} on {states[0]} (+{len(states) - 1})")
    return "\n".join(lines)


# axe only asks for a review when an aria-describedby names an id the page lacks; a help
# text or an error that is never read out is what such an id means, so it fails here.
REFERENCE_ATTRIBUTES = ("aria-describedby", "aria-labelledby", "aria-controls", "aria-errormessage")


def _broken_references(page, context: str | None) -> list[dict]:
    missing = page.evaluate(
        """([context, attributes]) => {
               const root = context ? document.querySelector(context) : document;
               const found = [];
               for (const attribute of attributes) {
                   for (const element of (root ? root.querySelectorAll(`[${attribute}]`) : [])) {
                       for (const id of element.getAttribute(attribute).split(/\\s+/)) {
                           if (id && !document.getElementById(id)) {
                               found.push({target: [element.outerHTML.slice(0, 160)],
                                           summary: `${attribute} names "${id}", which is not on the page`});
                           }
                       }
                   }
               }
               return found;
           }""",
        [context, list(REFERENCE_ATTRIBUTES)],
    )
    if not missing:
        return []
    return [
        {
            "rule": "aria-reference-missing",
            "impact": "serious",
            "help": "ARIA attributes must name ids that are on the page",
            "nodes": missing[:5],
        }
    ]
