"""shuangyong-tui domain: plans, schedules, tracking, exports. No UI imports here."""

__version__ = "0.1.0"
