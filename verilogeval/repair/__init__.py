"""Repair rounds (`run --repair N`): a failed answer is graded, shown feedback, asked again.

conversation (the messages of the next round)
-> loop (each sample's conversation as a task of its own, beside every other) with
verdict (what ends it) and resume (where each conversation stands in a run folder).
"""
