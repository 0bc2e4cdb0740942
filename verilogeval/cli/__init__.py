"""The command line: the sub-command registry, each command, and its --json output."""
