"""The children's app's forms, one module per stage of a case. Import them from their module, never from here:

- checks: names not initials, uploads by their bytes, dates not in the future (shared by the others);
- raising: the raise form, drafts' keys, addenda, and the DSL team's back entry;
- queue: the cover rota;
- concern: triage, decisions, closing and reopening;
- dsl_desk: records, notes for staff, attachments and actions on a concern;
- pupil_file: flags, key people and leaving on the child's file;
- transfers: the CP file sent and received."""
