"""The trustees' termly safeguarding report (R87–R89): anonymised counts, protected against small numbers and
subtraction (suppression.py), with charts and a PDF. It reads the other apps' records; it holds none of its own
except the annual assurance dates (safeguarding.models.AssuranceCheck)."""
