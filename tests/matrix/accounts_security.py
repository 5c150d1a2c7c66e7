"""Access-matrix entries of the account security pages (see tests/matrix/__init__.py):
two-step verification and personal data. Every page is the user's own: logged-in
users only, the same answer for each role (2FA is off in tests, so nobody is sent to
the code page first; tests/security_auth/ covers the enforcement)."""

from tests.access_matrix import LOGIN, Access, logged_in

SETUP = "/compte/double-authentification/"
VERIFY = "/compte/double-authentification/code/"

MATRIX: dict = {
    # A new authenticator: QR code and secret in text.
    "accounts:two_factor_setup": Access(None, logged_in(200), 'id="totp-secret"'),
    # Nobody has an authenticator yet: sent to set one up.
    "accounts:two_factor_verify": Access(None, logged_in(SETUP)),
    # Without an authenticator the page offers to set one up.
    "accounts:recovery_codes": Access(None, logged_in(200), f'href="{SETUP}"'),
    "accounts:my_data": Access(None, logged_in(200), 'href="/compte/mes-donnees/telecharger/"'),
    "accounts:my_data_download": Access(None, logged_in(200), '"account": {'),
}
POST_MATRIX: dict = {
    # A wrong first code: the form again, with the secret, status 400.
    "accounts:two_factor_setup": Access(None, {**logged_in(400), "anonymous": LOGIN}, 'id="totp-secret"'),
    # New recovery codes need a verified authenticator: sent to the code page first.
    "accounts:recovery_codes": Access(None, logged_in(VERIFY)),
}
POST_DATA: dict = {
    "accounts:two_factor_setup": {"code": "pas-un-code"},
}
