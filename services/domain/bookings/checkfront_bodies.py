"""Checkfront's three webhook bodies read into the one dict its JSON body is. Pure.

An account picks JSON, XML or form-encoded. Checkfront's JSON is its XML converted
(``@attributes`` for attributes, every value a string, an empty element ``{}``), so the
XML is read into exactly that, and the form into the same nesting:

* JSON: ``{"@attributes": {...}, "booking": {...}}``;
* XML: ``<checkfront-notify version=".." host=".."><booking booking_id="157">...``;
  an element's attributes under ``@attributes``, an element repeated among its
  siblings a list, a text-only element its text;
* form: the same structure in PHP's bracket notation
  (``booking[order][items][item][0][sku]=paddle``), which is what a PHP application's
  ``http_build_query`` writes. Checkfront shows no example of this body: the notation
  is an assumption, kept in this one function.

Every reader bounds its cost: the body's size, the nesting depth and the number of
fields, and the XML reader refuses any DOCTYPE (see :func:`read_xml`).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from typing import Any
from urllib.parse import parse_qsl

from services.domain.bookings.model import BookingError

MAX_BODY = 1_000_000  # bytes: the webhook route answers 413 above this
MAX_DEPTH = 16  # Checkfront's booking nests six deep
MAX_FIELDS = 5_000

_KEY = re.compile(r"(?P<head>[^\[\]]+)(?P<rest>(?:\[[^\[\]]*\])*)")
_PART = re.compile(r"\[([^\[\]]*)\]")
# A DOCTYPE is where entities are declared (the "billion laughs" expansion, external
# entities). defusedxml is not a dependency, and the standard library's parser expands
# internal entities, so a body with a DOCTYPE is refused before it is parsed; a webhook
# body never needs one.
_DOCTYPE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def read_body(body: bytes, *, content_type: str = "") -> dict[str, Any]:
    """A webhook body in whichever of the three formats its Content-Type (or, without
    one, its first character) says."""
    kind = content_type.split(";")[0].strip().lower()
    if kind.endswith("json"):
        return read_json(body)
    if kind.endswith("xml"):
        return read_xml(body)
    if kind == "application/x-www-form-urlencoded":
        return read_form(body)
    first = body.lstrip()[:1]
    if first == b"{":
        return read_json(body)
    if first == b"<":
        return read_xml(body)
    return read_form(body)


def read_json(body: bytes) -> dict[str, Any]:
    _bounded(body)
    try:
        found = json.loads(body)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise BookingError(f"the body is not JSON ({str(error)[:80]})") from error
    if not isinstance(found, dict):
        raise BookingError("the body is not a JSON object")
    if _depth(found) > MAX_DEPTH:
        raise BookingError(f"the body nests deeper than {MAX_DEPTH} levels")
    return found


def read_xml(body: bytes) -> dict[str, Any]:
    _bounded(body)
    if _DOCTYPE.search(body):
        raise BookingError("the XML body declares a DOCTYPE or an entity, which a "
                           "webhook never needs: refused unread")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise BookingError(f"the body is not XML ({error})") from error
    found = _element(root, depth=0)
    return found if isinstance(found, dict) else {}


def read_form(body: bytes) -> dict[str, Any]:
    _bounded(body)
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True,
                          max_num_fields=MAX_FIELDS)
    except (ValueError, UnicodeDecodeError) as error:
        raise BookingError(f"the body is not a form ({str(error)[:80]})") from error
    tree: dict[str, Any] = {}
    for key, value in pairs:
        _put(tree, _path(key), value)
    found = _listed(tree)
    if not isinstance(found, dict):
        raise BookingError("the form's fields are numbered, not named")
    return found


def _bounded(body: bytes) -> None:
    if len(body) > MAX_BODY:
        raise BookingError(f"the body is {len(body):,} bytes, more than {MAX_BODY:,}")
    if not body.strip():
        raise BookingError("the body is empty")


def _depth(value: Any) -> int:
    # Iterative: the depth of what json.loads accepted must not cost recursion itself.
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node if isinstance(
            node, list) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest


def _element(element: ElementTree.Element, *, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise BookingError(f"the body nests deeper than {MAX_DEPTH} levels")
    children = list(element)
    if not children and not element.attrib:
        content = (element.text or "").strip()
        return content if content else {}  # <tid/> is {} in Checkfront's JSON
    found: dict[str, Any] = {}
    if element.attrib:
        found["@attributes"] = dict(element.attrib)
    for child in children:
        value = _element(child, depth=depth + 1)  # a dict or a string, never a list
        if child.tag not in found:
            found[child.tag] = value
        elif isinstance(found[child.tag], list):
            found[child.tag].append(value)
        else:  # the second of its name among its siblings: from here on a list
            found[child.tag] = [found[child.tag], value]
    return found


def _path(key: str) -> list[str]:
    match = _KEY.fullmatch(key)
    if match is None:
        raise BookingError(f"the form field '{key[:60]}' is not a field name")
    parts = [match["head"], *_PART.findall(match["rest"])]
    if len(parts) > MAX_DEPTH:
        raise BookingError(f"the form field '{key[:60]}' nests deeper than {MAX_DEPTH}")
    return parts


def _put(tree: dict[str, Any], path: list[str], value: str) -> None:
    node = tree
    for index, part in enumerate(path):
        last = index == len(path) - 1
        if part == "":  # name[]: the next position
            part = str(sum(1 for k in node if k.isdigit()))
        if last:
            if isinstance(node.get(part), dict):
                raise BookingError(f"the form gives '{'.'.join(path)}' both a value and fields")
            node[part] = value
            return
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise BookingError(f"the form gives '{'.'.join(path[:index + 1])}' both a value "
                               "and fields")
        node = child


def _listed(node: Any) -> Any:
    """Objects keyed 0, 1, 2, ... become lists, as PHP's arrays read back in JSON."""
    if not isinstance(node, dict):
        return node
    items = {key: _listed(value) for key, value in node.items()}
    if items and set(items) == {str(n) for n in range(len(items))}:
        return [items[str(n)] for n in range(len(items))]
    return items
