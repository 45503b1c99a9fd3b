"""glossary-check: an offline translation and glossary consistency checker for newsrooms."""

__version__ = "0.1.0"
