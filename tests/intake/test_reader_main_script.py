"""The reader's child does not run the caller's main script again (gunicorn's, celery's, a bench's):
`reader.forkserver_preload`."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import os, sys
    with open(sys.argv[1], "a") as marks:  # each time this file is run: as __main__, or again in a child
        marks.write(__name__ + "\\n")

    if __name__ == "__main__":
        sys.path.insert(0, sys.argv[2])
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        import django

        django.setup()
        from perfgoals.intake.reader import WorkbookRejected, read_workbook

        for _ in range(2):  # each read in a child forked by the reader's forkserver
            try:
                read_workbook(sys.argv[3])
            except WorkbookRejected:
                pass  # refused as no template: read all the same
    """
)


def test_reading_twice_runs_the_main_script_once(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["项目名称", "困难群众医疗救助"])
    path = tmp_path / "表.xlsx"
    workbook.save(path)
    script = tmp_path / "main_script.py"
    script.write_text(SCRIPT)
    marks = tmp_path / "marks.txt"

    done = subprocess.run(
        [sys.executable, str(script), str(marks), str(ROOT), str(path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert marks.read_text().split() == ["__main__"]  # not once more per read as __mp_main__
