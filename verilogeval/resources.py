"""Find the project's non-Python folders in a checkout or inside an installed wheel."""

from pathlib import Path

# The verilogeval package folder: resources.py stays at its top (the sandbox binds this
# folder; a checkout keeps the resource folders beside it).
PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Path of `dataset`, `prompts`, `icl_examples` or `sims`.

    A wheel carries them under verilogeval/_data (see pyproject.toml); an editable
    install or a plain checkout has them at the repository root.
    """
    for candidate in (PACKAGE_DIR / "_data" / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"resource folder {name!r} not found next to {PACKAGE_DIR}")
