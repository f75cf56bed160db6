"""Dashboard screens; ``base.DataScreen`` holds the worker pattern they share."""
