"""The OpenAPI 3.1 description of the open-data API (``proposals/api.py``), written by hand.

It is served at ``/api/v1/openapi.json``. ``tests/test_api.py`` validates this document
with openapi-spec-validator and every response of the API against the schema declared
here for its path and status, with ``additionalProperties: false`` throughout, so a
field added to the API without a line here fails the tests.
"""

from __future__ import annotations

from typing import Any

from proposals.models import ActivityType, CommentKind, Phase, ProposalState, Visibility

PER_PAGE_NOTE = "Pages hold 20 proposals."


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


_UTC = {
    "type": "string",
    "format": "date-time",
    "pattern": "Z$",
    "description": "ISO 8601 in UTC, with a trailing Z.",
    "examples": ["2026-11-01T20:59:00Z"],
}
_DATE = {"type": "string", "format": "date", "examples": ["2026-11-25"]}
_URL = {"type": "string", "format": "uri"}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {
            "error": {"type": "string", "description": "What went wrong, in English."},
            "status": {"type": "integer", "description": "The HTTP status, repeated."},
        },
        "Every error, whatever its status.",
    ),
    "Organization": _object(
        {"id": {"type": "integer"}, "name": {"type": "string"}},
        "A civil-society organisation (never a person).",
    ),
    "Theme": _object(
        {
            "id": {"type": "integer"},
            "name_tr": {"type": "string", "description": "Turkish name."},
            "name_en": {"type": "string", "description": "English name; may be empty."},
        },
        "A theme of the campaign; filter proposals with `theme=<id>`.",
    ),
    "Windows": _object(
        {
            "submission_opens_at": _UTC,
            "submission_closes_at": _UTC,
            "voting_opens_at": _UTC,
            "voting_closes_at": _UTC,
        },
        "The campaign's windows; each opens at its start and closes at its end (exclusive).",
    ),
    "Campaign": _object(
        {
            "slug": {"type": "string", "description": "The campaign's key in every URL."},
            "title": {"type": "string"},
            "description": {"type": "string", "description": "Markdown source."},
            "awareness_day": _DATE,
            "phase": {
                "enum": [p.value for p in Phase],
                "description": "Derived from the windows at the time of the request.",
            },
            "windows": _ref("Windows"),
            "timezone": {
                "type": "string",
                "description": "IANA time zone the campaign's dates are shown in.",
                "examples": ["Europe/Istanbul"],
            },
            "votes_per_organization": {"type": "integer", "minimum": 0},
            "visibility": {
                "enum": [v.value for v in Visibility],
                "description": "`members` campaigns are visible to signed-in members only.",
            },
            "themes": {"type": "array", "items": _ref("CampaignTheme")},
            "proposal_count": {
                "type": "integer",
                "minimum": 0,
                "description": "Published proposals (drafts are not counted).",
            },
            "links": _object(
                {
                    "self": _URL,
                    "proposals": {**_URL, "description": "The campaign's proposals (API)."},
                    "html": {**_URL, "description": "The campaign's page on the site."},
                }
            ),
        },
        "A consultation for one awareness day.",
    ),
    "CampaignList": _object({"items": {"type": "array", "items": _ref("Campaign")}}),
    "ProposalLinks": _object(
        {
            "self": _URL,
            "campaign": {**_URL, "description": "The campaign (API)."},
            "html": {**_URL, "description": "The proposal's page on the site."},
        }
    ),
    "ProposalSummary": _object(
        {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "activity_type": _nullable({"enum": [a.value for a in ActivityType]}),
            "district": _nullable(
                {
                    "type": "string",
                    "description": "An İzmir district, `city-wide` or `online`.",
                }
            ),
            "state": {
                "enum": [s.value for s in ProposalState],
                "description": "`draft` appears only to members of the author organisation.",
            },
            "organization": _ref("Organization"),
            "partners": {
                "type": "array",
                "items": _ref("Organization"),
                "description": "Organisations that confirmed their partnership.",
            },
            "themes": {"type": "array", "items": _ref("Theme")},
            "comment_count": {
                "type": "integer",
                "minimum": 0,
                "description": "Comments not deleted.",
            },
            "support_count": {
                "type": "integer",
                "minimum": 0,
                "description": "Distinct organisations that left a `support` comment.",
            },
            "submitted_at": _nullable(_UTC),
            "links": _ref("ProposalLinks"),
        },
        "A proposal as the campaign's list shows it.",
    ),
    "Pagination": _object(
        {
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
            "per_page": {"type": "integer", "minimum": 1},
        }
    ),
    "ProposalPage": _object(
        {
            "items": {"type": "array", "items": _ref("ProposalSummary")},
            "pagination": _ref("Pagination"),
            "links": _object(
                {
                    "self": _URL,
                    "first": _URL,
                    "last": _URL,
                    "next": _nullable(_URL),
                    "prev": _nullable(_URL),
                    "campaign": _URL,
                },
                "Page links keep every filter, the sort and (for `random`) the seed.",
            ),
        }
    ),
    "Comment": _object(
        {
            "id": {"type": "integer"},
            "kind": _nullable({"enum": [k.value for k in CommentKind]}),
            "body": _nullable({"type": "string", "description": "Markdown source."}),
            "deleted": {
                "type": "boolean",
                "description": "A deleted comment stays as a placeholder: kind, body, "
                "author and organization are null.",
            },
            "created_at": _UTC,
            "edited": {"type": "boolean"},
            "author": _nullable(
                {"type": "string", "description": "The author's display name, as shown."}
            ),
            "organization": _nullable(
                {"type": "string", "description": "The organisation the author spoke for."}
            ),
        }
    ),
}


