"""Import of 绩效目标表 from XLSX workbooks (issue 12, items 3–5).

Three steps, each in its own module: `workbook` opens an upload safely and turns each sheet
into plain cells (no Django); `parser` finds the tables in those cells by their printed labels
(no database); `services` checks the parsed tables as unsaved rows and saves them, all or
nothing, as drafts of the user's organisation.
"""
