"""JSON as bytes: RFC 8785 canonical form for what is signed and hashed (``canonical``), and strict reading of
what others send (``strict``). Pure."""
