"""chipshift: what-if analysis of the semiconductor supply chain under trade restrictions."""

__version__ = "0.1.0"
