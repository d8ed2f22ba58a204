"""The PyTorch baseline script: both workloads run, time something, and reject bad arguments."""
import math

import pytest

pytest.importorskip("torch", reason="python3-torch is not installed (tools/setup.sh installs it)")

import torch_baseline  # noqa: E402


def test_workloads_time_one_update_and_a_short_epoch():
    update = torch_baseline.transformer_seconds_per_update(steps=2, warmup=1)
    epoch = torch_baseline.mlp_seconds_per_epoch(samples=128 * 3)
    assert math.isfinite(update) and update > 0
    assert math.isfinite(epoch) and epoch > 0


def test_model_matches_the_fpsim_config_shapes():
    model = torch_baseline.Gpt()
    params = sum(p.numel() for p in model.parameters())
    # tied head: embeddings 256·128 + 64·128, per block 2 LayerNorms, QKV, proj, MLP in and out, final LN, head bias
    block = 2 * 256 + (128 * 384 + 384) + (128 * 128 + 128) + (128 * 512 + 512) + (512 * 128 + 128)
    assert params == 256 * 128 + 64 * 128 + 2 * block + 256 + 256


def test_main_prints_a_row_per_thread_count_and_rejects_bad_counts(capsys):
    assert torch_baseline.main(["--steps", "1", "--runs", "1", "--threads", "1", "--workload", "transformer"]) == 0
    out = capsys.readouterr().out
    assert "BLAS" in out and "transformer  1 threads" in out
    with pytest.raises(SystemExit):
        torch_baseline.main(["--threads", "0"])
