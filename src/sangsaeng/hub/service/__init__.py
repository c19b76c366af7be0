"""The hub's use cases: applying, reviewing, suspending and reinstating members, issuing and renewing their
credentials, rotating their keys, and the signed documents it publishes. Each checks who may act (roles.py)
and writes its decision and its log entry in one transaction."""
