"""One module per sub-command; see verilogeval.cli.COMMANDS."""
