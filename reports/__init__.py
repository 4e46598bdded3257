"""Steering dashboard, bilan campaign and the annual bilan for the CAF. Reads every other app; none imports it."""
