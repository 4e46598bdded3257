"""evaluation: comes with a later issue."""
