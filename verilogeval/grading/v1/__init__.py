"""VerilogEval v1's harness as it ran: sample assembly, iverilog command, verdict rules."""
