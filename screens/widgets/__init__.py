"""The app's own widgets, one per module."""

from .key_bar import KeyBar
from .period_navigator import PeriodNavigator
from .task_table import Item, Section, TaskTable

__all__ = ["Item", "KeyBar", "PeriodNavigator", "Section", "TaskTable"]
