"""The complaint portal's API. Routes live in blueprints; this module only assembles them."""

from __future__ import annotations

from chalice.app import Chalice

from chalicelib.web.admin import admin_routes
from chalicelib.web.cors import cors_middleware
from chalicelib.web.public import public_routes

app = Chalice(app_name="complaint-portal")
app.register_blueprint(public_routes)
app.register_blueprint(admin_routes)
app.register_middleware(cors_middleware, "http")
