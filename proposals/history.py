"""A proposal's versions as readable differences, for the history on its page."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from proposals.models import Proposal, ProposalVersion
from proposals.submission import VERSIONED_FIELDS

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def word_diff(old: str, new: str) -> Markup:
    """``new`` with what was removed in <del> and what was added in <ins>, word by word."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    parts: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(str(escape("".join(a[i1:i2]))))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return Markup("".join(parts))  # noqa: S704 - every piece escaped above


@dataclass
class FieldChange:
    name: str
    diff: Markup


@dataclass
class VersionView:
    version: ProposalVersion
    changes: list[FieldChange]


def history(proposal: Proposal) -> list[VersionView]:
    """Newest first; the first version shows no differences (it is the submitted text)."""
    views: list[VersionView] = []
    previous: dict[str, object] | None = None
    for version in proposal.versions:
        changes = []
        if previous is not None:
            for name in VERSIONED_FIELDS:
                old, new = previous.get(name), version.fields.get(name)
                if old != new:
                    changes.append(
                        FieldChange(
                            name,
                            word_diff(
                                "" if old is None else str(old), "" if new is None else str(new)
                            ),
                        )
                    )
        views.append(VersionView(version, changes))
        previous = version.fields
    return list(reversed(views))
