from django.urls import path
from django.views.i18n import JavaScriptCatalog

from meldpunt import ids  # noqa: F401  (registers the <id:...> converter)
from meldpunt.accounts import passkeys, setup, views
from meldpunt.api import token_views

app_name = "accounts"
urlpatterns = [
    path("inloggen/", views.LoginView.as_view(), name="login"),
    path("uitloggen/", views.LogoutView.as_view(), name="logout"),
    # First login: set-up link, recovery codes (meldpunt/accounts/setup.py).
    path("instellen/<str:token>/", setup.setup, name="setup"),
    path("herstelcodes/", setup.recovery_codes, name="recovery_codes"),
    path("herstelcodes/nieuw/", setup.new_recovery_codes, name="new_recovery_codes"),
    # Mijn account and passkeys (meldpunt/accounts/passkeys.py).
    path("", passkeys.account, name="account"),
    path("inloggen/passkey/", passkeys.PasswordStepView.as_view(), name="passkey_login"),
    path("inloggen/passkey/bevestigen/", passkeys.confirm, name="passkey_confirm"),
    path("passkeys/<id:pk>/verwijderen/", passkeys.remove, name="passkey_remove"),
    path("passkeys/registreren/begin/", passkeys.RegistrationBegin.as_view(), name="passkey_register_begin"),
    path("passkeys/registreren/klaar/", passkeys.RegistrationComplete.as_view(), name="passkey_register_complete"),
    path("passkeys/inloggen/begin/", passkeys.AuthenticationBegin.as_view(), name="passkey_login_begin"),
    path("passkeys/inloggen/klaar/", passkeys.AuthenticationComplete.as_view(), name="passkey_login_complete"),
    # Personal API tokens on the account page (meldpunt/api/token_views.py).
    path("api-tokens/nieuw/", token_views.create, name="api_token_create"),
    path("api-tokens/<id:pk>/intrekken/", token_views.revoke, name="api_token_revoke"),
    path("passkeys/teksten.js", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="passkey_jsi18n"),
]
