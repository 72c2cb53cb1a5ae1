"""Dates: festivals, holidays, working days, the `when` forms and the schedule.

The years every table here covers are named in this light module, so that checking a year
on the command line (`--today`) does not load the lunar calendar.
"""

# Range the lunar tables cover (borax: lunar years 1900–2100). A lunar festival of
# year Y is always inside solar year Y, so every name works for these years.
MIN_YEAR = 1901
MAX_YEAR = 2100
