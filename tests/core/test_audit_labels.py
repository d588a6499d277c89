"""Every action the code writes to the audit log has a label the log page reads out."""

import pathlib
import re

import unionhub
from unionhub.core import audit

ACTION = re.compile(r'action="([a-z_]+\.[a-z_.]+)"')


def test_every_audit_action_written_has_a_label(db):
    root = pathlib.Path(unionhub.__file__).parent
    written = {
        code
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        for code in ACTION.findall(path.read_text(encoding="utf-8"))
    }
    assert len(written) > 20  # the pattern finds them
    unlabelled = sorted(code for code in written if code not in audit._ACTIONS)
    assert unlabelled == []
