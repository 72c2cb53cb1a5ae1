"""`python -m tracker.cli` runs the same command as `shuangyong-tui`."""

from tracker.cli import main

main()
