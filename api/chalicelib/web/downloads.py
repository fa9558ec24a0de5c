"""Files the API answers with (a report's workbook or CSV, the open data): the body with its media
type and a file name to save it under."""

from __future__ import annotations

from chalice.app import Response

__all__ = ["XLSX_MEDIA_TYPE", "file_response"]

# The monthly report's workbook (report_xlsx.py); app.py lists it among API Gateway's binary types.
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_response(body: bytes | str, media_type: str, filename: str, *, cache: str = "no-store") -> Response:
    # ASCII file names only: a header value, and every browser's download takes them as they are.
    return Response(
        body=body,
        status_code=200,
        headers={
            "Content-Type": media_type,
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": cache,
        },
    )
