"""The target table as a feature: editor, table checks, acknowledgements, list and review."""
