"""simlab's Hydra launcher plugins (Hydra only loads launchers from the hydra_plugins
namespace). See :mod:`hydra_plugins.simlab_launchers.submitit_tolerant`."""
