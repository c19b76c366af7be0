"""What the hub knows about a company, read and checked without I/O: its business registration number, KSIC
sector, region, size class, tiers and contact (``facts``), and its application's states (``states``)."""
