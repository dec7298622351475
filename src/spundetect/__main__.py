"""``python -m spundetect``: the command-line interface."""

from .cli import main

main()
