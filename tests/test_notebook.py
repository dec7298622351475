"""notebooks/explore.ipynb runs top to bottom, and its jupytext pair says the same."""

from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_notebook_matches_its_jupytext_pair():
    jupytext = pytest.importorskip("jupytext")
    py = jupytext.read(NOTEBOOKS / "explore.py")
    nb = jupytext.read(NOTEBOOKS / "explore.ipynb")
    assert [(c.cell_type, c.source) for c in py.cells] == [(c.cell_type, c.source) for c in nb.cells]


def test_notebook_runs_top_to_bottom():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOKS / "explore.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "seed 001: score" in text and "spun=True" in text
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "<mark" in html  # the Report's rich display
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 1
