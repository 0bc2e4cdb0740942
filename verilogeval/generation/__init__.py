"""Generation: the model adapters, the engine that asks them, and what their responses hold."""
