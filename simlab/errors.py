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
