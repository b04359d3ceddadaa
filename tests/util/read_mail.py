#!/usr/bin/env python3
"""Parse mails with Python's email package (an independent MIME parser) and print JSON.

Usage: python3 read_mail.py MAIL.eml...   For each: from, to, subject, the text and HTML
bodies, and each attachment's file name (as a mail client decodes it), type and SHA-256.
"""

import email
import email.policy
import hashlib
import json
import sys

out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    d = {"file": path, "from": str(m["From"]), "to": str(m["To"]), "subject": str(m["Subject"]),
         "headers": [k for k in m.keys()], "text": None, "html": None, "attachments": []}
    for part in m.walk():
        if part.get_filename():
            data = part.get_payload(decode=True)
            d["attachments"].append({"filename": part.get_filename(), "content_type": part.get_content_type(),
                                     "sha256": hashlib.sha256(data).hexdigest()})
        elif part.get_content_type() == "text/plain":
            d["text"] = part.get_content()
        elif part.get_content_type() == "text/html":
            d["html"] = part.get_content()
    out.append(d)
json.dump(out, sys.stdout, ensure_ascii=False)
