"""Filling the portal's complaint form in a browser (the form's own field ids), for browser tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import expect

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["continue_and_confirm", "fill_complaint"]


def fill_complaint(
    page: Page,
    *,
    subject: str = "工厂夜间噪音扰民",
    description: str = "园区东路 8 号的工厂每晚 23 点后仍在作业，噪音很大，影响附近居民休息。",
    category: str = "env_noise",
    name: str = "张三",
    phone: str = "138 0013 8000",
) -> None:
    """Answers that the API accepts: an individual, named, with a phone number, consenting."""
    page.fill("#cf-name", name)
    page.fill("#cf-phone", phone)
    page.select_option("#cf-category", category)
    page.fill("#cf-subject", subject)
    page.fill("#cf-description", description)
    page.fill("#cf-location", "园区东路 8 号")
    page.fill("#cf-occurred_on", "2026-11-20")
    page.check("#cf-consent")


def continue_and_confirm(page: Page) -> None:
    """Continue to "check your answers" (the API has accepted them) and submit."""
    page.click("#complaint-submit")
    expect(page.locator("#check-answers")).to_be_visible()
    page.click("#confirm-submit")
