"""Turn one evidence record into the feedback message, with its level's template."""

from __future__ import annotations

from verilogeval.feedback.evidence import Evidence, SignalRole
from verilogeval.prompt import template_environment
from verilogeval.records import CATEGORY_NAMES

_COLUMN_SUFFIX = {
    SignalRole.INPUT: "",
    SignalRole.EXPECTED: " (expected)",
    SignalRole.ANSWER: " (yours)",
}


def render_feedback(evidence: Evidence, *, explain: bool = False) -> str:
    """The user message for the next round: prompts/feedback/<level>.j2 over `evidence`.

    `explain` is the prompt's own setting: without it, the answer is asked between
    [BEGIN] and [DONE] as in the first prompt.
    """
    template = template_environment().get_template(f"feedback/{evidence.level}.j2")
    return template.render(
        evidence=evidence,
        category_name=CATEGORY_NAMES[evidence.category],
        column_suffix=_COLUMN_SUFFIX,
        explain=explain,
    )
