"""The plan's stable key: the one rule for which plan records and calendar events belong to."""

from __future__ import annotations

from pathlib import Path

from tracker.model import Plan


def plan_key(plan: Plan) -> str | None:
    """The key records are filed under: the plan's own ``uid`` (written by init/import),
    else ``bundled:<name>`` for a plan shipped in the package, else None (records of any
    plan, as in files written before plans had keys). Never the title: renaming a plan
    keeps its records."""
    uid = (plan.uid or "").strip()
    if uid:
        return uid
    if plan.path is not None:
        from tracker.plan.bundled import TEMPLATE_NAMES, template_path

        try:
            here = Path(plan.path).resolve()
            for name in TEMPLATE_NAMES:
                if template_path(name).resolve() == here:
                    return f"bundled:{name}"
        except Exception:  # noqa: BLE001 - a missing template is no reason to refuse the plan
            pass
    return None
