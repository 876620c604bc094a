"""Schemathesis hooks: how to make the values relay/openapi.json names by format, so that
positive tests send what a real client sends (record ids with a valid checksum suffix,
real export files) while negative tests still break every declared rule."""
import string
import sys
from pathlib import Path

import schemathesis
from hypothesis import strategies as st

# CPython 3.11 before 3.11.8 (python/cpython#106905) turns a RecursionError inside
# ast.parse into "SystemError: AST constructor recursion depth mismatch"; hypothesis parses
# schemathesis's large coverage module to describe a filter lambda, deep in the stack, and
# a run then ends in that error (seen once in CI). More headroom keeps ast.parse clear of it.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 6000))
# The headroom alone did not always do (seen again on a larger document): a lambda whose
# source cannot be parsed is then described as unknown, as hypothesis does for any source
# it cannot read, instead of ending the run. Descriptions only name filters in reports.
from hypothesis.internal import lambda_sources  # noqa: E402

_describe = lambda_sources._lambda_description


def _describe_or_unknown(f, *args, **kwargs):
    try:
        return _describe(f, *args, **kwargs)
    except (SystemError, RecursionError):
        return "lambda: <unknown>"


lambda_sources._lambda_description = _describe_or_unknown

# The checksum rule lives once for the Python tools: the Febrl bench's id maker.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from febrl import sf_id  # noqa: E402


def ids(prefixes):
    return st.builds(sf_id, st.sampled_from(prefixes), st.integers(min_value=0, max_value=62**10 - 1))


schemathesis.openapi.format("salesforce-id", ids(["00Q", "003", "001", "006", "005"]))
schemathesis.openapi.format("salesforce-matchable-id", ids(["00Q", "003", "001"]))
schemathesis.openapi.format("salesforce-person-id", ids(["00Q", "003"]))

NAMES = st.text(string.ascii_letters + " -'", min_size=1, max_size=20).filter(lambda s: s.strip())
SLUGS = st.text(string.ascii_lowercase + string.digits + "-", min_size=3, max_size=30)


def quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@st.composite
def connections_export(draw):
    rows = draw(st.lists(st.tuples(NAMES, NAMES, SLUGS), max_size=20))
    lines = ["Notes:", '"When exporting your connection data, you may notice that some of the email addresses are missing."', "",
             "First Name,Last Name,URL,Email Address,Company,Position,Connected On"]
    for first, last, slug in rows:
        lines.append(",".join([quoted(first), quoted(last), f"https://www.linkedin.com/in/{slug}", "", "Acme", "VP", "17 May 2023"]))
    return "\n".join(lines) + "\n"


@st.composite
def messages_export(draw):
    """A header both the messages.csv and the Invitations.csv readers take."""
    rows = draw(st.lists(st.tuples(NAMES, NAMES, SLUGS, st.text(string.printable, max_size=80)), max_size=20))
    lines = ["CONVERSATION ID,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,Sent At,SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT,Direction"]
    for n, (sender, to, slug, content) in enumerate(rows):
        lines.append(",".join([f"2-{n}", quoted(sender), f"https://www.linkedin.com/in/{slug}", quoted(to),
                               "https://www.linkedin.com/in/me", "2023-05-17 14:02:11 UTC", '"5/17/23, 2:02 PM"', "",
                               quoted(content), "INBOX", "No", "OUTGOING"]))
    return "\n".join(lines) + "\n"


schemathesis.openapi.format("network-connections-export", connections_export())
schemathesis.openapi.format("network-messages-export", messages_export())


@st.composite
def pdf_document(draw):
    """A small PDF: the header the relay checks for, a body of some text, the trailer."""
    text = draw(st.text(string.ascii_letters + string.digits + " ", max_size=60))
    return f"%PDF-1.4\n% {text}\n%%EOF\n"


schemathesis.openapi.format("pdf-document", pdf_document())
# A PDF body is sent as its bytes, as for any binary upload.
schemathesis.serializer.alias("application/pdf", "application/octet-stream")
