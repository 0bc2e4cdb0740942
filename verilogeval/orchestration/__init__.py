"""Orchestration: the plans of the commands, their one executor, the pipeline and repair rounds."""
