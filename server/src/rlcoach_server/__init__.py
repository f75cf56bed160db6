"""rlcoach companion server: device login (RFC 8628), Stripe billing and the metered coach.

The server is independent of the ``rlcoach`` client package; the two meet only over HTTP.
"""

__version__ = "0.1.0"
