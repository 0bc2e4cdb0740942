"""`--plus`: the trusted verdict. The official verdict, and no tampering with the harness
(the tamper scan, verilogeval.checks.tamper), and the official testbench passing under
secret shifted random streams (amplify), each run judged by the harness's own line against
the reference's run (harness, check), and the optional strict and formal checks (batch).
"""
