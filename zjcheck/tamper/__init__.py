"""Signs of editing (issue 21): what a reviewer should look at twice.

Findings TMP001–TMP005 are warnings for a human, never errors: they say
what was seen and where ("请核对原件"), not that anyone cheated.

Two halves, like the rest of zjcheck:

- worker side (`inspect.py`, run in the reading worker processes, bounded by
  zjcheck.limits): per page, what an edit can leave behind and is cheap and
  certain to read offline — barcodes and their payloads (`codes.py`), a PDF's
  revisions, signatures, producer and dates, text drawn over a covering box,
  type faces of label/value lines (`pdf.py`), image metadata and JPEG
  quantisation (`image.py`), normalised seal crops (`seals.py`).  The result
  is `PageText.marks` (a plain dict), kept in its own cache entry so that
  the page cache (OCR) is not invalidated.
- main side (`checks/tamper.py`, the plugin): which of those observations
  is a finding, given what the page is (a system-generated 备案表, a scan of
  a certificate) and what was printed on it.
"""
