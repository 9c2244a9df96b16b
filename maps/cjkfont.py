"""Finding a system font with Chinese glyphs, for the static map figure and ``report.pdf``.

The order is fixed and short, so that a run gives the same font on the same machine:

1. the font file named by the ``LIFECIRCLE_CJK_FONT`` environment variable (a ``.ttf``, ``.otf``
   or ``.ttc``), when it exists;
2. Windows: 微软雅黑 ``msyh.ttc``, 等线 ``Deng.ttf``, 黑体 ``simhei.ttf``, 宋体 ``simsun.ttc``
   in ``%WINDIR%\\Fonts``;
3. Linux: Noto Sans CJK (``fonts-noto-cjk``), Source Han Sans, WenQuanYi, Droid Sans Fallback in
   the usual font folders (``/usr/share/fonts``, ``~/.local/share/fonts``, ``~/.fonts``);
4. macOS: 苹方 ``PingFang.ttc``, 冬青黑体 ``Hiragino Sans GB.ttc``, ``STHeiti Light.ttc``.

In a collection (``.ttc``) the face for Simplified Chinese is taken: the one whose family name
ends in ``SC`` or is 微软雅黑 / 宋体, else the first.

Examples
--------
>>> font = find_cjk_font()  # doctest: +SKIP
>>> font.path, font.face_index, font.family  # doctest: +SKIP
('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 2, 'Noto Sans CJK SC')
"""

from __future__ import annotations

import functools
import os
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ENV_VAR", "CjkFont", "find_cjk_font"]

#: The environment variable naming a font file to use before any system font.
ENV_VAR = "LIFECIRCLE_CJK_FONT"

_WINDOWS = ("msyh.ttc", "Deng.ttf", "simhei.ttf", "simsun.ttc")
_LINUX_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
)
_LINUX = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "SourceHanSansSC-Regular.otf",
    "SourceHanSans-Regular.ttc",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "DroidSansFallbackFull.ttf",
    "NotoSerifCJK-Regular.ttc",
)
#: Family names of Simplified Chinese faces in a collection, beside those ending in "SC".
_SIMPLIFIED = ("Microsoft YaHei", "SimSun", "微软雅黑", "宋体")
_MACOS = (
    Path("/System/Library/Fonts/PingFang.ttc"),
    Path("/System/Library/Fonts/Hiragino Sans GB.ttc"),
    Path("/Library/Fonts/Hiragino Sans GB.ttc"),
    Path("/System/Library/Fonts/STHeiti Light.ttc"),
)


@dataclass(frozen=True)
class CjkFont:
    """A font file with Chinese glyphs.

    Attributes
    ----------
    path
        The font file (``.ttf``, ``.otf`` or ``.ttc``).
    face_index
        The face within a collection (0 for a single font).
    family
        The face's family name, e.g. ``Noto Sans CJK SC`` or ``Microsoft YaHei``.
    """

    path: Path
    face_index: int
    family: str


def _candidates() -> list[Path]:
    """Font files to try, in order (see the module's docstring)."""
    out: list[Path] = []
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        out.append(Path(env))
    if sys.platform.startswith("win"):
        fonts = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        out.extend(fonts / name for name in _WINDOWS)
        local = os.environ.get("LOCALAPPDATA")
        if local:
            out.extend(Path(local) / "Microsoft/Windows/Fonts" / name for name in _WINDOWS)
    elif sys.platform == "darwin":
        out.extend(_MACOS)
    else:
        for name in _LINUX:
            for folder in _LINUX_DIRS:
                if folder.is_dir():
                    out.extend(sorted(folder.rglob(name)))
    return out


def _simplified_face(path: Path) -> tuple[int, str] | None:
    """The face index and family name of the Simplified Chinese face of ``path``; None when the
    file is not a font fontTools can read or has no CJK ideographs."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        with path.open("rb") as fh:
            if path.suffix.lower() in (".ttc", ".otc"):
                faces = list(TTCollection(fh, lazy=True).fonts)
            else:
                faces = [TTFont(fh, lazy=True)]
            names = [str(f["name"].getDebugName(1) or "") for f in faces]
            pick = 0
            for i, name in enumerate(names):
                if name.endswith(" SC") or name in _SIMPLIFIED:
                    pick = i
                    break
            cmap = faces[pick].getBestCmap() or {}
    except (OSError, TTLibError, AssertionError, ValueError, KeyError, struct.error):
        return None
    if ord("社") not in cmap or ord("区") not in cmap:
        return None
    return pick, names[pick]


@functools.cache
def _find(candidates: tuple[Path, ...]) -> CjkFont | None:
    for path in candidates:
        if not path.is_file():
            continue
        face = _simplified_face(path)
        if face is not None:
            return CjkFont(path=path, face_index=face[0], family=face[1])
    return None


def find_cjk_font() -> CjkFont | None:
    """The first usable font with Chinese glyphs, in the order of the module's docstring.

    Returns
    -------
    CjkFont or None
        None when no such font is installed (the report then has no PDF, and says why).
    """
    return _find(tuple(_candidates()))
