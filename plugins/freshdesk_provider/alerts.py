"""Alerting of the hourly sync: its DeadlineAlert and the settings of its freshness check.

**Deadline.** The incremental DAG gets ``DeadlineAlert(DAGRUN_QUEUED_AT + N minutes)`` whose
callback, :func:`incremental_deadline_missed`, logs an error and, when
``FRESHDESK_ALERT_WEBHOOK_URL`` is set, posts a JSON message to it (Slack/Teams-style incoming
webhooks accept ``{"text": ...}``). Only the scheduler checks deadlines, and the callback runs
in the triggerer, which imports it by its dotted path.

**Why the deadline is attached only when the dag-processor parses the file.** In Airflow 3.3.2
any DAG with ``deadline=`` crashes ``airflow dags test`` / ``dag.test()`` after a successful
run (``'dict' object has no attribute 'hex'``, apache/airflow#73428, unfixed in 3.3.2), and
deadlines are never checked under ``dags test`` anyway. So :func:`incremental_deadline` returns
the alert only inside the dag-processor's parsing process (where it is serialised for the
scheduler), or when ``FRESHDESK_INCREMENTAL_DEADLINE=always``; ``never`` turns it off
everywhere. ``FRESHDESK_INCREMENTAL_DEADLINE_MINUTES`` (default 180) sets the interval.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import urllib.request
from datetime import timedelta
from typing import Any

from freshdesk_provider.dag_settings import env_int

log = logging.getLogger(__name__)

WEBHOOK_ENV = "FRESHDESK_ALERT_WEBHOOK_URL"
CALLBACK_PATH = "freshdesk_provider.alerts.incremental_deadline_missed"


def freshness_max_lag() -> timedelta:
    """No successful sync for this long fails the freshness check (default 3 hours)."""
    return timedelta(minutes=env_int("FRESHDESK_FRESHNESS_MAX_LAG_MINUTES", 180))


def reconcile_window() -> timedelta:
    """How far back before the last sync the check compares Freshdesk and the warehouse (0: off)."""
    return timedelta(minutes=env_int("FRESHDESK_RECONCILE_WINDOW_MINUTES", 120))


def time_entries_overlap() -> timedelta:
    return timedelta(hours=env_int("FRESHDESK_TIME_ENTRIES_OVERLAP_HOURS", 48))


def include_ticket_stats() -> bool:
    """Read tickets with ``include=stats`` (3 credits per list page instead of 1; default on)."""
    return os.environ.get("FRESHDESK_INCLUDE_TICKET_STATS", "true").strip().lower() not in ("0", "false", "no", "off")


def _parsed_by_dag_processor() -> bool:
    """True inside the dag-processor's file-parsing process (its entry point is on the stack)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__") == "airflow.dag_processing.processor":
            return True
        frame = frame.f_back
    return False


def incremental_deadline() -> Any:
    """The incremental DAG's DeadlineAlert, or None (see the module docstring for why)."""
    mode = os.environ.get("FRESHDESK_INCREMENTAL_DEADLINE", "auto").strip().lower()
    minutes = env_int("FRESHDESK_INCREMENTAL_DEADLINE_MINUTES", 180)
    if mode == "never" or minutes <= 0 or (mode != "always" and not _parsed_by_dag_processor()):
        return None
    from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference

    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(minutes=minutes),
        callback=AsyncCallback(CALLBACK_PATH, kwargs={"dag_id": "freshdesk_incremental"}),
    )


def _post(url: str, payload: dict[str, Any]) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


async def incremental_deadline_missed(dag_id: str = "freshdesk_incremental", **kwargs: Any) -> dict[str, Any]:
    """Deadline callback: the hourly Freshdesk sync did not finish in time.

    Logs an error and posts ``{"text", "dag_id", "run_id", "deadline"}`` to
    ``$FRESHDESK_ALERT_WEBHOOK_URL`` when set. Never raises for a failed notification (the log
    line is the alert of last resort).
    """
    context = kwargs.get("context") or {}
    dag_run = context.get("dag_run") if isinstance(context, dict) else None
    run_id = (dag_run or {}).get("run_id") if isinstance(dag_run, dict) else getattr(dag_run, "run_id", None)
    deadline = context.get("deadline") if isinstance(context, dict) else None
    text = (
        f"Freshdesk sync {dag_id} missed its deadline (run {run_id or 'unknown'}): the warehouse is not being "
        "updated. Check freshdesk.sync_status and the DAG's last task logs."
    )
    log.error("%s", text)
    payload = {"text": text, "dag_id": dag_id, "run_id": run_id, "deadline": str(deadline) if deadline else None}
    url = os.environ.get(WEBHOOK_ENV, "").strip()
    result: dict[str, Any] = {"alerted": True, "message": text, "webhook_status": None}
    if url:
        try:
            result["webhook_status"] = await asyncio.to_thread(_post, url, payload)
        except Exception as exc:  # the log line above is already the alert
            log.error("Could not post the deadline alert to the webhook: %s", exc)
            result["webhook_error"] = str(exc)
    return result
