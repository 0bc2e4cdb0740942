"""VerilogEval in Inspect AI (the optional extra `verilogeval[inspect]`).

The tasks (`tasks`, `agent`), the grader as a scorer (`scorer`, over `grading`), the
agent's tools (`tools`) and Inspect logs both ways (`import_log`, `export_log`); `registry`
is what Inspect's entry point loads. Only the import-inspect and export-inspect commands
reach in here, after `extra` checked Inspect is installed: without the extra, nothing of
Inspect is ever imported.
"""
