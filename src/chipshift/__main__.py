"""`python -m chipshift`: the command line."""

from chipshift.cli import main

main()
