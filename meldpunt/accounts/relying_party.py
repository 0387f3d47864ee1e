"""Where passkeys belong: the WebAuthn relying party (RP) id and the origin a
browser must show, derived from MELDPUNT_BASE_URL and MELDPUNT_WEBAUTHN_RP_ID.

Pure functions without Django, so ``settings.py`` can use them. A passkey is
bound to its RP id for good: changing the id (or the domain staff open
Meldpunt on) means everyone enrols their passkeys again.
"""

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

LOCALHOST = "localhost"


@dataclass(frozen=True)
class RelyingParty:
    rp_id: str
    origin: str

    @property
    def secure(self) -> bool:
        """Browsers offer WebAuthn only in a secure context: HTTPS, or plain HTTP on localhost."""
        return self.origin.startswith("https://") or self.origin.startswith(f"http://{LOCALHOST}")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def relying_party(base_url: str, rp_id: str = "") -> RelyingParty:
    """The RP id and origin for staff who open Meldpunt at ``base_url``.

    Without an explicit ``rp_id`` the host of ``base_url`` is used. An IP
    address cannot be an RP id, so a loopback address (the demo's
    http://127.0.0.1:8000) becomes ``localhost`` with the same port: open
    http://localhost:8000 to use passkeys there. An explicit ``rp_id`` must be
    the host or a parent domain of it (``voorbeeldstad.nl`` for
    ``https://meldpunt.voorbeeldstad.nl``).
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(f"MELDPUNT_BASE_URL must be an http(s) address, not {base_url!r}")
    host = parts.hostname.lower()
    if _is_loopback(host):
        host = LOCALHOST
    port = f":{parts.port}" if parts.port else ""
    origin = f"{parts.scheme}://{host}{port}"
    rp_id = rp_id.strip().lower().rstrip(".")
    if not rp_id:
        return RelyingParty(host, origin)
    if host != rp_id and not host.endswith("." + rp_id):
        raise ImproperlyConfigured(
            f"MELDPUNT_WEBAUTHN_RP_ID {rp_id!r} must be the host of MELDPUNT_BASE_URL ({host}) or a parent domain of it"
        )
    return RelyingParty(rp_id, origin)
