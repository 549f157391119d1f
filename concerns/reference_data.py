"""Reference data the app needs to work: the Derby and Derbyshire levels of need (R27, decision 7).

Written by a data migration, and again by load_demo (a test database emptied between browser tests loses it);
both call `ensure_levels_of_need`, which never overwrites a level an administrator has edited.
"""

LEVELS = [
    (
        "information_only",
        "Information only: no further action",
        "Recorded for the file; nothing more is needed now.",
        0,
        False,
    ),
    (
        "level_1",
        "Level 1: Low-level needs (universal services)",
        "Needs met by universal services and the school's pastoral support.",
        1,
        False,
    ),
    (
        "level_2",
        "Level 2: Emerging needs (early help)",
        "Early help: an Early Help Assessment and Team Around the Family; in Derby a Vulnerable Children Meeting.",
        2,
        False,
    ),
    (
        "level_3",
        "Level 3: Complex needs (targeted support or child in need)",
        "Targeted early help or children's social care: a child in need under section 17 of the Children Act 1989.",
        3,
        False,
    ),
    (
        "level_4",
        "Level 4: Serious or acute needs (child protection)",
        "Children's social care: the child is suffering, or likely to suffer, significant harm (section 47).",
        4,
        True,
    ),
]


def ensure_levels_of_need(level_model) -> int:
    """Adds any missing level; returns how many were added. `level_model` is the model (or its migration state)."""
    added = 0
    for code, label, description, order, is_cp in LEVELS:
        _, created = level_model.objects.get_or_create(
            code=code,
            defaults={"label": label, "description": description, "order": order, "is_child_protection": is_cp},
        )
        added += created
    return added
