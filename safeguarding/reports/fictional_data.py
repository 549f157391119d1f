"""The fixed tables the fictional history is drawn from (fictional.py, fictional_concerns.py): how often each kind of
concern comes up and how serious each turns out, what the local authority decides about a referral to children's
social care by its level (R30), which child-on-child categories are sexual (they call for risk assessments), how
many pupils have each plan or status, and the fictional schools CP files go to and come from. The pupils' names are
the demo's own lists (concerns.demo_pupils). Nothing here is used on real data."""

from __future__ import annotations

import uuid

from concerns.models import FlagKind, LaOutcome

NAMESPACE = uuid.UUID("0c2f6a54-8d1e-4b7a-a3f5-6e21c9b4d870")

# How often each kind of concern comes up (roughly a secondary school's mix), and how serious each turns out.
GROUP_WEIGHTS = {
    "abuse_neglect": 22,
    "child_on_child": 18,
    "health_wellbeing": 16,
    "home_family": 14,
    "education_absence": 10,
    "images_online": 8,
    "exploitation_violence": 4,
    "other": 4,
    "harmful_practices": 2,
    "extremism": 2,
}
LEVEL_WEIGHTS = {"information_only": 14, "level_1": 34, "level_2": 26, "level_3": 16, "level_4": 10}
# What the local authority decides about a referral to children's social care (R30), by the level it was made at.
LA_OUTCOME_WEIGHTS: dict[str, dict[str, int]] = {
    "level_4": {
        LaOutcome.SECTION_47: 55,
        LaOutcome.SECTION_17: 25,
        LaOutcome.EARLY_HELP: 5,
        LaOutcome.NO_FURTHER_ACTION: 10,
        LaOutcome.OTHER: 5,
    },
    "level_3": {
        LaOutcome.SECTION_47: 10,
        LaOutcome.SECTION_17: 35,
        LaOutcome.EARLY_HELP: 30,
        LaOutcome.NO_FURTHER_ACTION: 20,
        LaOutcome.OTHER: 5,
    },
}
SEXUAL_CHILD_ON_CHILD = ("sexual_harassment", "harmful_sexual_behaviour", "sexual_violence")


FLAG_SHARES = {
    FlagKind.CHILD_PROTECTION: 0.025,
    FlagKind.CHILD_IN_NEED: 0.04,
    FlagKind.LOOKED_AFTER: 0.02,
    FlagKind.PREVIOUSLY_LOOKED_AFTER: 0.012,
    FlagKind.EARLY_HELP: 0.05,
}


FICTIONAL_SCHOOLS = ("Brookfield Academy", "Meadowbank School", "Oakley Vale School", "St Cuthbert's High School")
