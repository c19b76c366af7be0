"""What the hub signs and publishes, made and read without I/O: the signed directory and the status list
(compact JWS, EdDSA, by the hub's participant key; ``docs/hub.md``), and the fingerprint of a key."""
