"""The module Inspect's `inspect_ai` entry point loads: importing it registers the tasks."""

from verilogeval.inspect_tasks.tasks import code_complete, spec_to_rtl, spec_to_rtl_agent

__all__ = ["code_complete", "spec_to_rtl", "spec_to_rtl_agent"]
