from django.contrib.auth import views as auth_views
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice

from meldpunt import throttle
from meldpunt.accounts import actions
from meldpunt.accounts.forms import StaffLoginForm
from meldpunt.accounts.models import StaffAccount


class LoginView(auth_views.LoginView):
    """Password and second factor in one form; repeated failures from one
    client or on one username stop being checked for a while."""

    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = False

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if throttle.login_blocked(request, username):
            # Nothing is checked, not even the password, until the window passes.
            form = self.get_form_class()(request, initial={"username": username})
            context = self.get_context_data(form=form, throttled=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if isinstance(getattr(user, "otp_device", None), StaticDevice):
            actions.recovery_code_used(user, remaining=actions.recovery_codes_left(user))
            actions.login_succeeded(user, "recovery_code")
        else:
            actions.login_succeeded(user, "totp")
        return response

    def get_default_redirect_url(self):
        # An installation administrator without a registry person goes to the organisations.
        user = self.request.user
        if user.is_superuser and not StaffAccount.objects.filter(user=user).exists():
            return reverse("organisations:list")
        return super().get_default_redirect_url()

    def form_invalid(self, form):
        username = self.request.POST.get("username", "")
        throttle.count_login_failure(self.request, username)
        if username and self.request.POST.get("password"):
            actions.login_failed(username, "password")
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    next_page = "accounts:login"
