"""The maturity self-assessment's pure core (issue 18 § 1): the models as data (``models/*.toml``: the SIRI
dimensions and bands, the Korean smart-factory levels, the questionnaire that maps answers onto both), their
loading and checking (``model.py``, ``loading.py``), answers read strictly (``answers.py``), scoring and its
explanation (``scoring.py``, ``explaining.py``), and the result page's radar chart as data and as SVG
(``radar.py``, ``svg.py``). No storage, web or network imports: the service above it stores and serves."""
