"""Region configuration: the MoU versions, authorities and signatories of each region."""

from mougen.config.catalog import Catalog, load_catalog
from mougen.config.models import Authority, MouVersion, Region, RegionFile, Signatory, YearMonth

__all__ = [
    "Authority",
    "Catalog",
    "MouVersion",
    "Region",
    "RegionFile",
    "Signatory",
    "YearMonth",
    "load_catalog",
]
