"""Print the package dependency matrix of data_model: row imports column (count of module-level import edges).

Every import counts, also those inside functions and under TYPE_CHECKING. Run: .venv/bin/python scripts/import_matrix.py
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = "data_model"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    mod = module_name(path)
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = mod.split(".")
                base = base if is_pkg else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
    return {t for t in found if t == PKG or t.startswith(PKG + ".")}


def package_of(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] != "__main__" else "(root)"


def main() -> None:
    edges: Counter[tuple[str, str]] = Counter()
    detail: list[tuple[str, str, str, str]] = []
    for path in sorted((ROOT / PKG).rglob("*.py")):
        src = package_of(module_name(path))
        for target in imports_of(path):
            dst = package_of(target)
            if dst != src:
                edges[(src, dst)] += 1
                detail.append((src, dst, module_name(path), target))
    packages = sorted({p for e in edges for p in e})
    args = [a for a in sys.argv[1:] if a != "-v"]
    order = args[0].split(",") if args else packages
    order += [p for p in packages if p not in order]
    width = max(len(p) for p in order)
    print(" " * width + " " + " ".join(p[:4].rjust(4) for p in order))
    upward = 0
    for i, src in enumerate(order):
        cells = []
        for j, dst in enumerate(order):
            n = edges.get((src, dst), 0)
            if n and j > i:
                upward += n
            cells.append((str(n) + ("^" if n and j > i else "")).rjust(4) if n else "   .")
        print(src.rjust(width) + " " + " ".join(cells))
    if "-v" in sys.argv:
        rank = {p: i for i, p in enumerate(order)}
        for src, dst, mod, target in sorted(detail):
            if rank[dst] > rank[src]:
                print(f"  up: {mod} -> {target}")
    print(f"\n{sum(edges.values())} cross-package module imports; {upward} point up (^) in this order (bottom first)")


if __name__ == "__main__":
    main()
