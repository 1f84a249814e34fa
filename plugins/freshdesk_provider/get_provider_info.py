"""Provider registry read by Airflow's providers manager (entry point `apache_airflow_provider`).

Airflow 3.3 builds the connection form only from this data (``conn-fields`` and
``ui-field-behaviour``); hook methods such as ``get_ui_field_behaviour`` are no longer read.
Keep this module free of Airflow imports: the providers manager calls it for every process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

PACKAGE_NAME = "airflow-provider-freshdesk"  # must equal the distribution name exactly
INTEGRATION = "Freshdesk"


def _operator_modules() -> list[str]:
    # Operators are added by other changes over time: list the modules that exist and define
    # an operator, read as text because importing them here would import Airflow's models.
    folder = Path(__file__).resolve().parent / "operators"
    modules = []
    for path in sorted(folder.glob("*.py")):
        if path.stem.startswith("_"):
            continue
        try:
            source = path.read_text(encoding="utf-8")
        except OSError:
            continue
        if "BaseOperator" in source:
            modules.append(f"freshdesk_provider.operators.{path.stem}")
    return modules


def get_provider_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "package-name": PACKAGE_NAME,
        "name": "Freshdesk",
        "description": "Import Freshdesk tickets and conversations into a Postgres warehouse.",
        "versions": ["0.1.0"],
        "integrations": [
            {
                "integration-name": INTEGRATION,
                "external-doc-url": "https://developers.freshdesk.com/api/",
                "tags": ["service"],
            }
        ],
        "hooks": [
            {
                "integration-name": INTEGRATION,
                "python-modules": ["freshdesk_provider.hooks.freshdesk"],
            }
        ],
        "connection-types": [
            {
                "hook-class-name": "freshdesk_provider.hooks.freshdesk.FreshdeskHook",
                "connection-type": "freshdesk",
                "hook-name": "Freshdesk",
                "conn-fields": {
                    "rate_limit_per_minute": {
                        "label": "API rate limit (credits per minute)",
                        "description": (
                            "Leave empty to use the limit Freshdesk reports (X-RateLimit-Total). Set it "
                            "lower to leave part of your plan's budget to other integrations, e.g. 300 "
                            "of a 400/minute Pro plan."
                        ),
                        "schema": {"type": ["integer", "null"], "minimum": 1},
                    },
                    "max_concurrency": {
                        "label": "Parallel API requests",
                        "description": (
                            "How many conversation reads one task runs at the same time. The rate "
                            "limit still applies; more only helps while the limit is not reached."
                        ),
                        "schema": {"type": ["integer", "null"], "minimum": 1, "default": 8},
                    },
                },
                "ui-field-behaviour": {
                    # Extra is hidden because the fields above write it; other extras (the
                    # simulator's rate_limit_window_seconds) can still be set as JSON via the CLI
                    # or an AIRFLOW_CONN_* variable.
                    "hidden-fields": ["schema", "port", "login", "extra"],
                    "relabeling": {"host": "Freshdesk domain", "password": "API key"},
                    "placeholders": {
                        "host": "acme.freshdesk.com",
                        "password": "Your Freshdesk API key (Profile settings → View API key)",
                        "rate_limit_per_minute": "empty: learn from Freshdesk",
                        "max_concurrency": "8",
                    },
                },
            }
        ],
    }
    operators = _operator_modules()
    if operators:
        info["operators"] = [{"integration-name": INTEGRATION, "python-modules": operators}]
    return info
