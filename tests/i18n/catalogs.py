"""A small reader of gettext .po files, enough for checking this project's catalogs."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")
# Python-format placeholders: %(name)s, %(count)d, %s, %d (not the escaped %%).
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sd]")


def catalog_path(language: str, domain: str = "django") -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / f"{domain}.po"


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), body)


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular msgstr
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    def sources(self) -> dict[int, str]:
        """The English text each msgstr form translates (plural form 0: msgid, others: plural)."""
        if self.msgid_plural is None:
            return {0: self.msgid}
        return {n: self.msgid if n == 0 else self.msgid_plural for n in self.msgstr}


def read_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header included; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    last: tuple[str, int | None] | None = None

    def finish():
        nonlocal entry
        if entry is not None and (entry.msgid or entry.msgstr):
            entries.append(entry)
        entry = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = Entry()
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, value = match.groups()
            if keyword.startswith("msgstr"):
                last = ("msgstr", int(index) if index is not None else 0)
                entry.msgstr[last[1]] = _unquote(value)
            else:
                last = (keyword, None)
                setattr(entry, keyword, _unquote(value))
        elif line.startswith('"') and last is not None:
            if last[0] == "msgstr":
                entry.msgstr[last[1]] += _unquote(line)
            else:
                setattr(entry, last[0], getattr(entry, last[0]) + _unquote(line))
        else:
            raise ValueError(f"{path}: cannot read the line {raw!r}")
    finish()
    return entries


def messages(path: Path) -> dict[tuple, Entry]:
    """The entries of a catalog by (msgctxt, msgid, msgid_plural), without the header."""
    return {entry.key: entry for entry in read_po(path) if not entry.is_header}


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))
