# Makes conf/ importable as simlab.conf (see pyproject.toml), so Hydra finds it as pkg://simlab.conf.
