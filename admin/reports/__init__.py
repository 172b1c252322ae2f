"""The admin reports, one module each: usage, cost, unanswered questions, the project inventory.

Each module computes a report as a pydantic model (the JSON the dashboard reads) and flattens it
into a table for ``export`` (CSV with a BOM, or XLSX). ``common`` holds Japan-time date ranges,
the bots a caller may see, and how rates are rounded. The endpoints are in ``admin/api/reports.py``.
"""
