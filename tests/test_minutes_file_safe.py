"""`report minutes -o FILE.md`: control characters in user text are neutralised in the file too."""

import json
from datetime import datetime, timedelta

from tests.test_minutes import run


def test_minutes_markdown_file_neutralises_control_characters(env):
    first = json.loads(run(env, "list", "--json").stdout)[0]
    run(env, "evidence", first["id"], "--note", "照片\x1b[31m已归档\x07")
    since = (datetime.now().astimezone() - timedelta(days=1)).strftime("%Y-%m-%d")
    run(env, "report", "minutes", "--since", since, "-o", "纪要.md")
    text = (env / "纪要.md").read_text(encoding="utf-8")
    assert "照片" in text
    assert "\x1b" not in text and "\x07" not in text
