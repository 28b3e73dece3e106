"""The review form, built at run time: one score field and one comment per criterion."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from app.form_base import AppForm
from app.models import Criterion, Review
from app.services.scoring.reviews import COMMENT_MAX, OVERALL_MAX, ReviewInput

_INTEGER = re.compile(r"[+-]?\d{1,9}")


class ScoreField(IntegerField):
    """An integer score; anything else is refused at the field with a translated message,
    and what was typed is shown again (WTForms keeps raw_data for rendering)."""

    def process_formdata(self, valuelist):
        if not valuelist:  # not in the request: keep the saved value
            return
        if not str(valuelist[0]).strip():
            self.data = None
            return
        text = str(valuelist[0]).strip()
        if not _INTEGER.fullmatch(text):
            self.data = None
            raise ValueError(_l("Enter a whole number."))
        self.data = int(text)


class InScale:
    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def __call__(self, form, field):
        if field.data is not None and not self.low <= field.data <= self.high:
            raise ValidationError(_l("The score must be from %(low)s to %(high)s.", low=self.low,
                                     high=self.high))


class ReviewFormBase(AppForm):
    comment = TextAreaField(
        _l("Overall comment for the organisers"), validators=[Optional(), Length(max=OVERALL_MAX)],
        description=_l("Only the organisers read it."), render_kw={"rows": 4},
    )
    feedback = TextAreaField(
        _l("Feedback for the entrant (optional)"), validators=[Optional(), Length(max=OVERALL_MAX)],
        description=_l("The entrant may read it, without your name, once results are published."),
        render_kw={"rows": 3},
    )

    criteria: list[Criterion]

    def score_field(self, criterion: Criterion) -> ScoreField:
        return self[f"score_{criterion.id}"]

    def comment_field(self, criterion: Criterion) -> TextAreaField:
        return self[f"comment_{criterion.id}"]


def build_review_form(criteria: list[Criterion], review: Review | None, *, formdata=None,
                      read_only: bool = False) -> ReviewFormBase:
    """The form for `criteria`, filled from the request (formdata) or from the saved review."""

    class ReviewForm(ReviewFormBase):
        pass

    for criterion in criteria:
        render_kw = {"min": criterion.min_score, "max": criterion.max_score, "step": 1,
                     "inputmode": "numeric", "data-weight": str(criterion.weight),
                     "data-score": "1"}
        comment_kw = {"rows": 2}
        if read_only:
            render_kw["disabled"] = True
            comment_kw["disabled"] = True
        setattr(ReviewForm, f"score_{criterion.id}", ScoreField(
            criterion.loc("title"), validators=[Optional(), InScale(criterion.min_score, criterion.max_score)],
            render_kw=render_kw,
        ))
        setattr(ReviewForm, f"comment_{criterion.id}", TextAreaField(
            _l("Comment"), validators=[Optional(), Length(max=COMMENT_MAX)], render_kw=comment_kw,
        ))

    data: dict = {}
    if review is not None:
        data = {"comment": review.comment, "feedback": review.feedback}
        for score in review.scores:
            data[f"score_{score.criterion_id}"] = score.value
            data[f"comment_{score.criterion_id}"] = score.comment
    form = ReviewForm(formdata=formdata, data=data)
    if read_only:
        form.comment.render_kw = {**(form.comment.render_kw or {}), "disabled": True}
        form.feedback.render_kw = {**(form.feedback.render_kw or {}), "disabled": True}
    form.criteria = criteria
    return form


def review_input(form: ReviewFormBase) -> ReviewInput:
    """What was typed, after form.validate(): fields with errors are left out (kept as saved)."""
    data = ReviewInput()
    for criterion in form.criteria:
        score, comment = form.score_field(criterion), form.comment_field(criterion)
        if not score.errors:
            data.scores[criterion.id] = score.data
        if not comment.errors:
            data.comments[criterion.id] = comment.data or ""
    if not form.comment.errors:
        data.comment = form.comment.data or ""
    if not form.feedback.errors:
        data.feedback = form.feedback.data or ""
    return data
