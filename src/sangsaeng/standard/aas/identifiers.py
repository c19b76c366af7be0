"""The identifiers an export refers to: the IDTA submodel templates, the ECLASS IRDIs of the Nameplate properties,
the IEC 61360 data specification, and our own URN for a signal's concept; and the two kinds of reference to them."""

from __future__ import annotations

import aas_core3.types as aas

NAMEPLATE = "https://admin-shell.io/idta/nameplate/3/0/Nameplate"
TECHNICAL_DATA = "https://admin-shell.io/ZVEI/TechnicalData/Submodel/1/2"
GENERAL_INFORMATION = "https://admin-shell.io/ZVEI/TechnicalData/GeneralInformation/1/1"
TECHNICAL_PROPERTIES = "https://admin-shell.io/ZVEI/TechnicalData/TechnicalProperties/1/1"
IRDI = {
    "ManufacturerName": "0173-1#02-AAO677#002",
    "ManufacturerProductDesignation": "0173-1#02-AAW338#001",
    "SerialNumber": "0173-1#02-AAM556#002",
    "YearOfConstruction": "0173-1#02-AAP906#001",
    "ManufacturerArticleNumber": "0173-1#02-AAO676#003",
}
TIME_SERIES = "https://admin-shell.io/idta/TimeSeries/1/1"
TS = "https://admin-shell.io/idta/TimeSeries/"
UTC_TIME = TS + "UtcTime/1/1"
IEC61360 = "https://admin-shell.io/DataSpecificationTemplates/DataSpecificationIEC61360/3/0"
# Our own concept of a signal: + name:unit, each percent-encoded. Kept as the concept description's id in every
# export, so that our reader gets the signal and its canonical unit back exactly, whatever names people read.
SIGNAL = "urn:sangsaeng:signal:"
ENGLISH = "en"
KOREAN = "ko"


def semantic(value: str) -> aas.Reference:
    """An external reference to a global id (an IRI, an IRDI or a URN)."""
    return aas.Reference(aas.ReferenceTypes.EXTERNAL_REFERENCE, [aas.Key(aas.KeyTypes.GLOBAL_REFERENCE, value)])


def submodel_reference(identifier: str) -> aas.Reference:
    return aas.Reference(aas.ReferenceTypes.MODEL_REFERENCE, [aas.Key(aas.KeyTypes.SUBMODEL, identifier)])


def semantic_of(element: aas.HasSemantics) -> str | None:
    return element.semantic_id.keys[0].value if element.semantic_id and element.semantic_id.keys else None
