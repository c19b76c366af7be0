"""The member's side of SME support, on its own connector's portal (``/portal/support/…``): its assessment, plan,
experts, programs and cases, and benchmarks — each page asks the hub as this member (``hubclient/support.py``), so
a connector of its own and one the hub hosts show the same pages."""
