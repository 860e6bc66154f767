"""mougen: the toolchain for regional sector-led improvement Memoranda of Understanding."""

__version__ = "0.1.0"
