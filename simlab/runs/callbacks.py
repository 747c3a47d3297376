"""Hydra callbacks: a single run validates its config, then claims its folder, before Hydra
writes anything into it.

Hydra calls :meth:`RunFolder.on_run_start` after composing the config and before it creates
the run folder. An invalid config is refused there, in one line, so it leaves no folder. The
folder is then claimed (:mod:`simlab.runs.claims`): a folder Hydra made up from the clock
becomes the first free one of ``HH-MM-SS``, ``HH-MM-SS_2``, ...; a folder the user named
(``hydra.run.dir=...``) is refused while another live run holds it. Sweeps are handled by
simlab's sweeper (:mod:`hydra_plugins.simlab_launchers.sweeper`).
"""

import sys

from hydra.experimental.callback import Callback
from omegaconf import open_dict, read_write

from simlab.errors import SimlabError
from simlab.runs import claims
from simlab.runs.settings import load_settings


def _stop(message, code):
    """End the command with one line (Hydra turns a callback's exceptions into warnings,
    so the callback leaves with SystemExit)."""
    print(message, file=sys.stderr, flush=True)
    raise SystemExit(code)


class RunFolder(Callback):
    """Validate a single run's config, then claim its folder (see the module)."""

    def on_run_start(self, config, **kwargs):
        try:
            load_settings(config)
        except SimlabError as exc:
            _stop(f"simlab: error: {exc}", 2)
        named = any(str(o).lstrip("+").split("=", 1)[0] == "hydra.run.dir"
                    for o in config.hydra.overrides.hydra)
        folder = str(config.hydra.run.dir)
        try:
            claim = claims.claim(folder) if named else claims.claim_new(folder)
        except SimlabError as exc:
            _stop(f"simlab: error: {exc}", 2)
        except OSError as exc:
            _stop(f"simlab: error: cannot create the run folder {folder}: "
                  f"{exc.strerror or exc}", 1)
        if claim.warning:
            print(f"simlab: warning: {claim.warning}", file=sys.stderr, flush=True)
        with read_write(config.hydra.run), open_dict(config.hydra.run):
            config.hydra.run.dir = str(claim.folder)
