"""Small XML documents from the network, read safely: no DTDs or entities, elements by local name."""

from __future__ import annotations

import xml.etree.ElementTree as ET

MAX_XML = 65_536


def parse(data: bytes) -> ET.Element | None:
    """The root element, or None for anything that is not a small plain XML document (a DTD or an entity
    declaration is refused outright: nothing a discovery answer needs)."""
    if len(data) > MAX_XML or b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        return None
    try:
        return ET.fromstring(data)
    except ET.ParseError:
        return None


def local(tag: str) -> str:
    """``{http://schemas.xmlsoap.org/ws/2005/04/discovery}Types`` → ``Types``."""
    return tag.rsplit("}", 1)[-1]


def texts(root: ET.Element, name: str) -> list[str]:
    """The stripped text of every element called ``name`` (any namespace), in document order."""
    return [(el.text or "").strip() for el in root.iter() if local(el.tag) == name and (el.text or "").strip()]


def first(root: ET.Element, name: str) -> str | None:
    found = texts(root, name)
    return found[0] if found else None
