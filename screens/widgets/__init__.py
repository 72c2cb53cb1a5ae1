"""The app's own widgets, one per module."""

from .key_bar import KeyBar
from .period_navigator import PeriodNavigator
from .progress import JobProgress
from .task_table import Item, Section, TaskTable

__all__ = ["Item", "JobProgress", "KeyBar", "PeriodNavigator", "Section", "TaskTable"]
