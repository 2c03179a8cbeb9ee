"""sendesk: a school's SEND records, kept encrypted and offline.

The version lives here and nowhere else; packaging, the CLI and Help > About read it.
"""

__version__ = "0.1.0"
