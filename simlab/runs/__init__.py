"""Runs and sweeps: one job's life, sweep folders, collecting sweeps, reruns.

- :mod:`~simlab.runs.settings`: the shared config, typed settings of a run, Hydra wiring;
- :mod:`~simlab.runs.job`: validate, skip if complete, warm up, run, publish, status;
- :mod:`~simlab.runs.claims`: one run per folder (lock files, the next free folder name);
- :mod:`~simlab.runs.signals`: SIGINT and SIGTERM as an interruption that is recorded;
- :mod:`~simlab.runs.sweeps`: a sweep's plan, manifest and summary;
- :mod:`~simlab.runs.status`, :mod:`~simlab.runs.folders`: status files and a sweep's jobs;
- :mod:`~simlab.runs.collect`: merge a sweep along its swept keys (lazily with dask);
- :mod:`~simlab.runs.rerun`: recompute a results file and compare bit for bit;
- :mod:`~simlab.runs.callbacks`: a single run validates, then claims its folder.
"""
