"""Programs taken up (issue 18 § 5): what a member says became of a support program — applied, granted, declined or
withdrawn — as values and readers, free of the web and the database (``docs/support/uptake.md``)."""
