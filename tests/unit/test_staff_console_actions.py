"""The staff console has one form per staff action, asking exactly for that action's input: the
forms follow the actions' one definition (domain/actions.py), so what the console offers can always
be sent."""

from __future__ import annotations

import re

from msgspec.structs import fields as struct_fields

from chalicelib.domain.actions import STAFF_ACTIONS
from scripts.lib.paths import REPO_ROOT

TEMPLATE = REPO_ROOT / "portal_docs" / "overrides" / "staff.html"
_ACTION_FORM = re.compile(r"\{% call sc\.action\(t, '(\w+)'\) %\}(.*?)\{% endcall %\}", re.DOTALL)
_CONTROL = re.compile(r"sc\.(?:select|input|textarea|checkbox)\(t, '[\w-]+', '(\w+)'")


def console_forms() -> dict[str, list[str]]:
    return {name: _CONTROL.findall(body) for name, body in _ACTION_FORM.findall(TEMPLATE.read_text("utf-8"))}


def test_every_action_has_one_form_and_every_form_is_an_action_in_the_same_order() -> None:
    assert list(console_forms()) == [rule.name for rule in STAFF_ACTIONS]


def test_each_form_asks_for_exactly_the_actions_input() -> None:
    forms = console_forms()
    for rule in STAFF_ACTIONS:
        assert sorted(forms[rule.name]) == sorted(f.name for f in struct_fields(rule.input)), rule.name


def test_no_form_states_who_sees_it_the_definition_does() -> None:
    # The public/internal tag is filled from GET /meta (staff_actions), not written in the template.
    assert "'public'" not in TEMPLATE.read_text("utf-8")
    assert "'internal'" not in TEMPLATE.read_text("utf-8")
