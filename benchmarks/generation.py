"""Tokens per second of simlab's generation vs transformers' own ``generate``, in one run.

Both generate the same batch of sequences from the beginning-of-sequence token by pure
temperature sampling (transformers: ``do_sample=True, top_k=0, top_p=1.0``; simlab: its
seeded per-sequence sampler plus the exact ln Z, S and C of every sampled distribution and
the log-probability at T = 1). simlab's time is split into the model's forward passes and
the rest (sampling and thermodynamics). Run:

    python benchmarks/generation.py [--batch 64] [--steps 256] [--temperature 1.0]
                                    [--threads 2] [--repeats 2]
"""

import argparse
import os
import time

from machine import header  # benchmarks/machine.py


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=256)
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    header("torch", "transformers")

    import torch

    from simlab.llm import generation, models
    from simlab.llm.controls import FixedTemperature

    torch.set_num_threads(args.threads)
    os.environ["HF_HUB_OFFLINE"] = "1"
    lm = models.load()
    bos = lm.tokenizer.bos_token_id
    tokens = args.batch * args.steps
    print(f"{lm.name}, batch {args.batch} x {args.steps} tokens at T = {args.temperature}, "
          f"{torch.get_num_threads()} torch threads")

    forward_seconds = [0.0]
    original = generation._forward

    def timed_forward(*a, **k):
        begin = time.perf_counter()
        out = original(*a, **k)
        forward_seconds[0] += time.perf_counter() - begin
        return out

    def run_simlab():
        forward_seconds[0] = 0.0
        generation._forward = timed_forward
        try:
            begin = time.perf_counter()
            generation.generate(lm, [FixedTemperature(args.temperature)], args.batch,
                                args.steps, seed=0, batch_size=args.batch)
            return time.perf_counter() - begin
        finally:
            generation._forward = original

    def run_transformers():
        start = torch.full((args.batch, 1), bos, dtype=torch.long)
        torch.manual_seed(0)
        begin = time.perf_counter()
        with torch.inference_mode():
            lm.model.generate(start, attention_mask=torch.ones_like(start), do_sample=True,
                              top_k=0, top_p=1.0, temperature=args.temperature,
                              max_new_tokens=args.steps, min_new_tokens=args.steps,
                              pad_token_id=lm.tokenizer.eos_token_id)
        return time.perf_counter() - begin

    # compile simlab's Numba kernels before timing
    generation.generate(lm, [FixedTemperature(args.temperature)], 2, 2, seed=0)
    rows = []
    for r in range(args.repeats):  # interleaved, so both see the same machine load
        t_simlab = run_simlab()
        forward = forward_seconds[0]
        t_hf = run_transformers()
        rows.append((t_simlab, forward, t_hf))
        print(f"repeat {r}: simlab {tokens / t_simlab:7.1f} tok/s ({t_simlab:.1f} s, forward "
              f"{100 * forward / t_simlab:.0f}%), transformers {tokens / t_hf:7.1f} tok/s "
              f"({t_hf:.1f} s), ratio simlab/transformers {t_hf / t_simlab:.2f}", flush=True)
    best = min(rows, key=lambda x: x[0])
    best_hf = min(x[2] for x in rows)
    print(f"best: simlab {tokens / best[0]:.1f} tok/s, transformers {tokens / best_hf:.1f} "
          f"tok/s, ratio {best_hf / best[0]:.2f}; simlab outside the forward pass: "
          f"{best[0] - best[1]:.2f} s ({100 * (best[0] - best[1]) / best[0]:.1f}%)")


if __name__ == "__main__":
    main()
