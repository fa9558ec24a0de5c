"""The complaint portal's API. Routes live in blueprints; this module only assembles them."""

from __future__ import annotations

import gc
import logging

# The cycle collector paused while the API's modules load: importing makes objects that live as long
# as the process, and each collection started by so many new objects walks them all again. Frozen
# after, so no later collection walks them either; enabled again whatever the import did.
gc.disable()
try:
    from chalice.app import Chalice

    from chalicelib.jobs.attachments import attachment_handlers
    from chalicelib.jobs.handlers import job_handlers
    from chalicelib.web.attachments import attachment_routes
    from chalicelib.web.cors import cors_middleware
    from chalicelib.web.downloads import XLSX_MEDIA_TYPE
    from chalicelib.web.frame_room import frame_room_middleware
    from chalicelib.web.public import public_routes
    from chalicelib.web.request_log import request_log_middleware
    from chalicelib.web.security_headers import security_headers_middleware
    from chalicelib.web.staff_routes import admin_routes
finally:
    gc.freeze()
    gc.enable()

app = Chalice(app_name="complaint-portal")
# The monthly report's workbook travels as binary (API Gateway's binary media types).
app.api.binary_types.append(XLSX_MEDIA_TYPE)
app.register_blueprint(public_routes)
app.register_blueprint(admin_routes)
app.register_blueprint(attachment_routes)
app.register_blueprint(job_handlers)
app.register_blueprint(attachment_handlers)
# The first registered wraps the others: every answer gets the security headers.
app.register_middleware(security_headers_middleware, "http")
app.register_middleware(cors_middleware, "http")
app.register_middleware(request_log_middleware, "http")
# Innermost: the first request's view and all below it run with room on the frame stack.
app.register_middleware(frame_room_middleware, "http")
# Our request lines and errors at INFO; the SDKs stay at their default (WARNING): botocore's debug
# output holds request bodies, hence personal data.
logging.getLogger("chalicelib").setLevel(logging.INFO)
