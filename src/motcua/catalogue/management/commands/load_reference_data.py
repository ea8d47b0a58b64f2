"""Load the bundled real reference data: administrative units, agencies, calendar, catalogue, offerings."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the 2025 administrative units, the agency skeleton, the official calendar and the catalogue."

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.agencies.loaders import build_agency_skeleton, load_admin_units
        from motcua.calendar.services import default_data_path, import_official_days
        from motcua.catalogue.loaders import load_catalogue

        units = load_admin_units()
        self.stdout.write(f"administrative units: {units.created or 'already loaded'}")
        agencies = build_agency_skeleton()
        self.stdout.write(f"agencies: {agencies.created or 'already loaded'}")
        calendar = import_official_days(default_data_path())
        self.stdout.write(
            f"calendar: {calendar.created} created, {calendar.unchanged} unchanged, {len(calendar.rejected)} rejected"
        )
        catalogue = load_catalogue()
        self.stdout.write(
            f"catalogue: {catalogue.created} created, {catalogue.unchanged} already there, "
            f"{len(catalogue.rejected)} rejected, {len(catalogue.warnings)} warnings (--verbosity 2 lists them)"
        )
        from motcua.catalogue.loaders import load_form_schemas

        forms = load_form_schemas()
        self.stdout.write(
            f"form schemas: {forms.created} created, {forms.updated} updated, {forms.unchanged} unchanged, "
            f"{len(forms.rejected)} rejected"
        )
        if options["verbosity"] > 1:
            for line in catalogue.warnings:
                self.stdout.write(f"warning {line}")
        for line in [*units.rejected, *agencies.rejected, *catalogue.rejected, *forms.rejected]:
            self.stderr.write(f"rejected {line}")
        for rejected in calendar.rejected:
            self.stderr.write(f"rejected calendar line {rejected.line}: {rejected.reason}")
