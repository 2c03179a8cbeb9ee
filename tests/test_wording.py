"""Messages that name the right thing (issue 18's wording leftovers): a bad logo is named by
its own file, not the template's. (The subject access request's refusal: tests/test_sar.py and
tests/gui/test_wording_ui.py; a restore without --user: tests/test_key_rotation.py.)"""

from __future__ import annotations

import io
import json

from tests.test_documents_letters import tiny_png

from sendesk.cli.main import main
from sendesk.documents import templates


def run(capsys, *argv, stdin: str):
    code = main([str(arg) for arg in argv], stdin=io.StringIO(stdin))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_bad_logo_is_named_by_its_own_file(school, tmp_path, capsys):
    from tests.conftest import SENCO, SENCO_PASSWORD
    letters = tmp_path / "letters.json"
    raw = json.loads(templates.default_bytes())
    raw["letterhead"]["logo"] = "crest.png"
    letters.write_text(json.dumps(raw), encoding="utf-8")
    logo = tmp_path / "crest.png"
    logo.write_bytes(tiny_png()[:-20])   # cut short
    code, _, err = run(capsys, "templates", "import", school[0], letters, "--logo", logo,
                       "--user", SENCO, stdin=SENCO_PASSWORD + "\n")
    assert code == 1 and "The logo crest.png is not a PNG or JPEG image" in err
    assert "letters.json" not in err, err
