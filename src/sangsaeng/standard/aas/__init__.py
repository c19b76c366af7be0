"""Equipment as an Asset Administration Shell (IEC 63278, metamodel V3.0) with the Digital Nameplate and
Technical Data submodels and its measurements as the Time Series Data submodel (IDTA 02008-1-1), built and
verified with aas-core3.0 and serialised to the standard JSON or packed as an AASX file (Eclipse BaSyx's packager).

- ``shell``: the shell, Nameplate and Technical Data (ECLASS IRDIs), and reading the equipment back;
- ``series``: the Time Series submodel, and reading the measurements back;
- ``concepts``: each signal's concept description (IEC 61360: names in Korean and English, unit, unit id,
  quantity kind), ``names`` what people call signals, ``dictionary`` the public unit and quantity identifiers;
- ``export``: the whole environment; ``document``: its JSON, verified both ways; ``package``: AASX.
"""

from sangsaeng.standard.aas.export import environment_to_aas, equipment_to_aas
from sangsaeng.standard.aas.identifiers import NAMEPLATE, SIGNAL, TECHNICAL_DATA, TIME_SERIES, UTC_TIME
from sangsaeng.standard.aas.names import SignalName, signal_names
from sangsaeng.standard.aas.package import read_aasx, write_aasx
from sangsaeng.standard.aas.series import measurements_from_aas
from sangsaeng.standard.aas.shell import equipment_from_aas

__all__ = [
    "NAMEPLATE",
    "SIGNAL",
    "TECHNICAL_DATA",
    "TIME_SERIES",
    "UTC_TIME",
    "SignalName",
    "environment_to_aas",
    "equipment_from_aas",
    "equipment_to_aas",
    "measurements_from_aas",
    "read_aasx",
    "signal_names",
    "write_aasx",
]
