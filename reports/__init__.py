"""reports: comes with a later issue."""
