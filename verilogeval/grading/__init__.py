"""Official grading: extraction, simulation, failure classification, time limits, cache."""
