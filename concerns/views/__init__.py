"""The children's app's views, one module per stage of a case. concerns/urls.py imports each from its module:

- raising: raising a concern, the pupil type-ahead, drafts, and the DSL team's back entry (verbal, paper, police);
- reporter: My concerns and the author's receipt;
- queue: the alert queue, assigning, availability and the cover rota;
- concern: the concern page, acknowledging, triage, decisions, closing and reopening;
- dsl_desk: records, mirrors, notes for staff, attachments and actions on a concern;
- pupil_file: pupil lookup, the child's file, its additions and its PDF;
- transfers: the steps of a CP file transfer, shown and posted on the child's file;
- _common: helpers several of them use."""
