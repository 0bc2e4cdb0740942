"""Model adapters: one small interface (base.py), one module per adapter, one registry."""
