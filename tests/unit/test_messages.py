"""Every message and every glossary term exists in Chinese and English."""

from __future__ import annotations

import re

from chalicelib.domain import messages
from chalicelib.domain.vocabulary import Label, categories, departments, rejection_reasons, terms

_HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_message_template_has_chinese_and_english_with_the_same_parameters() -> None:
    for key, (zh, en) in messages._TEMPLATES.items():
        assert _HAN.search(zh), key
        assert not _HAN.search(en), key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def test_every_label_is_complete_in_both_languages() -> None:
    labels: list[Label] = [c.label for c in categories().values()]
    labels += [d.label for d in departments().values()]
    labels += [r.label for r in rejection_reasons().values()]
    for section in ("status", "channel", "complainant_type", "priority", "satisfaction", "deadline", "field"):
        labels += list(terms(section).values())
    for item in labels:
        assert item.zh.strip()
        assert item.en.strip()
        assert not _HAN.search(item.en), item


def test_each_category_routes_to_a_known_department() -> None:
    assert all(c.department in departments() for c in categories().values())
    assert categories()["staff_conduct"].confidential
    assert categories()["compensation"].claim
