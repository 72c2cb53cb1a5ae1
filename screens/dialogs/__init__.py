"""Modal dialogs, one family per module. Each collects input and hands it to a `submit`
callback that makes the change through the service (see base.Dialog)."""

from .base import PENDING, Dialog
from .confirm import ConfirmDialog
from .evidence import EvidenceChoice, EvidenceDialog
from .filter import FilterDialog
from .imports import ImportChoice, ImportDialog
from .meeting_info import MeetingInfoDialog
from .message import MessageDialog
from .note import NoteDialog
from .notice import DefaultPlanNotice
from .owner import OwnerDialog
from .paths import PathChoice, PathDialog
from .progress import Outcome, ProgressDialog
from .status import StatusChoice, StatusDialog

__all__ = [
    "ConfirmDialog", "DefaultPlanNotice", "Dialog", "EvidenceChoice", "EvidenceDialog", "FilterDialog", "ImportChoice",
    "ImportDialog", "MeetingInfoDialog", "MessageDialog", "NoteDialog", "Outcome", "OwnerDialog", "PENDING",
    "PathChoice", "PathDialog", "ProgressDialog", "StatusChoice", "StatusDialog",
]
