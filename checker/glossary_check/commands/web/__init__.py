"""`glossary-check serve`: the checks over HTTP, the glossary compiled once and kept warm."""
