"""Text from documents made safe for a terminal: no escape sequences run, no rich markup parsed.

Documents come from anywhere; their text and file names can hold ANSI/OSC sequences (clear
the screen, rewrite the clipboard, fake hyperlinks) or ``[bold]``-like rich markup. Everything
document-derived goes through ``shown`` before it is printed; JSON output stays exact.
"""

from __future__ import annotations

import unicodedata

from rich.markup import escape

# Visible stand-ins for the C0 controls people recognise; any other control is shown as \\xNN / \\uNNNN.
_NAMED = {"\x1b": "␛", "\r": "␍", "\x00": "␀", "\x07": "␇", "\x08": "␈"}


def printable(text: str, keep_newlines: bool = True) -> str:
    """``text`` with every control and bidirectional-override character made visible."""
    out: list[str] = []
    for ch in text:
        if ch == "\n" and keep_newlines or ch == "\t":
            out.append(ch)
        elif ch == "\n":
            out.append("␊")
        elif ch in _NAMED:
            out.append(_NAMED[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200b\u200c\u200d":
            # Cf: bidi overrides (U+202E...) that reorder what follows; zero-width joiners are harmless.
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def shown(text: object, keep_newlines: bool = True) -> str:
    """A document-derived string for ``console.print``: controls visible, rich markup escaped."""
    return escape(printable(str(text), keep_newlines))
