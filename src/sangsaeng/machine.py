"""Moved to ``sangsaeng.dsp.machine``; this name is kept for the protocol tests that import it unchanged.

Nothing under ``src/`` imports it (``tests/test_architecture.py`` holds that).
"""

from sangsaeng.dsp.machine import Machine, Outcome, Transition

__all__ = ["Machine", "Outcome", "Transition"]
