"""Authlib's own OAuth clients against a Latchkey provider, driven line by line by the Node test.

    python3 authlib_clients.py oauth1|oauth2 '<json config>'

The script prints `{"client": ..., "authorize_url": ...}`, reads the URL the provider redirected the user
to (the test plays the user), finishes the flow and prints `{"result": ...}` (or `{"error": ...}`).

Authlib's requests integration (OAuth1Session, OAuth2Session) is used when `requests` is installed. Without
it, the same flows run on the classes those sessions are built from (authlib.oauth1.client.OAuth1Client,
authlib.oauth2.client.OAuth2Client): every OAuth step (signing, PKCE, token requests, parsing) is Authlib's,
and only the HTTP transport below is urllib, applying Authlib's auth objects as its requests integration does.
"""
import json
import os
import sys
import urllib.error
import urllib.request

# Authlib refuses http:// URLs unless told this is local development.
os.environ.setdefault('AUTHLIB_INSECURE_TRANSPORT', '1')

from authlib.common.security import generate_token  # noqa: E402
from authlib.common.urls import url_encode  # noqa: E402

try:
    from authlib.integrations.requests_client import OAuth1Session, OAuth2Session
except ImportError:  # no `requests`
    OAuth1Session = OAuth2Session = None
from authlib.oauth1.client import OAuth1Client  # noqa: E402
from authlib.oauth2.client import OAuth2Client  # noqa: E402


class Answer:
    def __init__(self, status_code, text):
        self.status_code = status_code
        self.text = text

    def json(self):
        return json.loads(self.text)

    def raise_for_status(self):
        if self.status_code >= 400:
            raise RuntimeError('HTTP {}'.format(self.status_code))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class UrllibSession:
    """`post` and `request` as Authlib's base clients call them, on urllib."""

    opener = urllib.request.build_opener(_NoRedirect)

    def request(self, method, url, data=None, headers=None, auth=None, **kwargs):
        headers = dict(headers or {})
        body = url_encode(data.items()) if isinstance(data, dict) else (data or '')
        if body and 'Content-Type' not in headers:
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
        if auth is not None:
            url, headers, body = auth.prepare(method, url, headers, body)
        if isinstance(body, str):
            body = body.encode('utf-8')
        request = urllib.request.Request(url, data=body or None, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=10) as response:
                return Answer(response.status, response.read().decode('utf-8'))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode('utf-8'))

    def post(self, url, **kwargs):
        return self.request('POST', url, **kwargs)


class BearerAuth:
    """OAuth2Client's TokenAuth in the (method, uri, headers, body) shape the transport applies."""

    def __init__(self, token_auth):
        self.token_auth = token_auth

    def prepare(self, method, uri, headers, body):
        return self.token_auth.prepare(uri, headers, body)


def say(value):
    print(json.dumps(value), flush=True)


def hear():
    return sys.stdin.readline().strip()


def api_calls(call, api):
    me = call('GET', api + '/me')
    echo = call('POST', api + '/echo?page=2', {'title': 'Beach day', 'tag': 'a&b'})
    return {'me': [me.status_code, me.json()], 'echo': [echo.status_code, echo.json()]}


def run_oauth1(config):
    options = dict(client_secret=config['client_secret'], redirect_uri=config['redirect_uri'])
    if OAuth1Session is not None:
        client = OAuth1Session(config['client_id'], **options)
        call = lambda method, url, data=None: client.request(method, url, data=data)  # noqa: E731
    else:
        transport = UrllibSession()
        client = OAuth1Client(transport, config['client_id'], **options)
        call = lambda method, url, data=None: transport.request(method, url, data=data, auth=client.auth)  # noqa: E731
    request_token = client.fetch_request_token(config['request_token_url'])
    say({
        'client': type(client).__name__,
        'callback_confirmed': request_token.get('oauth_callback_confirmed'),
        'authorize_url': client.create_authorization_url(config['authorize_url']),
    })
    client.parse_authorization_response(hear())
    token = client.fetch_access_token(config['access_token_url'])
    say({'result': dict(api_calls(call, config['api']), token_keys=sorted(token))})


def run_oauth2(config):
    options = dict(
        client_secret=config.get('client_secret'),
        token_endpoint_auth_method=config['auth_method'],
        revocation_endpoint_auth_method=config['auth_method'],
        scope=config['scope'],
        redirect_uri=config['redirect_uri'],
        code_challenge_method='S256',
    )
    if OAuth2Session is not None:
        client = OAuth2Session(config['client_id'], **options)
        call = lambda method, url, data=None: client.request(method, url, data=data)  # noqa: E731
    else:
        transport = UrllibSession()
        client = OAuth2Client(transport, config['client_id'], **options)
        call = lambda method, url, data=None: transport.request(  # noqa: E731
            method, url, data=data, auth=BearerAuth(client.token_auth))
    code_verifier = generate_token(48)
    authorize_url, state = client.create_authorization_url(config['authorize_url'], code_verifier=code_verifier)
    say({'client': type(client).__name__, 'authorize_url': authorize_url})
    token = client.fetch_token(
        config['token_url'], authorization_response=hear(), state=state, code_verifier=code_verifier)
    first = dict(token)
    calls = api_calls(call, config['api'])
    refreshed = client.refresh_token(config['token_url'])
    after_refresh = call('GET', config['api'] + '/me')
    revoked = client.revoke_token(config['revoke_url'], token=refreshed['refresh_token'], token_type_hint='refresh_token')
    say({'result': dict(
        calls,
        token_type=first['token_type'],
        scope=first.get('scope'),
        first_access_token=first['access_token'],
        first_refresh_token=first['refresh_token'],
        refreshed_access_token=refreshed['access_token'],
        refreshed_refresh_token=refreshed['refresh_token'],
        after_refresh=after_refresh.status_code,
        revoke_status=revoked.status_code,
    )})


if __name__ == '__main__':
    flow, config = sys.argv[1], json.loads(sys.argv[2])
    try:
        (run_oauth1 if flow == 'oauth1' else run_oauth2)(config)
    except Exception as error:  # the test shows it; a traceback alone would not reach the Node side
        say({'error': '{}: {}'.format(type(error).__name__, error)})
        sys.exit(1)
