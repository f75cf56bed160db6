"""rlcoach: Rocket League replays into ballchasing-accurate stats and coaching.

The package is layered: ``replay`` (the only door to the Rust engine) feeds
``analysis`` (pure numpy stat computation), which feeds ``report`` (the
versioned JSON contract and the Markdown dossier). ``pipeline`` runs that in
worker processes; ``library``, ``coach``, ``tui`` and ``cli`` sit on top.
"""

__version__ = "0.1.0"
