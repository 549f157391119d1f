"""The changes to children's records, one module per stage of a case. Each function is one transaction that also
writes its alerts and queues its jobs, so a record and the news of it commit (or fail) together.

- `chronology`: the shared kernel: the chronology line, category labels, the closed-concern guard (R52, R54)
- `pupil_file`: the child's flags and key people (R48–R50)
- `actions`: actions and their statutory deadlines, the local authority's decision (R28–R35, R39)
- `alerting`: alerts, escalation, acknowledging, time away, the cover rota (R19–R22)
- `raising`: a concern as its author sends it, back-entry, addenda, drafts (R1–R16, R23, R24)
- `records`: parents, the child's voice, sharing, meetings, disagreements, staff notes, mirrors (R36–R47)
- `triage`: triage, decisions, assigning, closing and reopening (R25–R27, R40)
- `transfers`: the CP file sent to the next school and received from the last (R55, R58)
- `leaving`: a child leaving, due to leave or missing, and the tasks that sets (R38, R56, R57)

Each module imports only modules above it in this list, so there is no cycle (tests/test_layering.py keeps it so).
Callers import the stage module (`from concerns.services import raising`); reads are in `concerns.selectors` and
the rules in `safeguarding.access`.
"""
