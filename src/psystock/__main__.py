"""``python -m psystock``: the same as the ``psystock`` command."""

from psystock.cli import main

if __name__ == "__main__":
    main()
