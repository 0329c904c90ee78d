"""The MLflow name scheme: report figures as metric, param and tag keys (docs/mlflow.md).

MLflow keys allow only letters, digits, ``_ - . / space`` (and ``:`` off Windows), must
read the same after ``posixpath.normpath`` (no empty, ``.`` or ``..`` part between
slashes) and hold at most 250 characters. Rule ids, segment values and column names may
hold anything, so each becomes one *component* by an injective escaping:

- the bytes of its UTF-8 that are ASCII letters, digits, ``_`` or ``-`` stay as they are;
- every other byte becomes ``.`` and two upper-case hex digits (``/`` is ``.2F``,
  ``.`` itself is ``.2E``, ``é`` is ``.C3.A9``);
- the empty text is ``._``, which no escaped text can be.

A component never holds ``/``, so joining components with ``/`` keeps them apart, and
decoding a component is unambiguous (``.`` always starts a three-character escape), so
two different texts never give one component and two different figures never one name.

A name longer than 250 characters has its longest escaped components shortened, one at a
time, to their first 16 characters (cut between escapes), ``..`` and the first 32 hex
digits of the SHA-256 of the original text, until it fits. ``..`` never occurs in an
escaped text, so a shortened component cannot equal an unshortened one; two shortened
ones are equal only if their texts' SHA-256 agree in 128 bits. A name that is still too
long once every component is shortened is not logged (``names_too_long`` counts it).
"""

import hashlib
import re
from typing import Optional, Sequence, Tuple, Union

from ..._core import UsageError

MAX_NAME_LENGTH = 250  # mlflow.utils.validation.MAX_ENTITY_KEY_LENGTH
_KEPT = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_EMPTY = "._"
_SHORT_HEAD = 16
_DIGEST_HEX = 32
_PREFIX_PART = re.compile(r"[A-Za-z0-9_.\-]+")


class Text(str):
    """A component that comes from the policy or the data: escaped, and shortened if need be."""


Part = Union[str, Text]


def escape(text: str) -> str:
    """``text`` as one component of a name (the escaping in this module's docstring)."""
    if text == "":
        return _EMPTY
    return "".join(chr(b) if b in _KEPT else f".{b:02X}" for b in text.encode("utf-8"))


def shorten(text: str) -> str:
    """The component of a ``text`` whose name is too long: a readable head and a digest."""
    escaped = escape(text)
    cut = _SHORT_HEAD
    while cut > 0 and "." in escaped[max(cut - 2, 0):cut]:
        cut -= 1  # never end inside a ".XX" escape
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:_DIGEST_HEX]
    return escaped[:cut] + ".." + digest


def check_prefix(prefix: str) -> str:
    """The caller's prefix, which is used as given: parts of ``A-Z a-z 0-9 _ . -`` between slashes."""
    parts = prefix.split("/") if isinstance(prefix, str) else [None]
    if not all(p is not None and _PREFIX_PART.fullmatch(p) and p not in (".", "..") for p in parts) \
            or len(prefix) > 64:
        raise UsageError("prefix must be at most 64 characters: letters, digits, _ . - "
                         "in parts between single slashes (no empty, . or .. part)")
    return prefix


def name(parts: Sequence[Part]) -> Optional[str]:
    """The key of one figure: fixed words as they are, each ``Text`` escaped, joined by ``/``;
    None when even shortened it exceeds 250 characters."""
    out = [escape(p) if isinstance(p, Text) else p for p in parts]
    order = sorted((i for i, p in enumerate(parts) if isinstance(p, Text)), key=lambda i: -len(out[i]))
    for i in order:
        if _length(out) <= MAX_NAME_LENGTH:
            break
        short = shorten(parts[i])
        if len(short) < len(out[i]):
            out[i] = short
    return "/".join(out) if _length(out) <= MAX_NAME_LENGTH else None


def _length(parts: Sequence[str]) -> int:
    return sum(len(p) for p in parts) + len(parts) - 1


def segment_parts(columns: Sequence[str], value: Union[str, dict]) -> Tuple[Text, ...]:
    """A segment value as components: the value of each of the spec's columns, in order."""
    if isinstance(value, dict):
        return tuple(Text(value[c]) for c in columns)
    return (Text(value),)
