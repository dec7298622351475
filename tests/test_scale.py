"""Scale-out: scoring pandas partitions on a Dask LocalCluster gives the single-process results."""

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _documents(n: int) -> list[str]:
    """n short documents: sentences of the two bundled examples, some spun, some clean."""
    from spundetect import segment

    texts = [p.read_text(encoding="utf-8") for p in (EXAMPLES / "spun_article.txt", EXAMPLES / "clean_article.txt")]
    sentences = [t[s.start : s.end] for t in texts for s in segment.sentences(t)]
    return [" ".join(sentences[(i * 7 + j) % len(sentences)] for j in range(1 + i % 3)) for i in range(n)]


def test_dask_local_cluster_matches_single_process():
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("dask.distributed")
    from spundetect.scale import partition_meta, score_partition

    df = pd.DataFrame({"id": range(1000), "text": _documents(1000)})
    expected = score_partition(df, suggestions=False)  # scores and spans; the restore search is tested elsewhere
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            ddf = dd.from_pandas(df, npartitions=8)
            scored = ddf.map_partitions(score_partition, suggestions=False, meta=partition_meta(ddf._meta))
            got = scored.compute(scheduler=client)
            workers = len(client.scheduler_info()["workers"])
    assert workers == 2
    got = got.sort_values("id").reset_index(drop=True)
    columns = ["id", "spin_score", "spin_spun", "spin_verdict", "spin_sentences_flagged", "spin_spans"]
    columns += ["translated_score", "translated_likely"]
    pd.testing.assert_frame_equal(got[columns], expected[columns].reset_index(drop=True))
    assert got["text"].tolist() == df["text"].tolist()
    assert expected["spin_spun"].any() and not expected["spin_spun"].all()
    assert set(expected["spin_verdict"]) <= {"spun", "suspicious", "clean"}
    assert (expected["spin_verdict"] == "spun").tolist() == expected["spin_spun"].tolist()
    assert expected["translated_score"].between(0, 1).all()


def test_a_row_without_text_is_not_called_clean():
    pd = pytest.importorskip("pandas")
    from spundetect.scale import NO_TEXT, score_partition

    df = pd.DataFrame({"text": ["The press convention was held within the capital.", None, float("nan"), "A plain line."]})
    out = score_partition(df, suggestions=False)
    assert list(out["spin_verdict"]) == ["spun", NO_TEXT, NO_TEXT, "clean"]
    assert out["spin_score"].isna().tolist() == [False, True, True, False]
    assert out["translated_score"].isna().tolist() == [False, True, True, False]
    assert not out["spin_spun"][1] and out["spin_sentences_flagged"][1] == 0 and out["spin_spans"][1] == "[]"
