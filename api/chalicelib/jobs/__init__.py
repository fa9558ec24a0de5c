"""Scheduled jobs: their schedules and the registry ``api/app.py`` and the local scheduler read."""
