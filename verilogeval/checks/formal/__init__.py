"""Formal equivalence: a sample proven (or disproved) equal to its problem's reference.

yosys (miter + SAT: bounded check from the testbench's reset, then temporal induction) ->
every candidate counterexample replayed in Icarus -> FormalResult.
verilogeval/grading/ports/domains.toml holds the input assumptions some problems make (e.g. a
one-hot state input).
"""
