"""Entry point frozen into the windowed `sendesk` executable."""

import sys

from sendesk.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
