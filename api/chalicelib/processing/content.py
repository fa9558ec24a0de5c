"""What a file really is, from its bytes (never its name or declared type), and its clean copy.

- The type is sniffed by ``filetype`` from the content's signature; anything but the allowed
  types (HTML, SVG, scripts, archives, an HTML page named ``.jpg``) is refused.
- Images must decode with Pillow in full; they are re-encoded from their pixels with the EXIF
  orientation applied, so no EXIF (GPS included), XMP, comments or trailing bytes survive; an
  animation keeps its first frame. Decompression bombs are refused before decoding.
- PDFs must be PDFs: the header at the start, an end-of-file marker near the end, and a cross-
  reference section; they are kept as they are (they open as downloads, never inline).
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings

from ..services.attachment_processing import CleanOutcome

__all__ = ["clean_file", "sniff"]

# Larger images are refused unread: 40 megapixels is beyond any phone camera's photo.
_MAX_PIXELS = 40_000_000
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_PDF_TAIL = 2048


def sniff(data: bytes) -> str | None:
    import filetype  # type: ignore[import-untyped]  # no stubs; one call

    kind = filetype.guess(data)
    return None if kind is None else str(kind.mime)


def _reencoded(data: bytes, content_type: str) -> bytes | None:
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != _PILLOW_FORMATS[content_type]:
                    return None
                width, height = probe.size
                if width * height > _MAX_PIXELS:
                    return None
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _encoded(upright, content_type)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None


def _encoded(image: object, content_type: str) -> bytes:
    from PIL import Image

    assert isinstance(image, Image.Image)
    icc = image.info.get("icc_profile")
    # Pillow writes some of what it read back out (a JPEG's comment, XMP): keep none of it.
    image = image.copy()
    image.info = {}
    out = io.BytesIO()
    if content_type == "image/jpeg":
        rgb = image if image.mode in ("RGB", "L") else image.convert("RGB")
        # No exif=, no comment, no XMP: only the pixels (and their colour profile) are written.
        rgb.save(out, "JPEG", quality=90, icc_profile=icc)
    elif content_type == "image/png":
        keep = image if image.mode in ("RGB", "RGBA", "L", "LA", "P", "1") else image.convert("RGBA")
        keep.save(out, "PNG", optimize=False, icc_profile=icc)
    else:
        keep = image if image.mode in ("RGB", "RGBA") else image.convert("RGBA")
        keep.save(out, "WEBP", quality=90, icc_profile=icc)
    return out.getvalue()


_XREF = re.compile(rb"startxref\s+\d+\s+%%EOF", re.S)


def _is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and _XREF.search(data[-_PDF_TAIL:]) is not None


def clean_file(data: bytes, allowed: tuple[str, ...]) -> CleanOutcome | str:
    """The clean copy of ``data`` with its sniffed type, or why it is refused (a message key)."""
    content_type = sniff(data)
    if content_type is None or content_type not in allowed:
        return "attachment_refused_type"
    if content_type == "application/pdf":
        if not _is_pdf(data):
            return "attachment_refused_damaged"
        clean = data
    else:
        reencoded = _reencoded(data, content_type)
        if reencoded is None:
            return "attachment_refused_damaged"
        clean = reencoded
    return CleanOutcome(clean, content_type, hashlib.sha256(clean).hexdigest())
