// Meldpunt's glue around django-otp-webauthn's scripts (staff pages only).
// After a passkey was added, load the account page again so the list shows it
// (and the confirmation message the server put in the session).
document.addEventListener("otp_webauthn.register_complete", () => {
  window.location.reload();
});
