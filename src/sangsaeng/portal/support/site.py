"""Support's pages on the connector's portal: each page module's routes, one line each."""

from __future__ import annotations

from typing import Any

from sangsaeng.portal.support import assessment, benchmarks, cases, experts, export, overview, plan, programs


def install(app: Any) -> None:
    """Every support page module's router (under ``/portal/support``)."""
    app.include_router(assessment.router)
    app.include_router(overview.router)
    app.include_router(export.router)
    app.include_router(plan.router)
    app.include_router(experts.router)
    app.include_router(programs.router)
    app.include_router(cases.router)
    app.include_router(benchmarks.router)
