"""The module Inspect's `inspect_ai` entry point loads: importing it registers the tasks."""

from verilogeval.inspect_tasks.tasks import code_complete, spec_to_rtl

__all__ = ["code_complete", "spec_to_rtl"]
