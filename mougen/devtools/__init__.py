"""Tools for mougen's developers (not part of the command line)."""
