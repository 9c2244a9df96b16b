"""The provenance table of the report's methods section: tool version, profile and its hash,
every input file with its SHA-256, and the parameters of the run."""

from __future__ import annotations

import json

from lifecircle.analysis.results import Provenance
from lifecircle.maps.labels import escape_html as _e, label


def provenance_html(prov: Provenance | None, lang: str) -> str:
    """The provenance as HTML (every value escaped); empty for results without one.

    Parameters
    ----------
    prov
        The run's provenance.
    lang
        ``zh`` or ``en``.

    Returns
    -------
    str
        A heading, a facts table, the input files with their SHA-256 and size in bytes, and the
        parameters as indented JSON.
    """
    if prov is None:
        return ""
    facts = [
        (label("tool_version", lang), prov.tool_version),
        (label("profile", lang), prov.profile_id),
        (label("profile_sha256", lang), prov.profile_sha256),
    ]
    rows = "".join(f"<tr><td>{_e(k)}</td><td><code>{_e(v)}</code></td></tr>" for k, v in facts)
    head = "".join(
        f"<th>{_e(label(k, lang))}</th>" for k in ("input_role", "input_file", "size_bytes")
    )
    files = "".join(
        f"<tr><td>{_e(f.role)}</td><td>{_e(f.path)}<br><code>{_e(f.sha256)}</code></td>"
        f'<td class="num">{f.size_bytes:,}</td></tr>'
        for f in prov.inputs
    )
    params = json.dumps(dict(prov.parameters), ensure_ascii=False, indent=1, sort_keys=True)
    return (
        f'<h3 id="provenance">{_e(label("provenance", lang))}</h3>'
        f"<table><tbody>{rows}</tbody></table>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{files}</tbody></table>"
        f'<p class="note">{_e(label("provenance_text", lang))}</p>'
        f"<h3>{_e(label('parameters', lang))}</h3>"
        f'<pre class="note" style="white-space:pre-wrap">{_e(params)}</pre>'
    )
