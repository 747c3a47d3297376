"""The exceptions simlab raises for problems a user can fix.

Every message names what was wrong (the key or argument), the value given and what is allowed,
in one line, so the command line can print it as is.
"""


class SimlabError(Exception):
    """Base class of the errors simlab reports to users."""


class ConfigError(SimlabError, ValueError):
    """An invalid configuration value or function argument."""

    def __init__(self, key, value, allowed):
        self.key = key
        self.value = value
        self.allowed = allowed
        super().__init__(f"{key}={value!r} is not allowed: {allowed}")


class ModelError(SimlabError, ValueError):
    """A model that cannot be built or evaluated as asked (inconsistent shapes, bad couplings)."""


class DataError(SimlabError, ValueError):
    """Input data or a results file that is malformed, truncated or of the wrong kind."""


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal: SIGINT (Ctrl-C) or SIGTERM (a scheduler's cancel or
    preemption, ``kill``). A KeyboardInterrupt, so code that cleans up after Ctrl-C cleans up
    after SIGTERM too.

    Attributes
    ----------
    signum : int
    detail : str or None
        What was kept, set by the code that recorded the interruption (one line).
    """

    def __init__(self, signum=2):
        self.signum = int(signum)
        self.detail = None
        super().__init__(self.signal_name)

    def __reduce__(self):  # crosses process boundaries (joblib's workers) intact
        return (type(self), (self.signum,))

    @property
    def signal_name(self):
        import signal

        return signal.Signals(self.signum).name

    @property
    def exit_code(self):
        """The shell's convention for a process ended by the signal: 128 + its number."""
        return 128 + self.signum
