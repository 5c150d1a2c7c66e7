"""Access-matrix entries of the account security pages (see tests/matrix/__init__.py):
two-step verification and personal data. Every page is the user's own: logged-in
users only, the same answer for each role (2FA is off in tests, so nobody is sent to
the code page first; tests/security_auth/ covers the enforcement)."""

from ais.accounts.services import unlock_token
from tests.access_matrix import LOGIN, Access, everyone, logged_in

SETUP = "/compte/double-authentification/"
VERIFY = "/compte/double-authentification/code/"

MATRIX: dict = {
    # A first authenticator: the code e-mailed to the account comes first (issue 18).
    "accounts:two_factor_setup": Access(None, logged_in(200), 'name="email_code"'),
    # Nobody has an authenticator yet: sent to set one up.
    "accounts:two_factor_verify": Access(None, logged_in(SETUP)),
    # Without an authenticator the page offers to set one up.
    "accounts:recovery_codes": Access(None, logged_in(200), f'href="{SETUP}"'),
    "accounts:my_data": Access(None, logged_in(200), 'href="/compte/mes-donnees/telecharger/"'),
    "accounts:my_data_download": Access(None, logged_in(200), '"account": {'),
    # The link of the « Débloquer mon compte » e-mail: a button, whoever opens it.
    "accounts:unlock": Access(lambda o: {"token": unlock_token(o.reset_user)}, everyone(200), 'method="post"'),
    "accounts:unlock [invalid token]": Access(
        lambda o: {"token": "jeton-invalide"}, everyone(400), "Comment obtenir un nouveau lien"
    ),
}
POST_MATRIX: dict = {
    # An authenticator's code before the e-mailed one: the e-mail step again, status 400.
    "accounts:two_factor_setup": Access(None, {**logged_in(400), "anonymous": LOGIN}, 'name="email_code"'),
    # Unlocking: back to the log-in page.
    "accounts:unlock": Access(lambda o: {"token": unlock_token(o.reset_user)}, everyone("/compte/connexion/")),
    # New recovery codes need a verified authenticator: sent to the code page first.
    "accounts:recovery_codes": Access(None, logged_in(VERIFY)),
}
POST_DATA: dict = {
    "accounts:two_factor_setup": {"code": "pas-un-code"},
}
