"""Dashboard widgets: pure renderers of data handed to them (no database reads)."""