def _extend(base: str, properties: dict[str, Any], description: str) -> dict[str, Any]:
    """A closed object schema with every property of ``base`` and some more.

    Written out rather than ``allOf``: the base is closed (``additionalProperties:
    false``), and a closed ``allOf`` member would refuse the added properties.
    """
    return _object({**SCHEMAS[base]["properties"], **properties}, description)


SCHEMAS["CampaignTheme"] = _extend(
    "Theme",
    {
        "archived": {
            "type": "boolean",
            "description": "Archived themes are offered no more but stay on proposals.",
        }
    },
    "A theme of the campaign; filter proposals with `theme=<id>`.",
)
SCHEMAS["CommentThread"] = _extend(
    "Comment",
    {"replies": {"type": "array", "items": _ref("Comment")}},
    "A top-level comment with its replies (one level), oldest first.",
)
SCHEMAS["ProposalDetail"] = _extend(
    "ProposalSummary",
    {
        "campaign": _object({"slug": {"type": "string"}, "title": {"type": "string"}}),
        "description": {"type": "string", "description": "Markdown source."},
        "target_group": _nullable({"type": "string"}),
        "proposed_date": _nullable(_DATE),
        "expected_participants": _nullable({"type": "integer", "minimum": 0}),
        "estimated_budget": _nullable(
            {"type": "integer", "minimum": 0, "description": "Whole Turkish lira."}
        ),
        "updated_at": _UTC,
        "withdrawn_reason": _nullable(
            {"type": "string", "description": "Set only when the state is `withdrawn`."}
        ),
        "withdrawn_at": _nullable(_UTC),
        "comments": {"type": "array", "items": _ref("CommentThread")},
    },
    "Every public field of a proposal, with its discussion.",
)


def _json(schema_name: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(schema_name)}},
    }


_CACHE = {
    "Cache-Control": {
        "description": "`public, max-age=60` for anonymous callers; `private, no-store` "
        "when the request carries a signed-in session.",
        "schema": {"type": "string"},
    },
    "Vary": {"description": "Always includes `Cookie`.", "schema": {"type": "string"}},
}


def _ok(schema_name: str, description: str) -> dict[str, Any]:
    return {**_json(schema_name, description), "headers": _CACHE}


_NOT_FOUND = _json(
    "Error",
    "Unknown, or not visible to the caller (a members-only campaign for an anonymous "
    "caller, another organisation's draft). The API never redirects to a login page.",
)
_BAD_REQUEST = _json("Error", "A parameter that cannot be understood (only `seed`; see it).")

_SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "The campaign's slug.",
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


_LENIENT = (
    " Like the campaign page, a value that cannot be understood is ignored (the filter "
    "is not applied) rather than refused."
)

