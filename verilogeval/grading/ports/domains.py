"""Per-problem input domains (domains.toml), read once into typed records.

A domain is a list of Verilog boolean expressions over RefModule's input ports that every
input the problem cares about satisfies. The formal check turns each into an `assume`
inside the reference; other checks (the differential test) may filter stimulus with them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from verilogeval.errors import UserError


@dataclass(frozen=True)
class Domain:
    problem: str
    assume: tuple[str, ...]  # Verilog boolean expressions over RefModule's inputs
    why: str


@cache
def load_domains() -> dict[str, Domain]:
    """Every problem's declared domain, by problem name (both tasks share names)."""
    text = resources.files(__package__).joinpath("domains.toml").read_text(encoding="utf-8")
    return parse_domains(text, "domains.toml")


def parse_domains(text: str, source: str) -> dict[str, Domain]:
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{source}: {error}") from None
    domains = {}
    for problem, entry in table.items():
        assume = entry.get("assume") if isinstance(entry, dict) else None
        if not isinstance(assume, list) or not all(isinstance(a, str) for a in assume):
            raise UserError(f"{source}: [{problem}] needs `assume`, a list of strings")
        domains[problem] = Domain(problem, tuple(assume), str(entry.get("why", "")))
    return domains


def domain_of(problem: str) -> Domain | None:
    return load_domains().get(problem)
