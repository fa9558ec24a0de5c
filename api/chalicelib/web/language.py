"""Which language to answer in: an explicit ``lang`` query parameter, else Accept-Language, else Chinese."""

from __future__ import annotations

from collections.abc import Mapping

from ..domain.vocabulary import Lang

__all__ = ["negotiate"]


def _from_accept_language(header: str) -> Lang | None:
    best: tuple[float, int, Lang] | None = None
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("zh", "en"):
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        candidate = (quality, -position, "zh" if primary == "zh" else "en")
        if best is None or candidate[:2] > best[:2]:
            best = candidate  # type: ignore[assignment]  # primary is zh or en
    return best[2] if best else None


def negotiate(headers: Mapping[str, str], query: Mapping[str, str] | None) -> Lang:
    explicit = (query or {}).get("lang")
    if explicit in ("zh", "en"):
        return "zh" if explicit == "zh" else "en"
    return _from_accept_language(headers.get("accept-language", "")) or "zh"
