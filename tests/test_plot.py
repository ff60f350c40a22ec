import numpy as np
import pytest

import xpnet
from xpnet import metrics
from xpnet.datasets import make_blobs, make_planar

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plot = pytest.importorskip("xpnet.plot")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path, min_size=(200, 200)):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    image = matplotlib.image.imread(path)
    assert image.shape[0] >= min_size[0] and image.shape[1] >= min_size[1]
    assert image.std() > 0  # not a blank canvas


def test_cost_curve(tmp_path):
    model = xpnet.TwoLayerNet(num_iterations=300, cost_every=10, random_state=2).fit(
        *make_planar()
    )
    ax = plot.plot_cost(model)
    line = ax.get_lines()[0]
    np.testing.assert_array_equal(line.get_xdata(), model.cost_iterations_)
    np.testing.assert_array_equal(line.get_ydata(), model.costs_)
    plot.save_figure(ax, tmp_path / "cost.png")
    assert_png(tmp_path / "cost.png")


def test_cost_curve_from_a_list(tmp_path):
    ax = plot.plot_cost([0.7, 0.5, 0.4], iterations=[0, 100, 200])
    assert list(ax.get_lines()[0].get_xdata()) == [0, 100, 200]


def test_decision_boundary_of_a_model_on_every_backend(backend, tmp_path):
    X, y = make_planar()
    Xb, yb = xpnet.asarray(X), xpnet.asarray(y)
    model = xpnet.TwoLayerNet(num_iterations=200, random_state=2).fit(Xb, yb)
    ax = plot.plot_decision_boundary(model, Xb, yb, resolution=50)
    assert ax.collections  # the filled regions and the points
    plot.save_figure(ax, tmp_path / "boundary.png")
    assert_png(tmp_path / "boundary.png")


def test_decision_boundary_multiclass(tmp_path):
    X, _ = make_blobs(150, centers=3, random_state=0)
    y = np.arange(150) % 3
    model = xpnet.DeepNet((8,), num_iterations=100, learning_rate=0.1, random_state=0).fit(X, y)
    plot.save_figure(plot.plot_decision_boundary(model, X, y, resolution=40), tmp_path / "b.png")
    assert_png(tmp_path / "b.png")


def test_decision_boundary_needs_two_features():
    model = xpnet.LogisticRegression(num_iterations=2).fit(np.eye(3), [0, 1, 1])
    with pytest.raises(ValueError, match=r"Expected X of shape \(n_samples, 2\)"):
        plot.plot_decision_boundary(model, np.eye(3), [0, 1, 1])


def test_confusion_matrix_image(backend, tmp_path):
    C = metrics.confusion_matrix(xpnet.asarray([0, 1, 1, 2]), xpnet.asarray([0, 1, 2, 2]))
    ax = plot.plot_confusion_matrix(C, ["a", "b", "c"])
    assert [t.get_text() for t in ax.texts] == ["1", "0", "0", "0", "1", "1", "0", "0", "1"]
    plot.save_figure(ax, tmp_path / "confusion.png")
    assert_png(tmp_path / "confusion.png")


def test_a_figure_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    ax = plot.plot_cost([0.7, 0.5, 0.4])
    path = plot.save_figure(ax, tmp_path / "cost.png")
    before = path.read_bytes()
    assert_png(path)

    def crash(self, fname, *args, **kwargs):
        with open(fname, "wb") as f:  # half a figure, then a crash
            f.write(PNG_MAGIC)
        raise KeyboardInterrupt

    monkeypatch.setattr(type(ax.figure), "savefig", crash)
    with pytest.raises(KeyboardInterrupt):
        plot.save_figure(plot.plot_cost([0.7, 0.5]), path)
    assert path.read_bytes() == before  # the old figure is intact
    assert [p.name for p in tmp_path.iterdir()] == ["cost.png"]  # no temporary left


def test_a_figure_takes_the_format_of_its_suffix(tmp_path):
    path = plot.save_figure(plot.plot_cost([0.7, 0.5]), tmp_path / "cost.svg")
    assert path.read_text().lstrip().startswith("<?xml")
    with pytest.raises(ValueError, match="Format 'nope' is not supported"):
        plot.save_figure(plot.plot_cost([0.7, 0.5]), tmp_path / "cost.nope")
    assert [p.name for p in tmp_path.iterdir()] == ["cost.svg"]
