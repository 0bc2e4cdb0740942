"""The run folder: its file names, its typed records, and the one resume check.

Every command that writes or reads a run folder goes through this package: `files` names
the files, `lines` turns results.jsonl and generations.jsonl lines into typed records and
back, `manifest` does the same for run.json and decides whether a folder may be resumed.
"""
