"""Connectors the hub hosts for companies without IT of their own: signed up, served under ``/c/<name>``, exported
and moved to a connector of their own."""
