"""The bundled glossaries, installed as package data."""
