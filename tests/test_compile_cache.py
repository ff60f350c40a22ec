"""The persistent compilation caches: where they go, what turns them off, and that a
second process reuses what the first compiled."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from xpnet.compile_cache import compile_cache_dir

#: Run in a fresh process: enable (or not) the cache, compile a step, print what happened.
JAX_SCRIPT = """
import json, sys
import jax
hits = []
def listen(event, **kwargs):
    if event == "/jax/compilation_cache/cache_hits":
        hits.append(event)
jax.monitoring.register_event_listener(listen)
import numpy as np
import xpnet
from xpnet.compile_cache import enable_compile_cache
path = enable_compile_cache("jax") if sys.argv[1] == "enable" else "not asked"
rng = np.random.RandomState(0)
X = rng.randn(64, 3)
y = (X[:, 0] > 0).astype(int)
with xpnet.use_backend("jax"):
    model = xpnet.DeepNet((4,), num_iterations=2, batch_size=32, jit_compile=True)
    model.fit(X, y)
print(json.dumps({"path": path and str(path), "hits": len(hits),
                  "jax_dir": jax.config.jax_compilation_cache_dir,
                  "max_size": jax.config.jax_compilation_cache_max_size}))
"""

TORCH_SCRIPT = """
import json, os
from xpnet.compile_cache import enable_compile_cache
path = enable_compile_cache("torch")
print(json.dumps({"path": path and str(path), "env": os.environ.get("TORCHINDUCTOR_CACHE_DIR")}))
"""


def run(script, env, *args):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("XPNET_", "JAX_C"))}
    environment.pop("TORCHINDUCTOR_CACHE_DIR", None)
    environment |= env
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=Path(__file__).parent.parent,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def files(folder):
    return sorted(p for p in Path(folder).rglob("*") if p.is_file())


def test_the_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("XPNET_COMPILE_CACHE", raising=False)
    monkeypatch.setenv("XPNET_CACHE_DIR", str(tmp_path))
    assert compile_cache_dir("jax") == tmp_path / "jax"
    assert compile_cache_dir("torch") == tmp_path / "torch"
    monkeypatch.setenv("XPNET_COMPILE_CACHE", "0")
    assert compile_cache_dir("jax") is None
    monkeypatch.setenv("XPNET_COMPILE_CACHE", "maybe")
    with pytest.raises(ValueError, match=r"Invalid XPNET_COMPILE_CACHE\. .*Received: .*'maybe'"):
        compile_cache_dir("jax")
    with pytest.raises(ValueError, match=r"Invalid library\. Expected one of .*'numpy'"):
        compile_cache_dir("numpy")


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="Linux's cache folder")
def test_the_default_folder_is_the_users_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("XPNET_COMPILE_CACHE", raising=False)
    monkeypatch.delenv("XPNET_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert compile_cache_dir("jax") == tmp_path / "xpnet" / "jax"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert compile_cache_dir("jax") == Path.home() / ".cache" / "xpnet" / "jax"


def test_a_second_process_loads_the_step_the_first_compiled(tmp_path):
    pytest.importorskip("jax")
    env = {"XPNET_CACHE_DIR": str(tmp_path)}
    first = run(JAX_SCRIPT, env, "enable")
    assert first["path"] == first["jax_dir"] == str(tmp_path / "jax")
    written = files(tmp_path / "jax")
    assert first["hits"] == 0 and written
    assert first["max_size"] == -1  # JAX's own: a bound reads the folder on every write
    second = run(JAX_SCRIPT, env, "enable")
    assert second["hits"] >= 1  # loaded from the cache, not compiled
    assert files(tmp_path / "jax") == written


def test_importing_xpnet_enables_nothing_and_the_switch_turns_it_off(tmp_path):
    pytest.importorskip("jax")
    script = "import json, jax, xpnet; print(json.dumps(jax.config.jax_compilation_cache_dir))"
    assert run(script, {"XPNET_CACHE_DIR": str(tmp_path)}) is None
    off = run(JAX_SCRIPT, {"XPNET_CACHE_DIR": str(tmp_path), "XPNET_COMPILE_CACHE": "0"}, "enable")
    assert off["path"] is None and off["jax_dir"] is None and off["hits"] == 0
    assert not (tmp_path / "jax").exists()


def test_loading_the_jax_backend_turns_the_cache_on_before_any_operation(tmp_path):
    """Every program of a fit is cached, the eager operations around the step too."""
    pytest.importorskip("jax")
    script = (
        "import json, jax, xpnet; xpnet.set_backend('jax'); "
        "print(json.dumps(jax.config.jax_compilation_cache_dir))"
    )
    assert run(script, {"XPNET_CACHE_DIR": str(tmp_path)}) == str(tmp_path / "jax")


def test_a_users_own_jax_cache_is_left_as_it_is(tmp_path):
    pytest.importorskip("jax")
    own = tmp_path / "own"
    env = {"XPNET_CACHE_DIR": str(tmp_path / "xpnet"), "JAX_COMPILATION_CACHE_DIR": str(own)}
    result = run(JAX_SCRIPT, env, "enable")
    assert result["path"] == result["jax_dir"] == str(own)
    assert result["max_size"] == -1  # the user's cache, the user's limit
    assert not (tmp_path / "xpnet").exists()


def test_torch_caches_in_xpnets_folder_unless_told_otherwise(tmp_path):
    pytest.importorskip("torch")
    mine = run(TORCH_SCRIPT, {"XPNET_CACHE_DIR": str(tmp_path)})
    assert mine["path"] == mine["env"] == str(tmp_path / "torch")
    own = str(tmp_path / "own")
    theirs = run(TORCH_SCRIPT, {"XPNET_CACHE_DIR": str(tmp_path), "TORCHINDUCTOR_CACHE_DIR": own})
    assert theirs["path"] == theirs["env"] == own


TORCH_COMPILE_SCRIPT = """
import json, torch
from xpnet.compile_cache import enable_compile_cache
path = enable_compile_cache("torch")  # before inductor's import, which sets its folder
from torch._dynamo.utils import counters
step = torch.compile(lambda W, X: torch.tanh(W @ X) * 2 + 1, fullgraph=True)
step(torch.ones(3, 4), torch.ones(4, 5))
inductor = counters["inductor"]
print(json.dumps({"path": str(path), "hits": inductor["fxgraph_cache_hit"],
                  "misses": inductor["fxgraph_cache_miss"]}))
"""


@pytest.mark.slow
def test_a_second_process_loads_what_inductor_compiled(tmp_path):
    pytest.importorskip("torch")
    env = {"XPNET_CACHE_DIR": str(tmp_path)}
    first = run(TORCH_COMPILE_SCRIPT, env)
    assert first["path"] == str(tmp_path / "torch")
    assert first["misses"] >= 1 and first["hits"] == 0 and files(tmp_path / "torch")
    second = run(TORCH_COMPILE_SCRIPT, env)
    assert second["hits"] >= 1 and second["misses"] == 0
