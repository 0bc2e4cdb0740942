"""Post-verdict checks, after the official verdict (plus, strict, formal): one registry."""
