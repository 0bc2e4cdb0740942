"""`verilogeval models`: the adapters a model spec can name, and the paper's model aliases."""

from __future__ import annotations

import argparse

from verilogeval.models.registry import ADAPTERS, ALIASES


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
    print('aliases (the models of "Revisiting VerilogEval"):')
    width = max(len(alias) for alias in ALIASES)
    for alias, target in ALIASES.items():
        print(f"  {alias:<{width}}  {target}")
    return 0
