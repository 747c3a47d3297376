"""Runs and sweeps: one job's life, sweep folders, collecting sweeps, reruns.

- :mod:`~simlab.runs.settings`: the shared config, typed settings of a run, Hydra wiring;
- :mod:`~simlab.runs.job`: validate, skip if complete, warm up, run, publish, status;
- :mod:`~simlab.runs.status`, :mod:`~simlab.runs.folders`: status files and job folders;
- :mod:`~simlab.runs.collect`: merge a sweep along its swept keys (lazily with dask);
- :mod:`~simlab.runs.rerun`: recompute a results file and compare bit for bit;
- :mod:`~simlab.runs.callbacks`: the sweep summary printed at the end of a multirun.
"""
