"""A norm profile as plain text, for ``lifecircle profiles show``: every figure with its source."""

from __future__ import annotations

from lifecircle.analysis.profiles import LEVEL_NAMES_ZH, Profile
from lifecircle.maps.figlabels import status_legend
from lifecircle.vocab import LEVELS, Lang


def format_profile(profile: Profile, *, lang: Lang = "zh") -> str:
    """Return the resolved norms of ``profile`` with their sources, as plain text.

    For ``lifecircle profiles show ID``: levels, categories by level, checks, each with its value,
    unit, status and source, and a legend of the status letters.
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"unknown lang {lang!r}; valid values: zh, en")
    zh = lang == "zh"
    chain = " → ".join((*profile.extends, profile.id))
    lines = [
        f"{profile.id}  {profile.name}",
        f"{'继承链' if zh else 'extends'}: {chain}",
        "",
    ]
    figures = profile.figures()
    cat_rows = figures["key"].str.startswith("categories.")
    head = "规范值" if zh else "Norm figures"
    lines.append(f"{head} ({len(figures)}):")
    for row in figures[~cat_rows].itertuples(index=False):
        value = f"{row.value:g} {row.unit}"
        lines.append(f"  [{row.status}] {row.key:<40} {value:<14} {row.label}  — {row.source}")
    lines.append("")
    lines.append("设施类别" if zh else "Facility categories")
    for level in LEVELS:
        lines.append(f"  {LEVEL_NAMES_ZH[level] if zh else level}:")
        for cat in profile.categories.values():
            if cat.level != level:
                continue
            name = cat.name_zh if zh else cat.name_en
            if zh:
                need = "必配" if cat.required else "宜配"
            else:
                need = "required" if cat.required else "optional"
            aliases = f" ({', '.join(cat.aliases)})" if cat.aliases else ""
            lines.append(
                f"    [{cat.status}] {cat.id:<27} {cat.distance_m.value:g} m  {need}  "
                f"{name}{aliases}  — {cat.source}"
            )
    lines.append("")
    lines.append(status_legend(lang))
    return "\n".join(lines)
