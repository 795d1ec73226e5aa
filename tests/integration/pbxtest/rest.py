"""pbxd's REST API from the tests: the X-authenticate header (spec §4.2), signed requests, and
a reader of the /rest/events server-sent event stream. Python 3 stdlib only."""

import base64
import hashlib
import http.client
import json
import os
import time


def created_now(skew=0):
    """Created for a header: the UTC time plus `skew` seconds, YYYY-MM-DDThh:mm:ssZ."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + skew))


def auth_header(user, password, domain, salt, nonce=None, created=None):
    """The X-authenticate value:
    Digest = base64(sha256(Nonce + hex(sha256(password + "{" + salt + "}")) + Username + Domain
    + Created))."""
    nonce = nonce or os.urandom(16).hex()
    created = created or created_now()
    digest_password = hashlib.sha256((password + "{" + salt + "}").encode()).hexdigest()
    digest = base64.b64encode(hashlib.sha256(
        (nonce + digest_password + user + domain + created).encode()).digest()).decode()
    return ('RestApiUsernameToken Username="%s", Domain="%s", Digest="%s", Nonce="%s", '
            'Created="%s"' % (user, domain, digest, nonce, created))


class Reply:
    def __init__(self, status, body, headers):
        self.status = status
        self.text = body.decode("utf-8", "replace")
        self.headers = headers
        try:
            self.json = json.loads(self.text)
        except ValueError:
            self.json = None

    def __repr__(self):
        return "HTTP %d %s" % (self.status, self.text.strip()[:300])

    def is_json_error(self, status):
        """`status` with the API's error body {"error": "...", "code": status}."""
        return (self.status == status and isinstance(self.json, dict)
                and self.json.get("code") == status and isinstance(self.json.get("error"), str))


class RestClient:
    """Signed requests to one pbxd's REST API on 127.0.0.1:`port`."""

    def __init__(self, port, user="admin", password="secret", domain="default", timeout=15):
        self.port = port
        self.user = user
        self.password = password
        self.domain = domain
        self.timeout = timeout
        self._salt = None

    def salt(self):
        if self._salt is None:
            r = self.request("GET", "/rest/salt/%s" % self.domain, auth=False)
            if r.status != 200:
                raise RuntimeError("no salt for %s: %r" % (self.domain, r))
            self._salt = r.json["salt"]
        return self._salt

    def header(self, password=None, **kw):
        return auth_header(self.user, self.password if password is None else password,
                           self.domain, self.salt(), **kw)

    def request(self, method, path, body=None, auth=True, header=None, headers=None):
        """`header`: an X-authenticate value to send instead of a fresh one."""
        h = dict(headers or {})
        if auth:
            h["X-authenticate"] = header if header is not None else self.header()
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            return Reply(resp.status, resp.read(), dict(resp.getheaders()))
        finally:
            conn.close()


class EventStream:
    """A GET /rest/events connection; next_event() returns {"id", "event", "data"} or None at
    the end of the stream. Comments (keep-alives) are skipped."""

    def __init__(self, client, query="", last_event_id=None, timeout=30):
        self.conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=timeout)
        headers = {"X-authenticate": client.header(), "Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.conn.request("GET", "/rest/events" + query, headers=headers)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.comments = []

    def next_event(self):
        fields = {}
        while True:
            line = self.resp.readline()
            if not line:
                return None
            line = line.decode("utf-8", "replace").rstrip("\n")
            if line == "":
                if "id" in fields:
                    return fields
                fields = {}
            elif line.startswith(":"):
                self.comments.append(line[1:].strip())
            else:
                key, _, value = line.partition(": ")
                if key == "id":
                    fields["id"] = int(value)
                elif key == "event":
                    fields["event"] = value
                elif key == "data":
                    fields["data"] = json.loads(value)

    def close(self):
        try:
            self.conn.close()
        except OSError:
            pass
