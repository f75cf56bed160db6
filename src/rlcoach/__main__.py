"""``python -m rlcoach``."""

from rlcoach.cli import main

if __name__ == "__main__":
    main()
