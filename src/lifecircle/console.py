"""Console output that never crashes on a narrow encoding.

A Chinese Windows console or a redirected stream often writes GBK (cp936), which lacks characters
the command line prints (``m²``, ``✓``, ``≤``). Python's default ``strict`` error handler turns
such a character into a ``UnicodeEncodeError`` after the work is done. :func:`readable_output`
switches ``sys.stdout`` and ``sys.stderr`` to the ``lifecircle.readable`` error handler, which
writes a readable substitute instead: ``m²`` → ``m2``, ``–`` → ``-``, ``≥`` → ``>=``, else ``?``.
"""

from __future__ import annotations

import codecs
import sys
import unicodedata

ERRORS = "lifecircle.readable"
_DEFAULT_ERRORS = {"strict", "backslashreplace"}

# Substitutes tried in order; the first the stream's encoding can write is used. Characters not
# listed fall back to their compatibility form (² → 2, full-width Ａ → A), then to the letter
# without accents (é → e), then to "?".
_SUBSTITUTES: dict[str, tuple[str, ...]] = {
    "\u2010": ("-",),  # hyphen
    "\u2011": ("-",),  # non-breaking hyphen
    "\u2012": ("-",),  # figure dash
    "\u2013": ("-",),  # en dash
    "\u2014": ("-",),  # em dash
    "\u2015": ("\u2014", "-"),  # horizontal bar
    "\u2212": ("-",),  # minus sign
    "\u2018": ("'",),
    "\u2019": ("'",),
    "\u201c": ('"',),
    "\u201d": ('"',),
    "\u2026": ("...",),  # ellipsis
    "\u00b7": ("\u30fb", "."),  # middle dot
    "\u2022": ("\u00b7", "*"),  # bullet
    "\u2713": ("\u221a", "v"),  # check mark ✓ → √
    "\u2714": ("\u221a", "v"),
    "\u2717": ("\u00d7", "x"),  # ballot x
    "\u00d7": ("x",),  # multiplication sign
    "\u2264": ("<=",),
    "\u2265": (">=",),
    "\u2260": ("!=",),
    "\u2248": ("~",),
    "\u2192": ("->",),
    "\u2190": ("<-",),
    "\u00b0": ("deg",),
    "\u00a0": (" ",),  # no-break space
    "\u202f": (" ",),  # narrow no-break space
}


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeError, LookupError):
        return False
    return True


def substitute(ch: str, encoding: str) -> str:
    """A readable stand-in for one character that ``encoding`` cannot write."""
    candidates = list(_SUBSTITUTES.get(ch, ()))
    compat = unicodedata.normalize("NFKC", ch)
    if compat != ch:
        candidates.append(compat)
    stripped = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if stripped and stripped != ch:
        candidates.append(stripped)
    for candidate in candidates:
        if candidate and _encodable(candidate, encoding):
            return candidate
    return "?"


def _readable_errors(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start : exc.end]
    return "".join(substitute(ch, exc.encoding) for ch in text), exc.end


codecs.register_error(ERRORS, _readable_errors)


def readable(text: str, encoding: str) -> str:
    """``text`` as ``encoding`` would show it through the readable error handler."""
    return text.encode(encoding, ERRORS).decode(encoding)


def readable_output() -> None:
    """Make ``sys.stdout`` and ``sys.stderr`` substitute what their encoding cannot write.

    Only streams with Python's default handlers are changed (``strict``, and ``backslashreplace``
    which stderr has, writing ``✓`` as ``\\u2713``): another choice such as
    ``PYTHONIOENCODING=gbk:replace`` is kept. Streams without ``reconfigure`` (None under
    pythonw, a test's capture object) are left alone.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None or getattr(stream, "errors", None) not in _DEFAULT_ERRORS:
            continue
        try:
            reconfigure(errors=ERRORS)
        except (ValueError, OSError):  # a closed or detached stream
            continue
