"""The tailored plan (issue 18 § 2), pure: rules as data (``rules/*.toml``), each a concrete step with its why,
effort and gain in Korean and English, conditions over what the hub knows of a company (``facts.py``) written in a
small language read strictly (``conditions.py``), and the next three steps chosen with the trace of every condition
that put them there (``planning.py``)."""
