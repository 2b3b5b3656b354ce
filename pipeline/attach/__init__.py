"""Attachments (添付書類): the scans staff put beside the workbook, checked and made into packets.

The stage between reading a case and writing its packets (docs/attachments.md):

- ``intake``  the folder named after the 案件番号 → files judged by content (``take_in``)
- ``sheet``   the optional 添付 sheet → which file goes to whom under which 書類名 (pure)
- ``clean``   one file's bytes → a new, inert PDF (qpdf via pikepdf; images via Pillow)
- ``sandbox`` ``clean`` for a case's files in a child process with time and memory limits
  (``child`` is that process, ``frame`` their messages)
- ``packet``  (title, PDF) parts → one PDF with a bookmark per part (送付書類一式)
- ``case``    the stage for one case: ``gather_attachments`` → what each creditor encloses

This stage reads files (unlike read/compute/documents) but decides in pure functions over bytes.
Importing the package imports none of its modules: the checking child loads only what it needs.
"""
