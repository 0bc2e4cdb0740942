"""The tamper scan: what in a sample acts on the harness rather than on the design (scan,
with token_scan in the parser child), and whether a compiled simulation is the graded
design (origins). Below plus, strict and formal, so that each refuses what it flags.
"""
