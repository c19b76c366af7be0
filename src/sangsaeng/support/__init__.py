"""SME support on the hub (issue 18): maturity self-assessment, a tailored plan, experts, programs and success
cases, disclosure-safe sector benchmarks and dashboards. It sits above the hub (it reads the hub's members and
catalog; the hub knows nothing of it) and is wired by ``web/app.py`` through ``support.wiring.attach``."""
