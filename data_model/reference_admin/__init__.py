"""Admin lists, edits and imports of reference data; every change goes into the change log."""
from data_model.reference_admin.checks import MAX_POPULATION, REPORTING_KINDS, ReferenceEditError
from data_model.reference_admin.edits import (
    add_alias,
    add_coverage,
    create_station,
    create_village,
    delete_alias,
    delete_coverage,
    delete_population,
    delete_village,
    set_languages,
    set_population,
    update_commune,
    update_coverage,
    update_station,
    update_village,
)
from data_model.reference_admin.imports import template_csv
from data_model.reference_admin.lists import (
    list_aliases,
    list_communes,
    list_coverage,
    list_languages,
    list_population,
    list_stations,
    list_villages,
)
from data_model.reference_admin.reorganisation_import import import_reorganisation, preview_reorganisation
from data_model.reference_admin.village_import import import_villages, preview_village_import

__all__ = [
    "MAX_POPULATION", "REPORTING_KINDS", "ReferenceEditError", "add_alias", "add_coverage", "create_station",
    "create_village", "delete_alias", "delete_coverage", "delete_population", "delete_village", "import_reorganisation",
    "import_villages", "list_aliases", "list_communes", "list_coverage", "list_languages", "list_population",
    "list_stations", "list_villages", "preview_reorganisation", "preview_village_import", "set_languages",
    "set_population", "template_csv", "update_commune", "update_coverage", "update_station", "update_village",
]
