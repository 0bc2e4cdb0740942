"""Differential testing with cocotb: a sample against its problem's reference, cycle by cycle.

pairing (RefModule vs TopModule interfaces) -> wrapper (both side by side), both in
verilogeval.grading.ports -> cocotb run in a child process (verilogeval.grading.testbench;
sims/diff_test.py drives and compares) -> StrictResult.
"""
