"""The "API-tokens" section of the account page."""

from django import template

from meldpunt.api.tokens import tokens_of

register = template.Library()


@register.inclusion_tag("api/tokens_section.html", takes_context=True)
def api_tokens(context):
    from meldpunt.api.token_views import TokenForm

    request = context["request"]
    return {
        "request": request,
        "tokens": tokens_of(request.user),
        "form": TokenForm(),
        "csrf_token": context.get("csrf_token"),
    }
