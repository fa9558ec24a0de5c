"""The configured lists and the zh/en glossary, read from the data files shared with the portal.

``data/catalog.json`` holds what an operator configures (categories, departments, rejection reasons);
``data/glossary.json`` holds the labels of the domain's fixed terms. The portal's build reads the
same files, so the API and the published pages never disagree.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

from msgspec import Struct

__all__ = [
    "DATA_DIR",
    "LANGUAGES",
    "Category",
    "Department",
    "Label",
    "Lang",
    "OfficeMailboxes",
    "RejectionReason",
    "categories",
    "category",
    "department",
    "departments",
    "label",
    "office_mailboxes",
    "rejection_reasons",
    "terms",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

Lang = Literal["zh", "en"]
LANGUAGES: tuple[Lang, ...] = ("zh", "en")


class Label(Struct, frozen=True):
    zh: str
    en: str

    def in_(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


class Department(Struct, frozen=True):
    code: str
    label: Label
    # Where the department is sent handling notices, reminders and escalations.
    mailbox: str


class OfficeMailboxes(Struct, frozen=True):
    """The complaint office's own mailboxes: officers (decide, call back), supervisors (reviews,
    escalations, the daily digest)."""

    officers: str
    supervisors: str


class Category(Struct, frozen=True):
    code: str
    label: Label
    group: str
    department: str
    # Complaints about staff conduct are confidential: the complainant's identity is for supervisors only.
    confidential: bool
    # A compensation claim must state the amount claimed.
    claim: bool


class RejectionReason(Struct, frozen=True):
    code: str
    label: Label


def _label(raw: dict[str, str]) -> Label:
    return Label(zh=raw["zh"], en=raw["en"])


@cache
def _read(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@cache
def departments() -> dict[str, Department]:
    return {
        d["code"]: Department(d["code"], _label(d["label"]), d["mailbox"])
        for d in _read("catalog.json")["departments"]
    }


@cache
def office_mailboxes() -> OfficeMailboxes:
    office = _read("catalog.json")["office"]
    return OfficeMailboxes(officers=office["officers"], supervisors=office["supervisors"])


@cache
def categories() -> dict[str, Category]:
    result: dict[str, Category] = {}
    for c in _read("catalog.json")["categories"]:
        if c["department"] not in departments():
            raise ValueError(f"category {c['code']!r} names an unknown department {c['department']!r}")
        result[c["code"]] = Category(
            code=c["code"],
            label=_label(c["label"]),
            group=c["group"],
            department=c["department"],
            confidential=bool(c.get("confidential", False)),
            claim=bool(c.get("claim", False)),
        )
    return result


def category(code: str) -> Category:
    return categories()[code]


def department(code: str) -> Department:
    return departments()[code]


@cache
def rejection_reasons() -> dict[str, RejectionReason]:
    return {
        r["code"]: RejectionReason(r["code"], _label(r["label"]))
        for r in _read("catalog.json")["rejection_reasons"]
    }


@cache
def terms(section: str) -> dict[str, Label]:
    """The labels of one glossary section (``status``, ``channel``, ``field``...)."""
    return {code: _label(raw) for code, raw in _read("glossary.json")[section].items()}


def label(section: str, code: str) -> Label:
    return terms(section)[code]
