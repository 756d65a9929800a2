"""stskg core: organisation models as sociotechnical work systems, in RDF.

The core knows nothing of HTTP; ``api`` and the CLI are thin layers over it.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stskg")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
