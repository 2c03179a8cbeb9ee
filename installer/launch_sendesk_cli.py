"""Entry point frozen into the console `sendesk-cli` executable."""

import sys

from sendesk.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
