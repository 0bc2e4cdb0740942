"""Problem sets: the loader, the benchmark versions and their errata, reference failures."""
