"""Serves a Flask app for the interop tests: 127.0.0.1, an ephemeral port, the URL as the first stdout line.

The process ends when its standard input closes, so a test runner that dies leaves no server behind.
"""
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

from werkzeug.serving import make_server


_scratch = []


def scratch_dir(prefix):
    """A temporary folder (the app's SQLite file) that goes when the process ends, however it is told to."""
    path = tempfile.mkdtemp(prefix=prefix)
    _scratch.append(path)
    return path


def _exit(*_):
    for path in _scratch:
        shutil.rmtree(path, ignore_errors=True)
    os._exit(0)


def serve(app):
    server = make_server('127.0.0.1', 0, app, threaded=True)
    url = 'http://127.0.0.1:{}'.format(server.server_port)
    print(json.dumps({'url': url, 'authlib': __import__('authlib').__version__}), flush=True)

    def watch_stdin():
        sys.stdin.read()
        _exit()

    signal.signal(signal.SIGTERM, _exit)
    threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()


class SimpleCache:
    """The cache Authlib's Flask OAuth 1 hooks expect (get, set with a timeout, delete, has), in process."""

    def __init__(self):
        self._items = {}
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is None or item[1] < time.time():
                return None
            return item[0]

    def set(self, key, value, timeout=None):
        with self._lock:
            self._items[key] = (value, time.time() + (timeout or 86400))

    def delete(self, key):
        with self._lock:
            self._items.pop(key, None)

    def has(self, key):
        return self.get(key) is not None
