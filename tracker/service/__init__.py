"""The small service API the app and the commands use: one plan, one store, one year.

It joins the plan's occurrences with the recorded state, answers "what is due when, for
whom, how far along", and routes every change through the store. No business rule lives in
the UI; they live here or below.

``tracker.service`` is the one import path: periods and figures (periods.py), the tracker
itself (tracking.py) and what the app reaches beyond the records (reaching.py) are named here.
"""

from __future__ import annotations

from tracker.evidence import evidence_label  # noqa: F401  (the screens' evidence rule)
from tracker.service.periods import (  # noqa: F401
    QUARTER_NAMES,
    Period,
    Progress,
    Query,
    Summary,
    WeekView,
    evidence_cell,
    period,
    periods,
    progress_of,
    week_of,
)
from tracker.service.reaching import (  # noqa: F401
    calendar_feeds,
    candidate_problems,
    document_parts,
    import_document,
    last_sync,
    save_reviewed,
    sync_again,
)
from tracker.service.tracking import CARRY_DUE_MONTH, Tracker, plan_key  # noqa: F401
from tracker.textsafe import visible  # noqa: F401  (the app's exit: screens show user text through it)

# What the app (screens/) needs from below the service, named once here: screens/ may import
# only the service, the model, the outputs and the errors.
from tracker.settings import DEFAULT_PLAN_NOTICE, AppContext, parse_day, write_config  # noqa: E402,F401
from tracker.wording import describe as describe_change  # noqa: E402,F401
from tracker.wording import item_name  # noqa: E402,F401
from tracker.wording import byte_amount, copied_text  # noqa: E402,F401
from tracker.wording import HOLIDAY_MARK, HOLIDAY_MEANING, HOLIDAY_MEANING_SHORT, holiday_note  # noqa: E402,F401
