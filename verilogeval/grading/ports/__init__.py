"""RefModule's ports beside TopModule's: what the cocotb testbench grading and the checks share.

pairing (both interfaces -> each port's role) -> wrapper (both modules side by side in one
top) ; domains.toml: the inputs some problems promise (e.g. a one-hot state input). The
differential test (strict), the formal check and a problem's own cocotb testbench all read
these, so they live below all three.
"""
