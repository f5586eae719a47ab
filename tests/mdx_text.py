"""Reduce a documentation page to the text a reader sees, section by section.

Models what Docusaurus shows for an MDX page: the front matter's ``title`` as the page heading,
no ``import`` lines, only the default tab of each ``<Tabs>`` block, ``<CopyableCode code=...>``
as its code, tags and Markdown markup removed, character references decoded, badges (images)
gone. Pages are compared as lists of ``(heading, text)`` with all whitespace removed, so table
cells that a text rendering runs together compare equal to cells with spaces between them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

SITE_CHROME = ("Skip to main content",)
"""Lines a text rendering of the site has before the page itself."""

_BADGE = re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)|!\[[^\]]*\]\([^)]*\)")
_FENCE = re.compile(r"^(`{3,})[^\n]*\n(.*?)\n\1[ \t]*$", re.MULTILINE | re.DOTALL)
_TABS = re.compile(r"<Tabs\b([^>]*)>(.*?)</Tabs>", re.DOTALL)
_TAB_ITEM = re.compile(r"<TabItem\b([^>]*)>(.*?)</TabItem>", re.DOTALL)

Sections = list[tuple[str, str]]


def squash(text: str) -> str:
    """Text with every whitespace character removed."""
    return "".join(text.split())


def _default_tab(match: re.Match[str]) -> str:
    items = _TAB_ITEM.findall(match.group(2))
    chosen = re.search(r'defaultValue="([^"]*)"', match.group(1))
    for attrs, content in items:
        if chosen and re.search(rf'\bvalue="{re.escape(chosen.group(1))}"', attrs):
            return str(content)
    for attrs, content in items:
        if re.search(r"(^|\s)default(\s|$|=)", attrs):
            return str(content)
    return str(items[0][1]) if items else ""


def _inline(text: str, blocks: list[str]) -> str:
    """Markup removed from one section's body (code blocks restored verbatim)."""
    text = re.sub(r'<CopyableCode\s+code="([^"]*)"\s*/>', r"\1", text)
    text = re.sub(r"<br\s*/?>", "\n", text)
    text = _BADGE.sub("", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = re.sub(r"</?[A-Za-z][^<>]*>", "", text)  # tags
    text = re.sub(r"^\s*\|?(\s*:?-+:?\s*\|)+\s*:?-*:?\s*$", "", text, flags=re.MULTILINE)  # table rules
    text = re.sub(r"(?<!\\)\|", " ", text).replace("\\|", "|")
    text = text.replace("`", "").replace("**", "")
    text = html.unescape(text)
    return re.sub("\x00(\\d+)\x00", lambda m: blocks[int(m.group(1))], text)


def mdx_sections(source: str) -> Sections:
    """An MDX page as ``[(heading, text), ...]``; the first heading is the page title."""
    lines = source.splitlines()
    title = ""
    if lines and lines[0].strip() == "---":
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        front = lines[1:end]
        lines = lines[end + 1 :]
        hidden = any(re.fullmatch(r"hide_title:\s*true\s*", line) for line in front)
        for line in front:
            found = re.fullmatch(r"title:\s*(.*?)\s*", line)
            if found and not hidden:
                title = found.group(1).strip("'\"")
    body = "\n".join(line for line in lines if not re.match(r"(import|export)\s", line))
    blocks: list[str] = []

    def stash(match: re.Match[str]) -> str:
        blocks.append(match.group(2))
        return f"\x00{len(blocks) - 1}\x00"

    body = _FENCE.sub(stash, body)
    body = _TABS.sub(_default_tab, body)
    sections: Sections = []
    heading, current = title, []
    for line in body.splitlines():
        found = re.fullmatch(r"#{1,6}\s+(.*?)\s*#*\s*", line)
        if found:
            sections.append((heading, _inline("\n".join(current), blocks)))
            heading, current = _inline(found.group(1), blocks).strip(), []
        else:
            current.append(line)
    sections.append((heading, _inline("\n".join(current), blocks)))
    return sections


def text_sections(text: str, headings: Iterable[str]) -> Sections:
    """A text rendering as ``[(heading, text), ...]``: lines equal to one of ``headings`` start a
    section; the first line after the site chrome is the page title."""
    known = set(headings)
    lines = [line for line in text.splitlines()]
    while lines and (not lines[0].strip() or lines[0].strip() in SITE_CHROME):
        lines.pop(0)
    sections: Sections = []
    heading, current = (lines.pop(0).strip() if lines else ""), []
    for line in lines:
        if line.strip() in known:
            sections.append((heading, "\n".join(current)))
            heading, current = line.strip(), []
        else:
            current.append(line)
    sections.append((heading, "\n".join(current)))
    return sections


def squashed(sections: Sections) -> Sections:
    return [(squash(heading), squash(text)) for heading, text in sections]
