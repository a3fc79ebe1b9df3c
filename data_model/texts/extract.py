"""Which msgids the code uses (by reading its syntax tree) and which of them the English catalogue lacks.

python -m data_model.texts.extract  lists missing translations, texts that cannot be extracted and unused entries;
with --prune it also removes the unused entries from the English catalogue and compiles it."""
from __future__ import annotations

import ast
import importlib
import io
import pkgutil
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from data_model.texts.catalogue import DOMAIN, LOCALE_DIR

UNIT_CONTEXT = "unit "  # Measure.unit_for: the context of a measure unit's plural forms

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # texts stand below schema (and its settings)
SOURCE_DIRS = ("data_model", "pages", "ui")
SOURCE_FILES = ("dashboard.py", "deploy/check_process.py")
TEXT_CALLS = {"t", "translate", "Text", "N_", "say"}  # first argument: a msgid
PLURAL_CALLS = {"tn", "translate_plural", "say_plural"}  # first argument: a msgid with plural forms
FIELD_CALLS = {"clean_text": 1, "checked_text": 1, "checked_key": 1, "checked_languages": 1, "check_password": 99,
               "refused": 0}
# ^ the field label (a msgid): keyword field or this position


@dataclass(frozen=True)
class Use:
    """One msgid used in the code."""

    msgid: str
    ctx: str | None
    plural: bool
    where: str


@cache
def user_error_names() -> frozenset[str]:
    """The names of every UserError subclass (their constructors take a msgid)."""
    import data_model
    from data_model.texts.errors import UserError

    for info in pkgutil.walk_packages(data_model.__path__, "data_model."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    found, todo = set(), [UserError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo += cls.__subclasses__()
    return frozenset(found)


def source_files(root: Path = PROJECT_ROOT) -> list[Path]:
    """The Python files whose texts users read."""
    files = [root / f for f in SOURCE_FILES]
    for d in SOURCE_DIRS:
        files += sorted((root / d).rglob("*.py"))
    return files


def _name(func: ast.AST) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def uses_in(path: Path, root: Path = PROJECT_ROOT) -> tuple[list[Use], list[str]]:
    """The msgids one file uses, and the places where a text cannot be extracted (an f-string or a concatenation)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    uses, problems = [], []
    where = str(path.relative_to(root))
    errors = user_error_names()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        arg: ast.AST | None = None
        if name in TEXT_CALLS | PLURAL_CALLS or name in errors:
            if name == "t" and len(node.args) == 2:  # the old two-text form carries its own English
                continue
            arg = node.args[0] if node.args else None
        elif name in FIELD_CALLS:
            arg = _keyword(node, "field")
            if arg is None and len(node.args) > FIELD_CALLS[name]:
                arg = node.args[FIELD_CALLS[name]]
        if arg is None:
            continue
        line = f"{where}:{node.lineno}"
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            ctx = _keyword(node, "ctx")
            plural = name in PLURAL_CALLS or (name == "Text" and _keyword(node, "n") is not None)
            if arg.value:
                uses.append(Use(arg.value, ctx.value if isinstance(ctx, ast.Constant) else None, plural, line))
        elif isinstance(arg, (ast.JoinedStr, ast.BinOp)) or (
                isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute)
                and isinstance(arg.func.value, (ast.JoinedStr, ast.Constant))):  # f"…".replace(…)
            problems.append(f"{line}: {name}() with an f-string or a concatenation: use a msgid with {{placeholders}}")
    return uses, problems


def used_msgids(root: Path = PROJECT_ROOT) -> tuple[list[Use], list[str]]:
    """Every msgid the code uses, and every text that cannot be extracted."""
    uses, problems = [], []
    for path in source_files(root):
        u, p = uses_in(path, root)
        uses += u
        problems += p
    return uses, problems


def english_catalogue(locale_dir: Path = LOCALE_DIR):
    """The English .po catalogue (babel Catalog)."""
    with open(locale_dir / "en" / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as fh:
        return read_po(fh, locale="en")


def missing_translations(uses: list[Use], catalogue) -> list[Use]:
    """Uses whose msgid (in its context) has no English, or lacks the plural forms a plural use needs."""
    out = []
    for use in uses:
        entry = catalogue.get(use.msgid, context=use.ctx)
        strings = entry.string if entry is not None else None
        if isinstance(strings, tuple):
            ok = all(strings) and (use.plural or True)
        else:
            ok = bool(strings) and not use.plural
        if not ok:
            out.append(use)
    return out


def unused_entries(uses: list[Use], catalogue) -> list[str]:
    """Catalogue entries no code uses (argparse's own msgids and the measure units' plural forms count as used)."""
    used = {(u.msgid, u.ctx) for u in uses}
    out = []
    for message in catalogue:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if (key and (key, message.context) not in used and not (message.context or "").startswith(UNIT_CONTEXT)
                and "argparse" not in " ".join(message.auto_comments)):
            out.append(key)
    return out


if __name__ == "__main__":
    found, bad = used_msgids()
    cat = english_catalogue()
    for use in missing_translations(found, cat):
        print(f"missing: {use.where}: {use.msgid!r}" + (f" (ctx {use.ctx!r})" if use.ctx else "")
              + (" [plural]" if use.plural else ""))
    for problem in bad:
        print("not extractable:", problem)
    unused = unused_entries(found, cat)
    for key in unused:
        print("unused:", repr(key))
    if "--prune" in sys.argv and unused:
        from data_model.texts.compile import compile_catalogues

        used = {(u.msgid, u.ctx) for u in found}
        for message in list(cat):
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if key in unused and (key, message.context) not in used:
                cat.delete(message.id, context=message.context)
        out = io.BytesIO()
        write_po(out, cat, width=0, sort_output=True, include_previous=False)
        (LOCALE_DIR / "en" / "LC_MESSAGES" / f"{DOMAIN}.po").write_bytes(out.getvalue())
        compile_catalogues()
        print(f"pruned {len(unused)} entries")
