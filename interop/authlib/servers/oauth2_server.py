"""An OAuth 2 provider built the way Authlib 1.2's documentation and example server build one.

Authlib's Flask AuthorizationServer with the authorization code grant (PKCE required, RFC 7636), the
refresh token grant issuing a new refresh token and revoking the old token row (both tokens) at each
refresh, the RFC 7009 revocation endpoint, and a ResourceProtector with the SQLAlchemy bearer token
validator. Clients authenticate with client_secret_basic, client_secret_post or none. `/admin/clients`
is the test's way to register a client (the example's /create_client page, as JSON) and `/admin/tokens`
to list what was issued; `/api/me` and `/api/echo` are the protected resources. `--expires-in N` sets the access tokens' lifetime.
"""
import argparse
import os
import time

# Authlib refuses http:// URLs unless told this is local development (as its documentation says).
os.environ.setdefault('AUTHLIB_INSECURE_TRANSPORT', '1')

from flask import Flask, jsonify, render_template_string, request  # noqa: E402
from flask_sqlalchemy import SQLAlchemy  # noqa: E402
from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector, current_token  # noqa: E402
from authlib.integrations.sqla_oauth2 import (  # noqa: E402
    OAuth2AuthorizationCodeMixin,
    OAuth2ClientMixin,
    OAuth2TokenMixin,
    create_bearer_token_validator,
    create_query_client_func,
    create_revocation_endpoint,
    create_save_token_func,
)
from authlib.oauth2 import OAuth2Error  # noqa: E402
from authlib.oauth2.rfc6749 import grants  # noqa: E402
from authlib.oauth2.rfc7636 import CodeChallenge  # noqa: E402

from serve import scratch_dir, serve  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument('--expires-in', type=int, default=3600)
args = parser.parse_args()

app = Flask(__name__)
app.config.update(
    SQLALCHEMY_DATABASE_URI='sqlite:///' + os.path.join(scratch_dir('authlib-oauth2-'), 'db.sqlite'),
    OAUTH2_REFRESH_TOKEN_GENERATOR=True,
    OAUTH2_TOKEN_EXPIRES_IN={'authorization_code': args.expires_in},
)
db = SQLAlchemy(app)

ALL_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none']


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(40), unique=True)

    def get_user_id(self):
        return self.id


class OAuth2Client(db.Model, OAuth2ClientMixin):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('user.id', ondelete='CASCADE'))
    user = db.relationship('User')


class OAuth2AuthorizationCode(db.Model, OAuth2AuthorizationCodeMixin):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('user.id', ondelete='CASCADE'))
    user = db.relationship('User')


class OAuth2Token(db.Model, OAuth2TokenMixin):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('user.id', ondelete='CASCADE'))
    user = db.relationship('User')

    def is_refresh_token_valid(self):
        return not self.refresh_token_revoked_at


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_AUTH_METHODS

    def save_authorization_code(self, code, request):
        item = OAuth2AuthorizationCode(
            code=code,
            client_id=request.client.client_id,
            redirect_uri=request.redirect_uri,
            scope=request.scope,
            user_id=request.user.id,
            code_challenge=request.data.get('code_challenge'),
            code_challenge_method=request.data.get('code_challenge_method'),
        )
        db.session.add(item)
        db.session.commit()
        return item

    def query_authorization_code(self, code, client):
        item = OAuth2AuthorizationCode.query.filter_by(code=code, client_id=client.client_id).first()
        if item and not item.is_expired():
            return item

    def delete_authorization_code(self, authorization_code):
        db.session.delete(authorization_code)
        db.session.commit()

    def authenticate_user(self, authorization_code):
        return db.session.get(User, authorization_code.user_id)


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        item = OAuth2Token.query.filter_by(refresh_token=refresh_token).first()
        if item and item.is_refresh_token_valid():
            return item

    def authenticate_user(self, credential):
        return db.session.get(User, credential.user_id)

    def revoke_old_credential(self, credential):
        now = int(time.time())
        credential.access_token_revoked_at = now
        credential.refresh_token_revoked_at = now
        db.session.add(credential)
        db.session.commit()


class RevocationEndpoint(create_revocation_endpoint(db.session, OAuth2Token)):
    CLIENT_AUTH_METHODS = ALL_AUTH_METHODS


authorization = AuthorizationServer(
    app,
    query_client=create_query_client_func(db.session, OAuth2Client),
    save_token=create_save_token_func(db.session, OAuth2Token),
)
authorization.register_grant(AuthorizationCodeGrant, [CodeChallenge(required=True)])
authorization.register_grant(RefreshTokenGrant)
authorization.register_endpoint(RevocationEndpoint)

require_oauth = ResourceProtector()
require_oauth.register_token_validator(create_bearer_token_validator(db.session, OAuth2Token)())

# The example's consent page: the user names themselves and confirms (or not).
AUTHORIZE_PAGE = """<!doctype html>
<title>Authorize</title>
<p>{{ grant.client.client_id }} asks for: {{ grant.request.scope }}</p>
<form action="" method="post">
  <label>Username <input type="text" name="username"></label>
  <label><input type="checkbox" name="confirm"> Consent?</label>
  <button>Submit</button>
</form>
"""


@app.route('/oauth/authorize', methods=['GET', 'POST'])
def authorize():
    if request.method == 'GET':
        try:
            grant = authorization.get_consent_grant(end_user=None)
        except OAuth2Error as error:
            return jsonify(dict(error.get_body())), error.status_code
        return render_template_string(AUTHORIZE_PAGE, grant=grant)
    user = User.query.filter_by(username=request.form.get('username', '')).first()
    grant_user = user if request.form.get('confirm') else None
    return authorization.create_authorization_response(grant_user=grant_user)


@app.route('/oauth/token', methods=['POST'])
def issue_token():
    return authorization.create_token_response()


@app.route('/oauth/revoke', methods=['POST'])
def revoke_token():
    return authorization.create_endpoint_response(RevocationEndpoint.ENDPOINT_NAME)


@app.route('/api/me')
@require_oauth('profile')
def me():
    user = current_token.user
    return jsonify(sub=str(user.id), preferred_username=user.username, protocol='oauth2')


@app.route('/api/echo', methods=['POST'])
@require_oauth('profile')
def echo():
    return jsonify(method=request.method, query=request.args.to_dict(flat=True), form=request.form.to_dict(flat=True))


@app.route('/admin/clients', methods=['POST'])
def create_client():
    data = request.get_json()
    client = OAuth2Client(client_id=data['client_id'], client_id_issued_at=int(time.time()))
    client.set_client_metadata({
        'redirect_uris': data['redirect_uris'],
        'grant_types': ['authorization_code', 'refresh_token'],
        'response_types': ['code'],
        'scope': 'profile',
        'token_endpoint_auth_method': data['token_endpoint_auth_method'],
    })
    client.client_secret = data.get('client_secret', '')
    db.session.add(client)
    db.session.commit()
    return jsonify(client_id=client.client_id), 201


@app.route('/admin/tokens')
def list_tokens():
    # The test reads which tokens Authlib issued to a client, then checks them through the endpoints above.
    rows = OAuth2Token.query.filter_by(client_id=request.args['client_id']).order_by(OAuth2Token.id).all()
    return jsonify([
        dict(
            access_token=row.access_token,
            refresh_token=row.refresh_token,
            access_token_revoked=bool(row.access_token_revoked_at),
            refresh_token_revoked=bool(row.refresh_token_revoked_at),
        )
        for row in rows
    ])


with app.app_context():
    db.create_all()
    db.session.add(User(username='alice'))
    db.session.commit()

if __name__ == '__main__':
    serve(app)
