"""What a signed-in reviewer reads and does: the overview and its plots, the list of conversations,
one conversation with its mark, and the export of the marked ones."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional

from sanic import Sanic, response
from sanic.request import Request

from cluster.records import conversation_hash
from review import plots, views
from review.access import csrf_ok, refused_form
from review.export import export_yaml
from review.marks import VERDICTS, MarkError, check_mark
from review.overview import Filters, Overview, build_overview

if TYPE_CHECKING:
    from review.app import Review

logger = logging.getLogger(__name__)


def _page_number(text: Optional[str]) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


def draw(name: str, overview: Overview, review: "Review") -> Optional[bytes]:
    """The overview's plot `name` as PNG; None for a name there is no plot of."""
    vocabulary = review.vocabulary
    feedback = overview.feedback
    drawings = {
        "per_day": lambda: plots.per_day(overview.per_day),
        "triage": lambda: plots.horizontal_bars([(vocabulary.level(k), v) for k, v in overview.triage_mix.items()],
                                                [plots.LEVEL_COLOURS[k] for k in overview.triage_mix]),
        "red_flags": lambda: plots.horizontal_bars([(vocabulary.finding(f), n) for f, n in overview.red_flags],
                                                   empty="no escalation in this selection"),
        "causes": lambda: plots.horizontal_bars([(vocabulary.cause(c), n) for c, n in overview.top_causes],
                                                empty="no assessment with causes in this selection"),
        "feedback": lambda: plots.horizontal_bars(
            [("helpful", feedback["helpful"]), ("not helpful", feedback["not_helpful"]),
             ("no answer", feedback["not_given"])], ["#3a9d5d", "#c0392b", "#999999"],
            empty="no assessment asked for feedback in this selection"),
    }
    return drawings[name]() if name in drawings else None


def install(app: Sanic, review: "Review") -> None:
    settings, library, marks = review.settings, review.library, review.marks

    async def overview_of(request: Request):
        filters = Filters.from_args(request.args)
        conversations = await review.off_loop(library.all)
        return filters, conversations, build_overview(conversations, filters, settings.stuck_after)

    @app.get("/")
    async def overview_page(request: Request):
        filters, conversations, overview = await overview_of(request)
        marked = await review.off_loop(marks.latest)
        verdicts = [marked[c.sender_id].verdict for c in overview.conversations if c.sender_id in marked]
        counts = {key: verdicts.count(key) for key in VERDICTS}
        return review.page("overview.html", request, overview=overview, filters=filters,
                           channels=sorted({ch for c in conversations for ch in c.channels}), verdict_counts=counts,
                           store=review.source.where(), store_exists=await review.off_loop(review.source.exists))

    @app.get("/plots/<file_name:str>")
    async def plot(request: Request, file_name: str):
        _, _, overview = await overview_of(request)
        name = file_name[:-len(".png")] if file_name.endswith(".png") else ""
        image = await review.off_loop(draw, name, overview, review)
        if image is None:
            return response.text("No such plot.", status=404)
        return response.raw(image, content_type="image/png")

    @app.get("/conversations")
    async def conversation_list(request: Request):
        filters = Filters.from_args(request.args)
        show = request.args.get("show") if request.args.get("show") in views.LISTS else "all"
        everything = await review.off_loop(library.all)
        marked = await review.off_loop(marks.latest)
        chosen = views.select([c for c in everything if filters.admits(c)], show, marked, settings.stuck_after)
        number = _page_number(request.args.get("page"))
        return review.page("conversations.html", request, total=len(chosen), show=show, filters=filters, marks=marked,
                           conversations=chosen[(number - 1) * views.PAGE_SIZE: number * views.PAGE_SIZE],
                           page_number=number, pages=max(1, -(-len(chosen) // views.PAGE_SIZE)),
                           channels=sorted({ch for c in everything for ch in c.channels}),
                           stuck_after=settings.stuck_after)

    async def conversation_page(request: Request, sender_id: str, status: int = 200, error: Optional[str] = None,
                                form: Optional[dict] = None):
        conversation = await review.off_loop(library.one, sender_id)
        if conversation is None:
            return review.page("not_found.html", request, status=404)
        findings, other = views.interview_fields(conversation, review.vocabulary)
        return review.page("conversation.html", request, status=status, c=conversation, findings=findings,
                           other=other, history=await review.off_loop(marks.history, sender_id),
                           qa=views.questions_and_answers(conversation, review.vocabulary), error=error,
                           form=form or {}, stuck_after=settings.stuck_after)

    @app.get("/conversation")
    async def conversation(request: Request):
        return await conversation_page(request, request.args.get("id") or "")

    @app.post("/conversation/mark")
    async def mark(request: Request):
        if not csrf_ok(request):
            return refused_form()
        sender_id = request.form.get("id") or ""
        conversation = await review.off_loop(library.one, sender_id)
        if conversation is None:
            return review.page("not_found.html", request, status=404)
        form = {key: request.form.get(key) or "" for key in ("verdict", "expected_triage", "expected_cause", "note")}
        try:
            fields = check_mark(form["verdict"], form["expected_triage"], form["expected_cause"], form["note"],
                                conversation.triage, review.vocabulary.cause_ids)
        except MarkError as error:
            return await conversation_page(request, sender_id, status=400, error=str(error), form=form)
        await review.off_loop(marks.add, sender_id, request.ctx.session.reviewer, fields)
        logger.info(f"Review: conversation {conversation_hash(sender_id)} marked {fields['verdict']}")
        return response.redirect(views.link("/conversation", id=sender_id) + "#mark", status=303)

    @app.get("/export.yml")
    async def export(request: Request):
        filters = Filters.from_args(request.args)
        marked = await review.off_loop(marks.latest)
        chosen = [c for c in await review.off_loop(library.all) if c.sender_id in marked and filters.admits(c)]
        text = export_yaml([(c, marked[c.sender_id]) for c in chosen], review.vocabulary)
        logger.info(f"Review: {request.ctx.session.reviewer} exported {len(chosen)} marked conversation(s)")
        return response.text(text, content_type="application/x-yaml; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="reviewed_vignettes.yml"'})
