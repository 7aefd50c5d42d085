"""Writes of fund notices and allocation tables, one module per noun.

- `notices`: who may draft, and drafting (text, recipients, budget lines, attachments);
- `numbering`: document numbers (发文字号) and the issuer's yearly sequence;
- `issuing`: issuing a checked draft and creating the recipients' draft target tables;
- `allocation_tables`: allocation tables, their columns, rows, cells and standards.

The checks before issuing are reads and live in `allocations.checks`.
"""
