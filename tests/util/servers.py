#!/usr/bin/env python3
"""Real servers for the delivery tests (tests/e2e/delivery.rs).

  servers.py smtp DIR USER PASSWORD
      An SMTP server (aiosmtpd) on 127.0.0.1 that requires STARTTLS and then AUTH LOGIN/PLAIN
      with USER/PASSWORD, with a certificate for "localhost" signed by a fresh CA (trustme):
      DIR/ca.pem is that CA. Each message received is saved as DIR/mail-N.eml with its
      envelope recipients in DIR/mail-N.rcpt.
  servers.py smtps DIR USER PASSWORD
      The same with TLS from the first byte (port 465 style).
  servers.py http DIR
      An HTTP server on 127.0.0.1 that saves each POST as DIR/post-N.json
      ({"path", "query", "body"}) and answers as the robot of its path would: /wecom and
      /dingtalk {"errcode":0,"errmsg":"ok"}, /feishu {"code":0,"msg":"success"}, /refuse an
      errcode 310000 (钉钉's "keywords not in content").

Each prints "PORT <n>" on its first line, then serves until its stdin closes.
Needs: pip install aiosmtpd trustme
"""

import json
import os
import sys
import threading
import warnings

warnings.filterwarnings("ignore")


def smtp(folder, user, password, implicit=False):
    import ssl

    import trustme
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    ca = trustme.CA()
    ca.cert_pem.write_to_path(os.path.join(folder, "ca.pem"))
    cert = ca.issue_cert("localhost", "127.0.0.1")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    count = [0]

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            count[0] += 1
            n = count[0]
            with open(os.path.join(folder, f"mail-{n}.eml"), "wb") as f:
                f.write(envelope.original_content or envelope.content)
            with open(os.path.join(folder, f"mail-{n}.rcpt"), "w") as f:
                f.write("\n".join(envelope.rcpt_tos))
            return "250 OK queued as svcq-test-%d" % n

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == user.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok)

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # With TLS from the first byte aiosmtpd does not see the session as secure, so it would
    # hide AUTH unless told the connection is TLS already.
    tls = (
        {"ssl_context": ctx, "auth_require_tls": False}
        if implicit
        else {"tls_context": ctx, "require_starttls": True, "auth_require_tls": True}
    )
    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        **tls,
        auth_required=True,
        authenticator=authenticator,
        server_hostname="localhost",
    )
    controller.start()
    print("PORT %d" % controller.port, flush=True)
    sys.stdin.read()
    controller.stop()


def http(folder):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import urlsplit

    count = [0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            url = urlsplit(self.path)
            with lock:
                count[0] += 1
                n = count[0]
            with open(os.path.join(folder, f"post-{n}.json"), "w", encoding="utf-8") as f:
                json.dump({"path": url.path, "query": url.query, "body": body, "content_type": self.headers.get("Content-Type")}, f, ensure_ascii=False)
            if url.path.startswith("/feishu"):
                reply = {"code": 0, "msg": "success"}
            elif url.path.startswith("/refuse"):
                reply = {"errcode": 310000, "errmsg": "keywords not in content"}
            else:
                reply = {"errcode": 0, "errmsg": "ok"}
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("PORT %d" % server.server_address[1], flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    if sys.argv[1] in ("smtp", "smtps"):
        smtp(sys.argv[2], sys.argv[3], sys.argv[4], implicit=sys.argv[1] == "smtps")
    else:
        http(sys.argv[2])
