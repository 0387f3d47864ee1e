from django.contrib.auth import views as auth_views

from meldpunt.accounts.forms import StaffLoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = False


class LogoutView(auth_views.LogoutView):
    next_page = "accounts:login"