LIST_PARAMETERS = [
    _SLUG,
    _query(
        "q",
        {"type": "string", "maxLength": 200},
        "Words that must all appear in the title, summary or description. Matching is "
        "Turkish-aware and case-insensitive (`izmir` finds `İZMİR`, `ışık` finds `IŞIK`).",
    ),
    _query("theme", {"type": "integer", "minimum": 1}, "A theme id." + _LENIENT),
    _query("district", {"type": "string", "maxLength": 40}, "A district, exactly."),
    _query(
        "activity_type",
        {"enum": [a.value for a in ActivityType]},
        "The type of activity." + _LENIENT,
    ),
    _query(
        "organization",
        {"type": "integer", "minimum": 1},
        "An organisation id: its own proposals and those it confirmed as partner." + _LENIENT,
    ),
    _query(
        "status",
        {"enum": [s.value for s in ProposalState]},
        "A state. `draft` finds only the caller's organisation's drafts." + _LENIENT,
    ),
    _query(
        "sort",
        {"enum": ["newest", "supported", "discussed", "random"], "default": "newest"},
        "`newest` (submission time), `supported` (supporting organisations), `discussed` "
        "(comments), or `random` (a shuffle fixed by `seed`). Unknown values mean `newest`.",
    ),
    _query(
        "page",
        {"type": "integer", "default": 1},
        "The page, from 1. " + PER_PAGE_NOTE + " A page below 1 or unreadable means 1; "
        "a page past the last means the last (clamped, as on the campaign page; never 400).",
    ),
    _query(
        "seed",
        {"type": "integer", "minimum": 0, "maximum": 2**31 - 1, "default": 1},
        "The shuffle for `sort=random`: the same seed gives the same order on every page "
        "and every call, so results can be reproduced. Anything but an integer in range is "
        "a 400 (a typo would otherwise silently change the order).",
    ),
]

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
    "info": {
        "title": "Ortak open data",
        "version": "1.0.0",
        "summary": "Read-only JSON of the municipality's consultations with civil society.",
        "description": (
            "Campaigns (consultations for an awareness day), the proposals organisations "
            "submitted, and their discussion.\n\n"
            "**Who sees what.** Anonymous callers see public campaigns and published "
            "proposals. A request carrying a signed-in session cookie of the site sees what "
            "the site shows that person: members-only campaigns, and their own "
            "organisation's drafts (state `draft`). Such responses are `private, no-store`.\n\n"
            "**Personal data.** None: no e-mail addresses, no user ids, no IP addresses. "
            "People appear only as comment authors' display names, as on the site.\n\n"
            "**Errors** are JSON (`Error`) with the HTTP status: 404 for anything unknown or "
            "not visible, 400 for a bad `seed`, 405 for any method but GET (and HEAD). List "
            "filters are lenient like the site's: unreadable values are ignored and `page` "
            "is clamped.\n\n"
            "Times are UTC (ISO 8601 with `Z`); text fields marked Markdown are the source "
            "as written. Messages are in English."
        ),
        "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/campaigns": {
            "get": {
                "operationId": "listCampaigns",
                "summary": "The campaigns the caller may see, latest voting close first.",
                "responses": {"200": _ok("CampaignList", "The campaigns.")},
            }
        },
        "/campaigns/{slug}": {
            "get": {
                "operationId": "getCampaign",
                "summary": "One campaign.",
                "parameters": [_SLUG],
                "responses": {
                    "200": _ok("Campaign", "The campaign."),
                    "404": _NOT_FOUND,
                },
            }
        },
        "/campaigns/{slug}/proposals": {
            "get": {
                "operationId": "listProposals",
                "summary": "A page of the campaign's proposals, filtered and sorted.",
                "description": (
                    "The same filters, search, sorting and pages as the campaign page. "
                    + PER_PAGE_NOTE
                ),
                "parameters": LIST_PARAMETERS,
                "responses": {
                    "200": _ok("ProposalPage", "One page of proposals."),
                    "400": _BAD_REQUEST,
                    "404": _NOT_FOUND,
                },
            }
        },
        "/proposals/{proposal_id}": {
            "get": {
                "operationId": "getProposal",
                "summary": "One proposal with its comments.",
                "parameters": [
                    {
                        "name": "proposal_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1},
                    }
                ],
                "responses": {
                    "200": _ok("ProposalDetail", "The proposal."),
                    "404": _NOT_FOUND,
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This document.",
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    },
    "components": {
        "schemas": SCHEMAS,
        "responses": {"NotFound": _NOT_FOUND, "MethodNotAllowed": _json("Error", "Not GET.")},
    },
}
