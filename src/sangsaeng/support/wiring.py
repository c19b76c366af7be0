"""Support added to a hub's app: its tables migrated and its routes mounted (called by ``web/app.py``)."""

from __future__ import annotations

from fastapi import FastAPI

from sangsaeng.hub.service.hub import Hub
from sangsaeng.support.api import activity, assessment, benchmarks
from sangsaeng.support.api import experts as experts_api
from sangsaeng.support.api import plan as plan_routes
from sangsaeng.support.api import uptake as uptake_routes
from sangsaeng.support.store import migrate


def attach(app: FastAPI, hub: Hub) -> None:
    settings = hub.connector.settings
    migrate.upgrade(settings.state_url, settings.state_schema or None)
    # Each part's routes: one line each.
    activity.install(app)
    experts_api.install(app, hub)
    benchmarks.install(app)
    assessment.install(app)
    plan_routes.install(app, hub)  # the tailored plan and members' wants (/hub/support/plan)
    uptake_routes.install(app)  # members' take-up of programs (/hub/support/programs/…/uptake)
