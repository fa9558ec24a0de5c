"""HTTP: request parsing, response shapes, error mapping and the route blueprints."""
