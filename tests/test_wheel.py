"""The wheel carries the model and data: installed into a fresh venv, away from ../shared
(and, where the machine allows a network namespace, with no network at all), `spundetect
check` works on the bundled example."""

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)


@pytest.mark.skipif(os.environ.get("SPUNDETECT_SKIP_WHEEL") == "1", reason="SPUNDETECT_SKIP_WHEEL=1")
def test_wheel_installs_and_runs_offline(tmp_path):
    wheels = tmp_path / "wheels"
    r = _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(ROOT)])
    assert r.returncode == 0, r.stderr[-2000:]
    (wheel,) = wheels.glob("spundetect-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for part in ("models/default/model.npz", "models/default/meta.json", "data/lm/header.json", "data/thesaurus/header.json"):
        assert any(n.endswith(part) for n in names), part
    print(f"wheel {wheel.name}: {wheel.stat().st_size / 1e6:.1f} MB")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    r = _run([str(py), "-m", "pip", "install", "--quiet", str(wheel)])  # dependencies from the registry
    assert r.returncode == 0, r.stderr[-2000:]

    workdir = tmp_path / "elsewhere"  # no ../shared beside it
    workdir.mkdir()
    example = workdir / "article.txt"
    shutil.copy(ROOT / "examples" / "spun_article.txt", example)
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "SPUNDETECT_SHARED": str(tmp_path / "no-shared"), "HOME": str(tmp_path)}
    cmd = [str(env_dir / "bin" / "spundetect"), "check", "--format", "concise", str(example)]
    offline = shutil.which("unshare") and _run(["unshare", "--net", "true"]).returncode == 0
    r = _run((["unshare", "--net"] if offline else []) + cmd, cwd=workdir, env=env)
    assert r.returncode == 1, r.stderr[-2000:]
    assert "'press convention' -> 'press conference'" in r.stdout
    assert str(ROOT) not in _run([str(py), "-c", "import spundetect; print(spundetect.__file__)"], env=env).stdout
