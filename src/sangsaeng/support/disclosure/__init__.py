"""Sector benchmarks without disclosure (issue 18 § 4), the pure core: indicators as data, the cells a benchmark is
published in, the statistical-disclosure rules a cell must pass (threshold, (n,k) dominance, p%), differentially
private noise (OpenDP) on what a published cell releases, the privacy budget's accounting, and a member's position
against its peers. No storage, web or event-loop library is imported here."""
