"""The discussion of a proposal: the rules (no HTTP), then the pages with and without htmx."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask_babel import force_locale, gettext
from flask_login import AnonymousUserMixin
from sqlalchemy import event, select

from auth.errors import DomainError
from auth.models import AuditEntry, Role
from extensions import db
from proposals import discussion
from proposals.models import (
    Comment,
    CommentKind,
    Proposal,
    ProposalState,
    Report,
    ReportState,
    Visibility,
)
from tests.dom import page, parse
from text import fold

HTMX = {"HX-Request": "true", "HX-Target": "comments", "HX-Current-URL": "http://localhost/"}


def turkish(message: str) -> str:
    """What a Turkish reader (everyone in these tests) sees for ``message``."""
    with force_locale("tr"):
        return gettext(message)


def htmx_for(target: str) -> dict[str, str]:
    return {**HTMX, "HX-Target": target}


@pytest.fixture
def make_proposal(app, make_campaign, org_a) -> Callable[..., Proposal]:
    def make(
        organization=None,
        campaign=None,
        state: ProposalState = ProposalState.submitted,
        title: str = "Mor Bant Atölyesi",
        **kwargs: Any,
    ) -> Proposal:
        proposal = Proposal(
            campaign=campaign or make_campaign(),
            organization=organization or org_a,
            state=state,
            title=title,
            summary="Kadınlarla dayanışma atölyesi.",
            description="Atölyenin ayrıntıları.",
            search_text=fold(title),
            **kwargs,
        )
        db.session.add(proposal)
        db.session.commit()
        return proposal

    return make


@pytest.fixture
def proposal(make_proposal) -> Proposal:
    return make_proposal()


def post(
    proposal, user, body="Çok güzel bir öneri.", kind=CommentKind.comment, *, now, parent=None
):
    comment = discussion.post_comment(proposal, user, body, kind, now, parent)
    db.session.commit()
    return comment


# --- who may comment --------------------------------------------------------------------


def test_invited_people_may_comment_on_a_published_proposal(
    proposal, rep_a, rep_b, moderator, organizer, clock
):
    for user in (rep_a, rep_b, moderator, organizer):
        assert discussion.may_comment(proposal, user, clock.now), user


def test_nobody_comments_on_a_draft_not_even_its_organisation(make_proposal, rep_a, rep_b, clock):
    draft = make_proposal(state=ProposalState.draft)
    assert not discussion.may_comment(draft, rep_a, clock.now)
    assert not discussion.may_comment(draft, rep_b, clock.now)
    with pytest.raises(DomainError):
        discussion.post_comment(draft, rep_a, "Taslağa yorum", CommentKind.comment, clock.now)
    assert db.session.scalars(select(Comment)).all() == []


def test_the_discussion_closes_with_the_campaign(proposal, rep_b, clock):
    # make_campaign: voting closes 20 days after the clock's start.
    clock.advance(days=19)
    assert discussion.may_comment(proposal, rep_b, clock.now)
    clock.advance(days=2)
    assert not discussion.may_comment(proposal, rep_b, clock.now)
    with pytest.raises(DomainError):
        discussion.post_comment(proposal, rep_b, "Geç kaldım", CommentKind.comment, clock.now)


def test_anonymous_inactive_and_organisationless_people_may_not_comment(
    proposal, rep_b, make_user, clock
):
    assert not discussion.may_comment(proposal, AnonymousUserMixin(), clock.now)
    assert not discussion.may_comment(proposal, None, clock.now)
    loner = make_user(Role.participant, organization=None)
    assert not discussion.may_comment(proposal, loner, clock.now)
    rep_b.active = False
    db.session.commit()
    assert not discussion.may_comment(proposal, rep_b, clock.now)


# --- posting and replying -----------------------------------------------------------------


def test_a_comment_speaks_for_the_authors_organisation(proposal, rep_b, org_b, clock):
    comment = post(proposal, rep_b, "  Destekliyoruz!  ", CommentKind.support, now=clock.now)
    db.session.expire_all()
    stored = db.session.get(Comment, comment.id)
    assert stored.body == "Destekliyoruz!"
    assert stored.kind == CommentKind.support
    assert stored.organization_id == org_b.id
    assert stored.author_id == rep_b.id
    assert stored.created_at == clock.now
    assert stored.parent_id is None
    # The organisation stays on the comment when its author later leaves it.
    rep_b.organization = None
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).organization_id == org_b.id


def test_staff_comments_carry_no_organisation(proposal, moderator, clock):
    comment = post(proposal, moderator, "Lütfen bütçeyi ayrıntılandırın.", now=clock.now)
    assert comment.organization_id is None


@pytest.mark.parametrize("body", ["", "   \n  ", "x" * (discussion.BODY_MAX + 1)])
def test_a_comment_needs_a_body_of_at_most_5000_characters(proposal, rep_b, clock, body):
    with pytest.raises(DomainError) as refused:
        discussion.post_comment(proposal, rep_b, body, CommentKind.comment, clock.now)
    assert refused.value.field == "body"
    assert db.session.scalars(select(Comment)).all() == []


def test_5000_characters_are_accepted(proposal, rep_b, clock):
    comment = post(proposal, rep_b, "ş" * discussion.BODY_MAX, now=clock.now)
    assert len(comment.body) == discussion.BODY_MAX


def test_replies_have_one_level(proposal, rep_a, rep_b, moderator, clock):
    top = post(proposal, rep_b, "Soru: kaç kişi?", CommentKind.question, now=clock.now)
    reply = post(proposal, rep_a, "Yaklaşık 40 kişi.", now=clock.now, parent=top)
    answer_to_reply = post(proposal, moderator, "Teşekkürler.", now=clock.now, parent=reply)
    assert reply.parent_id == top.id
    assert answer_to_reply.parent_id == top.id  # attached to the top-level comment
    threads = discussion.thread(proposal)
    assert [c.id for c in threads] == [top.id]
    assert [r.id for r in threads[0].replies] == [reply.id, answer_to_reply.id]


def test_a_reply_must_be_on_the_same_proposal(make_proposal, rep_b, clock):
    first, second = make_proposal(), make_proposal(title="İkinci öneri")
    top = post(first, rep_b, "İlk öneriye yorum", now=clock.now)
    with pytest.raises(DomainError):
        discussion.post_comment(second, rep_b, "Yanlış yer", CommentKind.comment, clock.now, top)


# --- editing and deleting -----------------------------------------------------------------


def test_the_author_edits_within_15_minutes(proposal, rep_b, clock):
    comment = post(proposal, rep_b, "İlk hali", now=clock.now)
    clock.advance(minutes=14)
    assert discussion.may_edit_comment(comment, rep_b, clock.now)
    discussion.edit_comment(comment, rep_b, "Düzeltilmiş hali", clock.now)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Comment, comment.id)
    assert stored.body == "Düzeltilmiş hali"
    assert stored.edited_at == clock.now
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "comment.edit")).one()
    assert entry.target_id == comment.id
    assert entry.before == {"body": "İlk hali"}
    assert entry.after == {"body": "Düzeltilmiş hali"}


def test_after_15_minutes_the_comment_stays_as_it_is(proposal, rep_b, clock):
    comment = post(proposal, rep_b, "İlk hali", now=clock.now)
    clock.advance(minutes=16)
    assert not discussion.may_edit_comment(comment, rep_b, clock.now)
    with pytest.raises(DomainError) as refused:
        discussion.edit_comment(comment, rep_b, "Geç düzeltme", clock.now)
    assert refused.value.field == "body"
    db.session.expire_all()
    stored = db.session.get(Comment, comment.id)
    assert stored.body == "İlk hali"
    assert stored.edited_at is None


def test_only_the_author_edits_or_deletes(proposal, rep_a, rep_b, moderator, clock):
    comment = post(proposal, rep_b, "Benim yorumum", now=clock.now)
    for other in (rep_a, moderator):
        assert not discussion.may_edit_comment(comment, other, clock.now)
        assert not discussion.may_delete_comment(comment, other)
        with pytest.raises(DomainError):
            discussion.edit_comment(comment, other, "Başkasının eli", clock.now)
        with pytest.raises(DomainError):
            discussion.delete_comment(comment, other, clock.now)
    db.session.expire_all()
    stored = db.session.get(Comment, comment.id)
    assert (stored.body, stored.deleted_at) == ("Benim yorumum", None)


def test_deleting_keeps_a_placeholder_and_the_replies(proposal, rep_a, rep_b, clock, client, auth):
    top = post(proposal, rep_b, "Silinecek yorum", now=clock.now)
    post(proposal, rep_a, "Bu bir yanıt", now=clock.now, parent=top)
    clock.advance(days=3)  # the author may delete at any time
    discussion.delete_comment(top, rep_b, clock.now)
    db.session.commit()
    assert top.deleted_at == clock.now
    assert db.session.scalars(select(AuditEntry.action)).all() == ["comment.delete"]
    assert [c.id for c in discussion.thread(proposal)] == [top.id]
    # What a reader sees: the placeholder, not the text; the reply stays.
    auth.login(rep_a)
    response = client.post(
        f"/proposals/{proposal.id}/comments", data={"body": "Başka bir yorum"}, headers=HTMX
    )
    article = page(response).one("article", id=f"comment-{top.id}")
    assert "Silinecek yorum" not in article.text
    assert turkish("This comment was deleted by its author.") in article.text
    assert "Bu bir yanıt" in article.text
    # Counts leave the deleted comment out.
    assert discussion.kind_counts(proposal)[CommentKind.comment] == 2


def test_a_deleted_comment_takes_no_replies(proposal, rep_a, rep_b, clock):
    top = post(proposal, rep_b, "Silinecek", now=clock.now)
    discussion.delete_comment(top, rep_b, clock.now)
    with pytest.raises(DomainError):
        discussion.post_comment(proposal, rep_a, "Yanıt", CommentKind.comment, clock.now, top)


# --- reading -------------------------------------------------------------------------------


def test_counts_per_kind(proposal, rep_a, rep_b, moderator, clock):
    post(proposal, rep_b, "Destek", CommentKind.support, now=clock.now)
    post(proposal, moderator, "Destek", CommentKind.support, now=clock.now)
    post(proposal, rep_b, "Endişe", CommentKind.concern, now=clock.now)
    question = post(proposal, rep_b, "Soru", CommentKind.question, now=clock.now)
    discussion.delete_comment(question, rep_b, clock.now)
    counts = discussion.kind_counts(proposal)
    assert counts[CommentKind.support] == 2
    assert counts[CommentKind.concern] == 1
    assert counts[CommentKind.question] == 0


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _fill(proposal, writers, answerers, top_level: int, now) -> None:
    """``top_level`` comments by ``writers``, each with two replies by ``answerers``."""
    for i in range(top_level):
        author = writers[i % len(writers)]
        top = Comment(
            proposal_id=proposal.id,
            author_id=author.id,
            organization_id=author.organization_id,
            body=f"Yorum {i}",
            created_at=now,
        )
        db.session.add(top)
        db.session.flush()
        for j in range(2):
            other = answerers[(2 * i + j) % len(answerers)]
            db.session.add(
                Comment(
                    proposal_id=proposal.id,
                    parent_id=top.id,
                    author_id=other.id,
                    organization_id=other.organization_id,
                    body=f"Yanıt {i}.{j}",
                    created_at=now,
                )
            )
    db.session.commit()


def _read_everything(proposal) -> int:
    """Load the thread and touch all a page shows; returns the number of comments seen."""
    seen = 0
    for comment in discussion.thread(proposal):
        for item in (comment, *comment.replies):
            _ = (item.body, item.author.name, item.author.role, item.organization)
            if item.organization is not None:
                _ = item.organization.name
            seen += 1
    return seen


def test_the_thread_loads_in_a_constant_number_of_statements(
    make_proposal, make_org, make_user, moderator, clock
):
    # Distinct people (and organisations) write the comments and the replies, and the long
    # thread has many of each: anything loaded one by one (a lazy author, organisation or
    # reply list) would cost more statements there than in the short thread.
    writers = [make_user(organization=make_org()) for _ in range(20)]
    answerers = [make_user(organization=make_org()) for _ in range(20)] + [moderator]
    small, large = make_proposal(), make_proposal(title="Kalabalık tartışma")
    _fill(small, writers[:1], answerers[:1], 3, clock.now)
    _fill(large, writers, answerers, 60, clock.now)
    ids = [(small.id, 9), (large.id, 180)]
    counts = []
    for proposal_id, expected in ids:
        db.session.expunge_all()  # nothing cached from writing them
        proposal = db.session.get(Proposal, proposal_id)
        with counting_statements() as statements:
            assert _read_everything(proposal) == expected
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 8, counts


def test_the_context_the_proposal_page_includes(proposal, rep_b, clock):
    top = post(proposal, rep_b, "Destek", CommentKind.support, now=clock.now)
    context = discussion.thread_context(proposal, AnonymousUserMixin(), clock.now)
    assert list(context) == ["discussion"]  # one name: nothing of the page's is overwritten
    seen = context["discussion"]
    assert [c.id for c in seen.comments] == [top.id]
    assert seen.total == 1 and seen.counts[CommentKind.support] == 1
    assert not seen.may_comment and not seen.may_report_proposal
    assert not seen.may_edit(top) and not seen.may_delete(top)
    mine = discussion.thread_context(proposal, rep_b, clock.now)["discussion"]
    assert mine.may_comment and mine.may_report_proposal
    assert mine.may_edit(top) and mine.may_delete(top)
    assert mine.form.body.data is None  # a blank form, even on a POST request


# --- reports ------------------------------------------------------------------------------


def test_a_report_is_stored_for_the_moderators(proposal, rep_a, rep_b, org_b, clock):
    comment = post(proposal, rep_a, "Hakaret içeren yorum", now=clock.now)
    flagged = discussion.report(rep_b, comment=comment, reason=" Hakaret var. ", now=clock.now)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Report, flagged.id)
    assert stored.comment_id == comment.id
    assert stored.proposal_id == proposal.id
    assert stored.reporter_id == rep_b.id
    assert stored.organization_id == org_b.id
    assert stored.reason == "Hakaret var."
    assert stored.state == ReportState.open
    assert stored.created_at == clock.now


def test_one_open_report_per_person_and_target(proposal, rep_a, rep_b, moderator, clock):
    discussion.report(rep_b, proposal=proposal, reason="Kopya öneri", now=clock.now)
    with pytest.raises(DomainError) as refused:
        discussion.report(rep_b, proposal=proposal, reason="Yine kopya", now=clock.now)
    assert refused.value.message == turkish(
        "You have already reported this; the moderators will look at it."
    )
    # Others may report the same thing, and a comment on it is another target.
    discussion.report(moderator, proposal=proposal, reason="Kopya öneri", now=clock.now)
    comment = post(proposal, rep_a, "Yorum", now=clock.now)
    discussion.report(rep_b, comment=comment, reason="Konu dışı", now=clock.now)
    db.session.commit()
    assert len(db.session.scalars(select(Report)).all()) == 3
    # Once the moderators have dealt with it, it can be reported again.
    first = db.session.scalars(select(Report).where(Report.reporter_id == rep_b.id)).first()
    first.state = ReportState.dismissed
    db.session.commit()
    discussion.report(rep_b, proposal=proposal, reason="Hâlâ kopya", now=clock.now)


@pytest.mark.parametrize("reason", ["", "   ", "x" * (discussion.REASON_MAX + 1)])
def test_a_report_needs_a_reason(proposal, rep_b, clock, reason):
    with pytest.raises(DomainError) as refused:
        discussion.report(rep_b, proposal=proposal, reason=reason, now=clock.now)
    assert refused.value.field == "reason"


def test_only_signed_in_people_report_what_they_see(make_proposal, rep_b, clock):
    draft = make_proposal(state=ProposalState.draft)
    assert not discussion.may_report(AnonymousUserMixin(), proposal=draft)
    with pytest.raises(DomainError):
        discussion.report(rep_b, proposal=draft, reason="Göremediğim taslak", now=clock.now)
    assert db.session.scalars(select(Report)).all() == []


# --- pages: posting --------------------------------------------------------------------------


def test_posting_without_javascript_redirects_to_the_comment(proposal, rep_b, client, auth):
    auth.login(rep_b)
    response = client.post(
        f"/proposals/{proposal.id}/comments",
        data={"kind": "support", "body": "Bu öneriyi **destekliyoruz**."},
    )
    assert response.status_code == 303
    comment = db.session.scalars(select(Comment)).one()
    assert response.headers["Location"].endswith(f"/proposals/{proposal.id}#comment-{comment.id}")
    assert "HX-Request" in response.headers.get("Vary", "")
    shown = client.get(f"/proposals/{proposal.id}")
    assert shown.status_code == 200
    article = page(shown).one("article", id=f"comment-{comment.id}")
    assert "Fatma Demir" in article.text
    assert "Bornova Kadın Emeği Kooperatifi" in article.text
    assert article.find("span", class_="badge-kind-support") is not None
    # The body is Markdown, rendered.
    assert article.one("div", class_="comment-body").one("strong").text == "destekliyoruz"


def test_posting_with_htmx_returns_the_discussion_alone(proposal, rep_b, client, auth):
    auth.login(rep_b)
    response = client.post(
        f"/proposals/{proposal.id}/comments",
        data={"kind": "question", "body": "Atölye kaç saat sürecek?"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="comments"')
    assert "<html" not in html
    comment = db.session.scalars(select(Comment)).one()
    tree = parse(html)
    article = tree.one("article", id=f"comment-{comment.id}")
    assert "Atölye kaç saat sürecek?" in article.text
    assert "data-focus" in article.attrs  # focus goes to the new comment
    status = tree.one("p", role="status")
    assert status.get("aria-live") == "polite"
    assert status.text == turkish("Your comment was published.")
    # The counts per kind include it.
    counts = tree.one("ul", class_="comment-counts")
    assert "1" in counts.text


def test_a_reply_with_htmx_appears_under_its_comment(proposal, rep_a, rep_b, client, auth, clock):
    top = post(proposal, rep_b, "Soru", CommentKind.question, now=clock.now)
    auth.login(rep_a)
    response = client.post(
        f"/proposals/{proposal.id}/comments",
        data={"parent_id": str(top.id), "body": "Yanıtımız burada."},
        headers=HTMX,
    )
    assert response.status_code == 200
    reply = db.session.scalars(select(Comment).where(Comment.parent_id == top.id)).one()
    assert reply.kind == CommentKind.comment
    article = page(response).one("article", id=f"comment-{top.id}")
    assert article.find("article", id=f"comment-{reply.id}") is not None


def test_an_empty_comment_comes_back_with_the_message(proposal, rep_b, client, auth):
    auth.login(rep_b)
    response = client.post(
        f"/proposals/{proposal.id}/comments", data={"kind": "concern", "body": "  "}, headers=HTMX
    )
    assert response.status_code == 200
    tree = page(response)
    textarea = tree.one("textarea", id="comment-body")
    assert textarea.get("aria-invalid") == "true"
    error = tree.one("p", id="comment-body-error")
    assert error.text == turkish("Please write your comment.")
    form = tree.form_with("body")
    assert form.form_values()["kind"] == "concern"  # the choice is kept
    assert db.session.scalars(select(Comment)).all() == []


def test_a_too_long_comment_keeps_the_typed_text(proposal, rep_b, client, auth):
    auth.login(rep_b)
    text = "Uzun bir yorum. " * 400  # 6400 characters
    response = client.post(f"/proposals/{proposal.id}/comments", data={"body": text}, headers=HTMX)
    assert response.status_code == 200
    form = page(response).form_with("body")
    assert form.form_values()["body"] == text
    assert page(response).one("p", id="comment-body-error")


def test_an_empty_comment_without_javascript_shows_the_form_again(proposal, rep_b, client, auth):
    auth.login(rep_b)
    response = client.post(f"/proposals/{proposal.id}/comments", data={"body": ""})
    assert response.status_code == 200
    tree = page(response)
    assert tree.one("p", id="comment-body-error")
    assert tree.find("html") is not None  # a whole page, with a way back
    assert db.session.scalars(select(Comment)).all() == []


def test_an_empty_reply_comes_back_open_under_its_comment(
    proposal, rep_a, rep_b, client, auth, clock
):
    top = post(proposal, rep_b, "Soru", now=clock.now)
    auth.login(rep_a)
    response = client.post(
        f"/proposals/{proposal.id}/comments",
        data={"parent_id": str(top.id), "body": ""},
        headers=HTMX,
    )
    assert response.status_code == 200
    article = page(response).one("article", id=f"comment-{top.id}")
    details = article.one("details")
    assert "open" in details.attrs
    assert details.one("textarea").get("aria-invalid") == "true"


def test_comment_on_an_unknown_proposal_is_404(rep_b, client, auth):
    auth.login(rep_b)
    assert client.post("/proposals/999999/comments", data={"body": "Merhaba"}).status_code == 404


def test_a_drafts_discussion_is_hidden_from_other_organisations(
    make_proposal, rep_a, rep_b, client, auth
):
    draft = make_proposal(state=ProposalState.draft)
    auth.login(rep_b)
    assert (
        client.post(f"/proposals/{draft.id}/comments", data={"body": "Merhaba"}).status_code == 404
    )
    assert client.get(f"/proposals/{draft.id}/report").status_code == 404
    auth.logout()
    auth.login(rep_a)  # its own organisation sees the draft, but nobody discusses a draft
    assert (
        client.post(f"/proposals/{draft.id}/comments", data={"body": "Merhaba"}).status_code == 403
    )
    assert db.session.scalars(select(Comment)).all() == []


def test_anonymous_posts_go_to_the_login_page(proposal, client):
    response = client.post(f"/proposals/{proposal.id}/comments", data={"body": "Merhaba"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert db.session.scalars(select(Comment)).all() == []


def test_a_closed_campaign_refuses_comments(proposal, rep_b, client, auth, clock):
    auth.login(rep_b)
    clock.advance(days=21)
    assert (
        client.post(f"/proposals/{proposal.id}/comments", data={"body": "Geç"}).status_code == 403
    )


def test_members_only_discussion_needs_a_login(make_campaign, make_proposal, client):
    hidden = make_proposal(campaign=make_campaign(visibility=Visibility.members))
    response = client.post(f"/proposals/{hidden.id}/comments", data={"body": "Merhaba"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_markup_in_a_comment_is_inert(proposal, rep_b, client, auth):
    auth.login(rep_b)
    body = (
        "<script>alert('x')</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        "[tıkla](javascript:alert(1)) ve [site](https://ornek.example)"
    )
    response = client.post(f"/proposals/{proposal.id}/comments", data={"body": body}, headers=HTMX)
    comment = db.session.scalars(select(Comment)).one()
    article = page(response).one("article", id=f"comment-{comment.id}")
    assert article.find_all("script") == []
    assert article.find_all("img") == []
    assert not [e for e in article.iter() if any(a.startswith("on") for a in e.attrs)]
    hrefs = [a.get("href") or "" for a in article.find_all("a")]
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript")]
    assert "https://ornek.example" in hrefs
    # The text is shown as text, so readers see what was written.
    assert "<script>alert('x')</script>" in article.text


# --- pages: editing and deleting ----------------------------------------------------------


def test_editing_in_place_with_htmx(proposal, rep_b, client, auth, clock):
    comment = post(proposal, rep_b, "Yazım hatası var", now=clock.now)
    auth.login(rep_b)
    anchor = f"comment-{comment.id}"
    form_response = client.get(f"/comments/{comment.id}/edit", headers=htmx_for(anchor))
    assert form_response.status_code == 200
    html = form_response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<article id="{anchor}"')
    assert page(form_response).form_with("body").form_values()["body"] == "Yazım hatası var"
    clock.advance(minutes=5)
    saved = client.post(
        f"/comments/{comment.id}/edit", data={"body": "Yazım hatası yok"}, headers=htmx_for(anchor)
    )
    assert saved.status_code == 200
    article = page(saved).one("article", id=anchor)
    assert "Yazım hatası yok" in article.text
    assert article.find("span", class_="comment-edited") is not None
    assert article.find("textarea", id=f"{anchor}-body") is None


def test_editing_without_javascript(proposal, rep_b, client, auth, clock):
    comment = post(proposal, rep_b, "Eski", now=clock.now)
    auth.login(rep_b)
    edit_page = client.get(f"/comments/{comment.id}/edit")
    assert edit_page.status_code == 200
    assert page(edit_page).find("html") is not None
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "Yeni"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#comment-{comment.id}")
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == "Yeni"


def test_editing_too_late_explains_and_keeps_the_text(proposal, rep_b, client, auth, clock):
    comment = post(proposal, rep_b, "Eski", now=clock.now)
    auth.login(rep_b)
    clock.advance(minutes=16)
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    anchor = f"comment-{comment.id}"
    response = client.post(
        f"/comments/{comment.id}/edit",
        data={"body": "Geç gelen düzeltme"},
        headers=htmx_for(anchor),
    )
    assert response.status_code == 200
    tree = page(response)
    assert tree.form_with("body").form_values()["body"] == "Geç gelen düzeltme"
    assert "15" in tree.one("p", id=f"{anchor}-body-error").text
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == "Eski"


def test_others_may_not_edit_or_delete(proposal, rep_a, rep_b, moderator, client, auth, clock):
    comment = post(proposal, rep_b, "Benim", now=clock.now)
    for other in (rep_a, moderator):
        auth.login(other)
        assert client.get(f"/comments/{comment.id}/edit").status_code == 403
        assert client.post(f"/comments/{comment.id}/edit", data={"body": "X"}).status_code == 403
        assert client.post(f"/comments/{comment.id}/delete").status_code == 403
        auth.logout()
    db.session.expire_all()
    stored = db.session.get(Comment, comment.id)
    assert (stored.body, stored.deleted_at) == ("Benim", None)


def test_edit_controls_show_only_to_the_author_in_time(proposal, rep_a, rep_b, client, auth, clock):
    comment = post(proposal, rep_b, "Benim", now=clock.now)
    edit_url = f"/comments/{comment.id}/edit"

    def links() -> list[str]:
        response = client.post(
            f"/proposals/{proposal.id}/comments", data={"body": "Ek"}, headers=HTMX
        )
        article = page(response).one("article", id=f"comment-{comment.id}")
        return [a.get("href") for a in article.find_all("a")] + [
            f.get("action") for f in article.find_all("form")
        ]

    auth.login(rep_b)
    assert edit_url in links()
    assert f"/comments/{comment.id}/delete" in links()
    clock.advance(minutes=16)
    assert edit_url not in links()
    assert f"/comments/{comment.id}/delete" in links()
    auth.logout()
    auth.login(rep_a)
    assert edit_url not in links()
    assert f"/comments/{comment.id}/report" in links()


def test_deleting_with_htmx_leaves_the_placeholder(proposal, rep_a, rep_b, client, auth, clock):
    top = post(proposal, rep_b, "Gizli kalsın", now=clock.now)
    post(proposal, rep_a, "Yanıt kalır", now=clock.now, parent=top)
    auth.login(rep_b)
    response = client.post(f"/comments/{top.id}/delete", headers=HTMX)
    assert response.status_code == 200
    article = page(response).one("article", id=f"comment-{top.id}")
    assert "Gizli kalsın" not in response.get_data(as_text=True)
    assert "Yanıt kalır" in article.text
    assert "data-focus" in article.attrs


def test_deleting_without_javascript_redirects(proposal, rep_b, client, auth, clock):
    comment = post(proposal, rep_b, "Sil", now=clock.now)
    auth.login(rep_b)
    response = client.post(f"/comments/{comment.id}/delete")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#comment-{comment.id}")
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).deleted_at is not None


def test_leaving_the_edit_form_shows_the_comment_again(proposal, rep_b, client, auth, clock):
    comment = post(proposal, rep_b, "Aynen", now=clock.now)
    auth.login(rep_b)
    anchor = f"comment-{comment.id}"
    response = client.get(f"/comments/{comment.id}", headers=htmx_for(anchor))
    assert response.status_code == 200
    assert page(response).one("article", id=anchor).find("textarea", id=f"{anchor}-body") is None
    plain = client.get(f"/comments/{comment.id}")
    assert plain.status_code == 303
    assert plain.headers["Location"].endswith(f"/proposals/{proposal.id}#{anchor}")


# --- pages: reports -------------------------------------------------------------------------


def test_reporting_a_comment(proposal, rep_a, rep_b, client, auth, clock):
    comment = post(proposal, rep_a, "Uygunsuz", now=clock.now)
    auth.login(rep_b)
    form_page = client.get(f"/comments/{comment.id}/report")
    assert form_page.status_code == 200
    assert page(form_page).form_with("reason")
    empty = client.post(f"/comments/{comment.id}/report", data={"reason": ""})
    assert empty.status_code == 200
    assert page(empty).one("p", id="reason-error")
    sent = client.post(f"/comments/{comment.id}/report", data={"reason": "Hakaret içeriyor"})
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith(f"/proposals/{proposal.id}#comment-{comment.id}")
    stored = db.session.scalars(select(Report)).one()
    assert (stored.comment_id, stored.reporter_id) == (comment.id, rep_b.id)
    again = client.post(f"/comments/{comment.id}/report", data={"reason": "Yine"})
    assert again.status_code == 200
    assert turkish("You have already reported this; the moderators will look at it.") in (
        page(again).text
    )
    assert len(db.session.scalars(select(Report)).all()) == 1


def test_reporting_a_proposal(proposal, rep_b, client, auth):
    auth.login(rep_b)
    response = client.post(f"/proposals/{proposal.id}/report", data={"reason": "Kopya"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/proposals/{proposal.id}")
    stored = db.session.scalars(select(Report)).one()
    assert (stored.proposal_id, stored.comment_id) == (proposal.id, None)


def test_anonymous_visitors_log_in_to_report(proposal, client):
    response = client.get(f"/proposals/{proposal.id}/report")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_proposal_row_keeps_its_comment_and_support_counts(
    proposal, rep_a, rep_b, moderator, make_user, clock
):
    """The list shows and sorts by these counts; every write keeps them true."""
    colleague = make_user(organization=rep_b.organization)
    first = post(proposal, rep_b, "Destekliyoruz", CommentKind.support, now=clock.now)
    post(proposal, colleague, "Biz de", CommentKind.support, now=clock.now)  # same organisation
    post(proposal, moderator, "Bir soru", CommentKind.question, now=clock.now)
    reply = post(proposal, rep_a, "Teşekkürler", now=clock.now, parent=first)
    db.session.commit()
    assert (proposal.comment_count, proposal.support_count) == (4, 1)

    discussion.delete_comment(reply, rep_a, clock.now)
    discussion.delete_comment(first, rep_b, clock.now)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Proposal, proposal.id)
    # The colleague's support still counts for the organisation; deleted comments do not.
    assert (stored.comment_count, stored.support_count) == (2, 1)
