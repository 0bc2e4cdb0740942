"""`--plus`: the trusted verdict. The official verdict, and no tampering with the harness
(tamper), and the official testbench passing under shifted random streams (amplify), and
the optional strict and formal checks (result, batch).
"""
