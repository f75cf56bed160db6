"""``rlcoach dashboard``: a Textual terminal UI over the local library.

Entry point: ``rlcoach.tui.app.DashboardApp(DashboardData(...))``. Importing
this package imports nothing heavy; ``app`` pulls in Textual. Layout:
``data`` (the only code that reads the library, always from workers),
``screens`` (the views and the screen holding them), ``widgets`` (pure
renderers), ``ranks`` (ballchasing's rank means shipped in ``data/``).
See docs/dashboard.md.
"""
