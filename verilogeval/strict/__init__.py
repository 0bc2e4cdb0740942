"""Differential testing with cocotb: a sample against its problem's reference, cycle by cycle.

pairing (RefModule vs TopModule interfaces) -> wrapper (both side by side) -> cocotb run in
a child process (sims/diff_test.py drives and compares) -> StrictResult. The same child
process glue also runs a problem's own cocotb `_test.py` testbench.
"""
