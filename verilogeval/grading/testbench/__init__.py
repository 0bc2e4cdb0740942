"""cocotb runs in a sandboxed child process, and a problem's own cocotb testbench (`_test.py`).

cocotb_child is the child's entry; cocotb_job runs one child job as a sandbox Command;
python_tb grades a sample with its problem's `_test.py` (official grading). The
differential test (strict) runs its own cocotb test through the same child.
"""
