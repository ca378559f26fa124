"""Administrative units: legacy three-level GSO codes and the 2025 two-level units."""

from popqa.geo.units import (
    DEFAULT_PROVINCE,
    check_hierarchy,
    commune_centroids,
    commune_in_district,
    commune_in_province,
    commune_name,
    crosswalk,
    crosswalk_2025_province,
    district_name,
    districts,
    legacy_province_codes,
    legacy_units,
    province_name,
    provinces,
    to_2025,
    units_2025,
)

__all__ = [
    "DEFAULT_PROVINCE",
    "check_hierarchy",
    "commune_centroids",
    "commune_in_district",
    "commune_in_province",
    "commune_name",
    "crosswalk",
    "crosswalk_2025_province",
    "district_name",
    "districts",
    "legacy_province_codes",
    "legacy_units",
    "province_name",
    "provinces",
    "to_2025",
    "units_2025",
]
