"""The demo's PDF papers are well-formed: every cross-reference points at its object, the
stream's length is true, and the text is the Chinese it was given."""

from __future__ import annotations

import re

from unionhub.core.demo import pdf_document


def test_a_demo_pdf_is_well_formed_and_holds_its_text():
    title, lines = "情况证明", ["兹证明我村村民王建国家住房发生火灾。", "金额：￥20,000.00", ""]
    pdf = pdf_document(title, lines)
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
    xref = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", pdf).group(1))
    assert pdf[xref:].startswith(b"xref\n0 8\n")
    rows = pdf[xref:].split(b"\n")[2:10]
    assert rows[0] == b"0000000000 65535 f " and all(len(row) == 19 for row in rows)
    for number, row in enumerate(rows[1:], 1):
        offset = int(row[:10])
        assert pdf[offset:].startswith(b"%d 0 obj\n" % number)
    stream = re.search(rb"<< /Length (\d+) >>\nstream\n(.*?)\nendstream", pdf, re.S)
    assert int(stream.group(1)) == len(stream.group(2))
    shown = [
        bytes.fromhex(text.decode()).decode("utf-16-be")
        for text in re.findall(rb"<([0-9A-F]*)> Tj", stream.group(2))
    ]
    assert shown == [title, *lines]
