"""Feedback for repair rounds: what a failed answer's grading may show the model, by level.

levels (what each level names) -> evidence (typed records built from the grading, with
everything of the oracle the level does not name left out) -> render (the Jinja templates
under prompts/feedback/ turn one evidence record into the message sent).
"""
