"""The gate in front of every staff page: logged in, second factor verified,
and linked to a person in the registry."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from meldpunt.accounts.models import StaffAccount


def staff_required(view=None, *, registry_admin=False):
    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not (user.is_authenticated and user.is_verified()):
                return redirect_to_login(request.get_full_path())
            try:
                request.staff = user.staff_account
            except StaffAccount.DoesNotExist:
                raise PermissionDenied from None
            request.organisation = request.staff.organisation
            if registry_admin and not request.staff.is_registry_admin:
                raise PermissionDenied
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view else decorator


def verified_required(view_func):
    """Logged in with the second factor passed; no registry person needed
    (also an installation administrator's own pages)."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_verified()):
            return redirect_to_login(request.get_full_path())
        return view_func(request, *args, **kwargs)

    return wrapper


def installation_admin_required(view_func):
    """The installation administrator: a Django superuser, logged in with a second
    factor like all staff (``manage.py create_installation_admin``)."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_verified()):
            return redirect_to_login(request.get_full_path())
        if not user.is_superuser:
            raise PermissionDenied
        return view_func(request, *args, **kwargs)

    return wrapper
