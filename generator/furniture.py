"""Page furniture as artifacts: running headers, page numbers and marking banners.

WeasyPrint 70 tags the text of page-margin boxes as ordinary marked content (``/Span``
with an MCID) but leaves its structure elements out of the structure tree, because PDF
before 2.0 has no artifact node in the tree. PDF/UA-1 wants such content marked as an
artifact in the content stream instead, so that screen readers skip it rather than meet
text that belongs to no element. ``mark_furniture`` runs as WeasyPrint's ``finisher``
(its hook for changing the PDF before it is written) and does exactly that: every MCID
whose element is unreachable from the structure tree becomes a ``/Pagination`` artifact,
and its parent-tree entry becomes null.
"""

from __future__ import annotations

from generator.errors import BuildError

ARTIFACT = "/Artifact"


def mark_furniture(document, pdf) -> None:
    """Re-mark the page-margin content of a tagged PDF as pagination artifacts."""
    import pydyf

    if "StructTreeRoot" not in pdf.catalog:
        return  # untagged: nothing is marked as content
    root = _resolve(pdf, pdf.catalog["StructTreeRoot"])
    reachable = _reachable(pdf, root)
    nums = _resolve(pdf, root["ParentTree"])["Nums"]
    for index in range(0, len(nums), 2):
        page_number, parents = nums[index], nums[index + 1]
        if not isinstance(parents, pydyf.Array):
            continue  # an annotation's entry, not a page's
        orphans = {mcid for mcid, ref in enumerate(parents) if _number(ref) not in reachable}
        if not orphans:
            continue
        page = _resolve(pdf, pdf.page_references[page_number])
        _artifact_marked_content(_resolve(pdf, page["Contents"]), orphans)
        for mcid in orphans:
            parents[mcid] = "null"


def _artifact_marked_content(stream, mcids: set[int]) -> None:
    """Turn ``/Tag <</MCID n>> BDC`` into ``/Artifact <</Type /Pagination>> BDC`` for n in
    mcids. pydyf keeps a stream as a list: tag, property list, operator."""
    import pydyf

    ops = stream.stream
    found = set()
    for i, item in enumerate(ops):
        if isinstance(item, pydyf.Dictionary) and item.get("MCID") in mcids \
                and i + 1 < len(ops) and ops[i + 1] == b"BDC":
            found.add(item["MCID"])
            ops[i - 1] = ARTIFACT
            ops[i] = pydyf.Dictionary({"Type": "/Pagination"})
    if found != mcids:  # e.g. margin content drawn in a group XObject: say so, never hide it
        raise BuildError(f"page furniture (marked content {sorted(mcids - found)}) could not "
                         "be marked as artifacts: is a page-margin box transparent or "
                         "transformed? Draw it plainly")


def _reachable(pdf, root) -> set[int]:
    """Return the object numbers of every structure element in the tree."""
    seen: set[int] = set()
    todo = list(root["K"])
    while todo:
        number = _number(todo.pop())
        if number is None or number in seen:
            continue
        seen.add(number)
        element = pdf.objects[number]
        kids = element.get("K", ()) if hasattr(element, "get") else ()
        todo += [kid for kid in kids if isinstance(kid, bytes)]
    return seen


def _number(reference) -> int | None:
    """Return the object number of a reference such as b'12 0 R' (None for an MCID)."""
    if isinstance(reference, bytes) and reference.endswith(b" R"):
        return int(reference.split()[0])
    return None


def _resolve(pdf, reference):
    return pdf.objects[_number(reference)]
