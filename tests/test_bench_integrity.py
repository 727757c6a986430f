"""bench.integrity at a small size, so that it never rots."""

from bench import integrity


def test_the_integrity_benchmark_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDAPP_INSTANCE", str(tmp_path))
    rows = integrity.run(photos=3, scale=0.002, url=f"sqlite:///{tmp_path / 'bench.db'}")
    assert [r["measure"] for r in rows] == ["audit files", "audit verify (rows)"]
    assert rows[0]["files"] == 9 and rows[1]["rows"] > 100
