"""The bubblewrap sandbox: the host side, the agent inside, per-command isolation."""
