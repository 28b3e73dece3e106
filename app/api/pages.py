"""Pages around the API: a person's tokens (account), a contest's webhooks (organisers), the
browsable API reference."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.access import get_in_contest_or_404, organiser_required
from app.api.forms import TokenForm, WebhookForm
from app.extensions import db
from app.models import ApiToken, Webhook
from app.services.api import tokens, webhooks

bp = Blueprint("hooks", __name__)


@bp.route("/account/tokens", methods=["GET", "POST"], endpoint="tokens")
@login_required
def tokens_page():
    """The caller's API tokens; a new one's secret is shown once, on the answer to its creation."""
    form = TokenForm()
    new_secret = None
    if form.validate_on_submit():
        try:
            created = tokens.create_token(user=current_user, name=form.name.data, scopes=form.chosen_scopes(),
                                          expires_in_days=form.expiry_days())
        except tokens.TokenError as error:
            flash(str(error), "danger")
        else:
            new_secret = created.secret
            db.session.commit()
            form = TokenForm(formdata=None)
    items = tokens.user_tokens(current_user)
    response = render_template("api/tokens.html", form=form, tokens=items, new_secret=new_secret,
                               state=tokens.token_state, areas=tokens.SCOPE_AREAS)
    # The secret is in this answer only: never cached.
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def token_revoke(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    tokens.revoke_token(token=token, actor=current_user)
    db.session.commit()
    flash(_("The token «%(name)s» is revoked.", name=token.name), "success")
    return redirect(url_for("hooks.tokens"))


@bp.route("/manage/<slug>/webhooks", methods=["GET", "POST"], endpoint="webhooks")
@organiser_required
def webhooks_page(contest):
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            webhooks.add_webhook(contest, url=form.url.data, events=form.events.data, actor=current_user)
        except webhooks.WebhookError as error:
            form.url.errors = [*form.url.errors, str(error)]
        else:
            db.session.commit()
            flash(_("The webhook is added."), "success")
            return redirect(url_for("hooks.webhooks", slug=contest.slug))
    hooks = webhooks.contest_webhooks(contest)
    deliveries = webhooks.recent_deliveries([h.id for h in hooks])
    return render_template("api/webhooks.html", contest=contest, form=form, hooks=hooks, deliveries=deliveries,
                           events=webhooks.EVENTS, max_failures=current_app.config.get("WEBHOOK_MAX_FAILURES", 10))


@bp.route("/manage/<slug>/webhooks/<int:webhook_id>/remove", methods=["POST"])
@organiser_required
def webhook_remove(contest, webhook_id):
    hook = get_in_contest_or_404(Webhook, webhook_id, contest)
    webhooks.remove_webhook(hook, actor=current_user)
    db.session.commit()
    flash(_("The webhook is removed."), "success")
    return redirect(url_for("hooks.webhooks", slug=contest.slug))


@bp.route("/manage/<slug>/webhooks/<int:webhook_id>/enable", methods=["POST"])
@organiser_required
def webhook_enable(contest, webhook_id):
    hook = get_in_contest_or_404(Webhook, webhook_id, contest)
    try:
        webhooks.enable_webhook(hook, actor=current_user)
    except webhooks.WebhookError as error:
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("The webhook is on again."), "success")
    return redirect(url_for("hooks.webhooks", slug=contest.slug))


@bp.route("/api/v1/docs")
def api_docs():
    """The OpenAPI document as a page: each operation, its parameters and answers."""
    spec = current_app.extensions["formula_jury_api"].spec.to_dict()
    operations = []
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "delete", "patch"):
                operations.append((path, method.upper(), operation))
    return render_template("api/docs.html", spec=spec, operations=operations,
                           json_url=request.url_root.rstrip("/") + "/api/v1/openapi.json")
