"""Processing an uploaded file before anyone may open it: scan, sniff, clean. Imported only by the
processing job (Pillow and filetype stay off the API's import path)."""
