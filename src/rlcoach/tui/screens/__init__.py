"""Dashboard views and the screen that holds them; ``base.DataView`` is the load pattern."""
