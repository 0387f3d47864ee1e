from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("taal/", set_language, name="set_language"),
    path("account/", include("meldpunt.accounts.urls")),
    path("behandelen/", include("meldpunt.behandelen.urls")),
    path("beheer/", include("meldpunt.beheer.urls")),
    # The auditor's pages: the audit trail without content, and its checkpoints (meldpunt/audit/views.py).
    path("audit/", include("meldpunt.audit.urls")),
    # The installation administrator's organisations page (meldpunt/organisations/views.py).
    path("installatie/", include("meldpunt.organisations.urls")),
    # Council and yearly figures, counts only (meldpunt/cijfers/, docs/figures.md).
    path("cijfers/", include("meldpunt.cijfers.urls")),
    # The JSON API and its reference page (meldpunt/api/, docs/api.md).
    path("api/", include("meldpunt.api.urls")),
    # The measures register (meldpunt/maatregelen/): under the case page and under the reporter's inbox.
    path("", include("meldpunt.maatregelen.urls")),
    # Aftercare: its admin page, the handler's offer and the reporter's answers (meldpunt/nazorg/).
    path("", include("meldpunt.nazorg.urls")),
    # The proof of filing: /bewijs/ (check a proof, the public keys) and the inbox downloads (meldpunt/bewijs/).
    path("", include("meldpunt.bewijs.urls")),
    # Minutes and meeting requests: under the case page and under the reporter's inbox (meldpunt/verslagen/).
    path("", include("meldpunt.verslagen.urls")),
    # Public pages last: /<organisation>/...
    path("", include("meldpunt.melden.urls")),
]

# A request over one of Django's request limits gets a page naming the limit (meldpunt/errors.py).
handler400 = "meldpunt.errors.bad_request"
