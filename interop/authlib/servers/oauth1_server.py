"""An OAuth 1.0a provider built the way Authlib 1.2's documentation builds one ("Flask OAuth 1.0 Server").

Authlib's Flask AuthorizationServer and ResourceProtector; the client and token credentials in SQLite
through Flask-SQLAlchemy; temporary credentials and nonces in a cache, with Authlib's cache hooks. All
three signature methods are enabled. `/admin/clients` is the test's way to register a consumer (the
docs leave registration to the site); `/api/me` and `/api/echo` are the protected resources.
"""
import os

# Authlib refuses http:// URLs unless told this is local development (as its documentation says).
os.environ.setdefault('AUTHLIB_INSECURE_TRANSPORT', 'true')

from flask import Flask, g, jsonify, render_template_string, request  # noqa: E402
from flask_sqlalchemy import SQLAlchemy  # noqa: E402
from authlib.oauth1 import ClientMixin, TokenCredentialMixin  # noqa: E402
from authlib.oauth1.errors import OAuth1Error  # noqa: E402
from authlib.integrations.flask_oauth1 import (  # noqa: E402
    AuthorizationServer,
    ResourceProtector,
    current_credential,
    create_exists_nonce_func,
    register_nonce_hooks,
    register_temporary_credential_hooks,
)

from serve import SimpleCache, scratch_dir, serve  # noqa: E402

app = Flask(__name__)
app.config.update(
    SQLALCHEMY_DATABASE_URI='sqlite:///' + os.path.join(scratch_dir('authlib-oauth1-'), 'db.sqlite'),
    OAUTH1_SUPPORTED_SIGNATURE_METHODS=['HMAC-SHA1', 'PLAINTEXT', 'RSA-SHA1'],
)
db = SQLAlchemy(app)
cache = SimpleCache()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(40), unique=True)

    def get_user_id(self):
        return self.id


class Client(ClientMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    client_id = db.Column(db.String(48), index=True)
    client_secret = db.Column(db.String(120), nullable=False)
    rsa_public_key = db.Column(db.Text)
    default_redirect_uri = db.Column(db.Text, nullable=False, default='')

    def get_default_redirect_uri(self):
        return self.default_redirect_uri

    def get_client_secret(self):
        return self.client_secret

    def get_rsa_public_key(self):
        return self.rsa_public_key


class TokenCredential(TokenCredentialMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('user.id', ondelete='CASCADE'))
    user = db.relationship('User')
    client_id = db.Column(db.String(48), index=True)
    oauth_token = db.Column(db.String(84), unique=True, index=True)
    oauth_token_secret = db.Column(db.String(84))

    def get_oauth_token(self):
        return self.oauth_token

    def get_oauth_token_secret(self):
        return self.oauth_token_secret


def query_client(client_id):
    return Client.query.filter_by(client_id=client_id).first()


def query_token(client_id, oauth_token):
    return TokenCredential.query.filter_by(client_id=client_id, oauth_token=oauth_token).first()


def create_token_credential(token, temporary_credential):
    credential = TokenCredential(
        oauth_token=token['oauth_token'],
        oauth_token_secret=token['oauth_token_secret'],
        user_id=temporary_credential.get_user_id(),
        client_id=temporary_credential.get_client_id(),
    )
    db.session.add(credential)
    db.session.commit()
    return credential


server = AuthorizationServer(app, query_client=query_client)
register_nonce_hooks(server, cache)
register_temporary_credential_hooks(server, cache)
server.register_hook('create_token_credential', create_token_credential)



class RawQueryResourceProtector(ResourceProtector):
    """Authlib 1.2's Flask ResourceProtector verifies against `request.url`, where Werkzeug has already
    decoded `%2B` to `+`, which Authlib then reads as a space: a request signed in the query whose signature
    holds `+` (a third of HMAC-SHA1 and RSA-SHA1 ones) is refused. Its AuthorizationServer reads the raw
    query string (flask_helpers.create_oauth_request); this protector does the same. `/api/stock/me` keeps
    the stock protector to show the difference."""

    def acquire_credential(self):
        url = request.base_url
        if request.query_string:
            url += '?' + request.query_string.decode('ascii')
        req = self.validate_request(request.method, url, request.form.to_dict(flat=True), request.headers)
        g.authlib_server_oauth1_credential = req.credential
        return req.credential


protector_options = dict(query_client=query_client, query_token=query_token, exists_nonce=create_exists_nonce_func(cache))
require_oauth = RawQueryResourceProtector(app, **protector_options)
require_oauth_stock = ResourceProtector(app, **protector_options)

# The consent page: who signs in, and whether they grant. Posting back to the same URL keeps oauth_token in
# the query, the one placement Authlib reads it from here.
AUTHORIZE_PAGE = """<!doctype html>
<title>Authorize</title>
<p>{{ client_id }} asks for access to your account.</p>
<form action="" method="post">
  <label>Username <input type="text" name="username"></label>
  <label><input type="checkbox" name="granted" value="yes"> Allow</label>
  <button>Submit</button>
</form>
"""


@app.route('/initiate', methods=['POST'])
def initiate_temporary_credential():
    return server.create_temporary_credentials_response()


@app.route('/authorize', methods=['GET', 'POST'])
def authorize():
    if request.method == 'GET':
        try:
            req = server.check_authorization_request()
        except OAuth1Error as error:
            return jsonify(dict(error.get_body())), error.status_code
        return render_template_string(AUTHORIZE_PAGE, client_id=req.credential.get_client_id())

    user = User.query.filter_by(username=request.form.get('username', '')).first()
    grant_user = user if request.form.get('granted') else None
    try:
        return server.create_authorization_response(grant_user=grant_user)
    except OAuth1Error as error:
        return jsonify(dict(error.get_body())), error.status_code


@app.route('/token', methods=['POST'])
def issue_token():
    return server.create_token_response()


@app.route('/api/me')
@require_oauth()
def me():
    user = current_credential.user
    return jsonify(sub=str(user.id), preferred_username=user.username, protocol='oauth1')


@app.route('/api/stock/me')
@require_oauth_stock()
def stock_me():
    return me.__wrapped__()


@app.route('/api/echo', methods=['POST'])
@require_oauth()
def echo():
    return jsonify(
        method=request.method,
        query={k: v for k, v in request.args.to_dict(flat=True).items() if not k.startswith('oauth_')},
        form={k: v for k, v in request.form.to_dict(flat=True).items() if not k.startswith('oauth_')},
        user=current_credential.user.username,
    )


@app.route('/admin/clients', methods=['POST'])
def create_client():
    data = request.get_json()
    client = Client(
        client_id=data['client_id'],
        client_secret=data['client_secret'],
        rsa_public_key=data.get('rsa_public_key'),
        default_redirect_uri=data.get('redirect_uri', ''),
    )
    db.session.add(client)
    db.session.commit()
    return jsonify(client_id=client.client_id), 201


with app.app_context():
    db.create_all()
    db.session.add(User(username='alice'))
    db.session.commit()

if __name__ == '__main__':
    serve(app)
