"""The content shipped in content/ is valid and builds."""

from __future__ import annotations

from conftest import ROOT, run


def test_default_content_passes_check(runner):
    result = run(runner, ROOT / "content", "check")
    assert result.exit_code == 0, result.stderr


def test_default_content_builds_a_one_page_memo(runner, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "out"
    result = run(runner, ROOT / "content", "build", "trilateral-alliance", "-a", "us-congress",
                 "-l", "one-page", "-f", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    reader = PdfReader(out / "trilateral-alliance" / "us-congress-one-page.pdf")
    assert len(reader.pages) == 1
    assert "Trilateral" in reader.pages[0].extract_text()
