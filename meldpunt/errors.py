"""Error pages that say what happened.

A request that breaks one of Django's request limits never reaches a view:
the body is refused while it is read. The 400 page then says which limit
was hit, so that nobody is left guessing why their report did not go.
Nothing of such a request is stored or can be shown again; the page says
that the browser's Back button usually still has everything typed.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from meldpunt.cases.validators import MAX_TEXT


def limit_hit(exception) -> str | None:
    """A plain sentence naming the request limit behind ``exception``, or None for any other bad request."""
    if isinstance(exception, RequestDataTooBig):
        return _(
            "Het formulier was te groot om in één keer te versturen: alle tekst samen mag hoogstens %(size)s zijn "
            "(bijlagen tellen apart). Eén tekstveld mag hoogstens %(chars)s tekens hebben."
        ) % {
            "size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
            "chars": number_format(MAX_TEXT, force_grouping=True),
        }
    if isinstance(exception, TooManyFilesSent):
        return _("U stuurde te veel bestanden tegelijk. Per keer kunnen hoogstens %(count)d bijlagen mee.") % {
            "count": settings.ATTACHMENT_MAX_FILES
        }
    if isinstance(exception, TooManyFieldsSent):
        return _("Het formulier had meer velden dan wij in één keer aannemen.")
    return None


def bad_request(request, exception):
    return render(request, "400.html", {"limit_hit": limit_hit(exception)}, status=400)
