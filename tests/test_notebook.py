"""notebooks/explore.ipynb runs top to bottom, and its jupytext pair says the same."""

import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_notebook_matches_its_jupytext_pair():
    jupytext = pytest.importorskip("jupytext")
    py = jupytext.read(NOTEBOOKS / "explore.py")
    nb = jupytext.read(NOTEBOOKS / "explore.ipynb")
    assert [(c.cell_type, c.source) for c in py.cells] == [(c.cell_type, c.source) for c in nb.cells]


def test_notebook_uses_only_the_public_api():
    import spundetect

    source = (NOTEBOOKS / "explore.py").read_text(encoding="utf-8")
    assert not re.search(r"from spundetect\.|import spundetect\.", source)  # no submodules
    used = set(re.findall(r"spundetect\.(\w+)", source))
    assert used and used <= set(spundetect.__all__), used - set(spundetect.__all__)


def test_committed_notebook_carries_its_outputs():
    """So that its tables and plots show on the repository page."""
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(NOTEBOOKS / "explore.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("outputs") for c in code)
    assert sum("image/png" in o.get("data", {}) for c in code for o in c.outputs) == 2


def test_notebook_runs_top_to_bottom():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOKS / "explore.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []  # run afresh, not judged by the committed outputs
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "real spun sentences:" in text and "flagged alone" in text
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "<mark" in html  # the Report's rich display
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2
