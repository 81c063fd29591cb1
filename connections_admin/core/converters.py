"""URL converters."""


class IdConverter:
    """A database id: 1 to 18 digits, so it always fits a 64-bit integer column.

    Django's ``int`` converter takes any number of digits, and a huge one makes the
    database driver fail (a 500) instead of a plain 404.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
