"""Forms for drafting notices (`notices`) and editing allocation tables (`allocation_tables`).

Forms parse and validate input at the field; the services re-check what the database and
the user's scope decide (duplicates, recipients, concurrency) and their errors are put back
on the same fields, with the user's input kept.
"""
