"""VerilogEval in Inspect AI (the optional extra `verilogeval[inspect]`).

Tasks (`tasks`, `agent`), the grader as a scorer (`scorer`), tools for agents (`tools`)
and Inspect logs both ways (`logs`). Nothing outside this package imports it, so without
the extra nothing of Inspect is ever imported.
"""
