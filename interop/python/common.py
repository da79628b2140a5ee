"""What the engines of the interop tool share."""


class Unsupported(Exception):
    """The engine cannot do what was asked: the tool exits 3."""


class Unavailable(Exception):
    """The engine cannot run on this machine (a missing download): the
    tool exits 4."""
