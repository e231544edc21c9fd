"""Print docs/cli.md: ``python -m chipshift.cli_docs > docs/cli.md``."""

from chipshift.cli import command_reference

if __name__ == "__main__":
    print(command_reference(), end="")
