"""`python -m glossary_check.rules`: print the README's rule table."""

import sys

from glossary_check.rules import markdown_table

sys.stdout.write(markdown_table())
