"""`verilogeval models`: the adapters a model spec can name, and the model aliases."""

from __future__ import annotations

import argparse

from verilogeval.generation.models.registry import ADAPTERS, ALIASES

EXAMPLES = """
verilogeval models
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    print("adapters (--model ...):")
    forms = {
        name: name if entry.argument is None else f"{name}:{entry.argument}"
        for name, entry in ADAPTERS.items()
    }
    width = max(len(form) for form in forms.values())
    for name, entry in ADAPTERS.items():
        print(f"  {forms[name]:<{width}}  {entry.help}")
    print("  (litellm: the prefix may be left out, e.g. --model anthropic/claude-3-5-haiku-latest)")
    print("")
    print('aliases (the models of "Revisiting VerilogEval", then current reasoning models):')
    width = max(len(alias) for alias in ALIASES)
    target_width = max(len(alias.target) for alias in ALIASES.values())
    for name, alias in ALIASES.items():
        settings = [alias.note] if alias.note else []
        if alias.reasoning_effort is not None:
            settings.append(f"--reasoning-effort {alias.reasoning_effort}")
        if alias.thinking_budget is not None:
            settings.append(f"--thinking-budget {alias.thinking_budget}")
        print(f"  {name:<{width}}  {alias.target:<{target_width}}  {'; '.join(settings)}".rstrip())
    print("  (an alias's settings are defaults: the flags override them)")
    return 0
