"""Provider registry read by Airflow's providers manager (entry point `apache_airflow_provider`)."""

from __future__ import annotations

from typing import Any


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "airflow-provider-freshdesk",
        "name": "Freshdesk",
        "description": "Import Freshdesk tickets and conversations into a Postgres warehouse.",
        "versions": ["0.1.0"],
    }
