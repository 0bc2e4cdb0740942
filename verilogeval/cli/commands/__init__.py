"""One module per sub-command; see verilogeval.cli.entry.COMMANDS."""
