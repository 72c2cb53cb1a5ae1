"""Keeping other calendars true: the subscription feed (feed) and two-way CalDAV sync (caldav)."""
