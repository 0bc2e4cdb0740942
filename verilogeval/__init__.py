"""verilogeval: benchmark LLMs on RTL generation (VerilogEval v2 in official parity)."""

__version__ = "0.1.0"
