"""The category picker (requirements.md part (b), from policy Sections 1, 2, 6 and 7): groups, codes and labels.

Codes are stored on concerns; labels may be reworded without touching records. A concern takes one or more codes
(R9); "other" needs the person to say what.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    group: str
    suggests_immediate: bool = False  # R13: choosing it proposes the Immediate alert


@dataclass(frozen=True)
class Group:
    code: str
    label: str
    categories: tuple[Category, ...]


def _group(code: str, label: str, *items: tuple) -> Group:
    return Group(code, label, tuple(Category(c, lab, code, *rest) for c, lab, *rest in items))


GROUPS: tuple[Group, ...] = (
    _group(
        "abuse_neglect",
        "Abuse and neglect",
        ("physical_abuse", "Physical abuse", True),
        ("emotional_abuse", "Emotional abuse"),
        ("sexual_abuse", "Sexual abuse", True),
        ("neglect", "Neglect"),
        ("injury_marks", "Unexplained injury, marks or bruising", True),
    ),
    _group(
        "child_on_child",
        "Child-on-child",
        ("bullying", "Bullying (including online)"),
        ("bullying_prejudice", "Prejudice-based bullying (racist, disability, homophobic, transphobic)"),
        ("intimate_relationship_abuse", "Abuse in children's intimate relationships"),
        ("physical_abuse_by_child", "Physical abuse by a child"),
        ("sexual_violence", "Sexual violence (rape, assault by penetration, sexual assault)", True),
        ("sexual_harassment", "Sexual harassment (including online, misogynistic or misandrist messages)"),
        ("sexual_activity_without_consent", "Causing someone to engage in sexual activity without consent", True),
        ("initiation_hazing", "Initiation or hazing"),
        ("harmful_sexual_behaviour", "Harmful sexual behaviour"),
        ("gender_based_violence", "Gender-based violence / violence against women and girls"),
    ),
    _group(
        "images_online",
        "Images and online",
        ("nudes", "Sharing nudes or semi-nudes (consensual or not, including coercion)", True),
        ("upskirting", "Upskirting or downblousing"),
        ("online_grooming", "Online grooming (sexual, exploitation, radicalisation)", True),
        ("adult_sexual_communication", "An adult sexually communicating with a child", True),
        ("inappropriate_content", "Accessing or generating inappropriate content"),
        ("cybercrime", "Cybercrime"),
        ("misinformation", "Misinformation, disinformation or conspiracy theories"),
    ),
    _group(
        "exploitation_violence",
        "Exploitation and violence",
        ("cse", "Child sexual exploitation", True),
        ("cce", "Child criminal exploitation, including county lines", True),
        ("serious_violence", "Gang activity, serious violence or knife crime", True),
        ("trafficking", "Modern slavery or trafficking", True),
    ),
    _group(
        "extremism",
        "Extremism",
        ("radicalisation", "Radicalisation or extremist behaviour (including right-wing extremism)", True),
    ),
    _group(
        "home_family",
        "Home and family",
        ("domestic_abuse", "Domestic abuse (including a police notification)", True),
        ("risk_in_household", "A person posing a risk living in the household", True),
        ("parental_substance_mental_health", "Parental substance use or mental health"),
        ("private_fostering", "Private fostering", True),
        ("homelessness", "Homelessness or temporary accommodation"),
        ("fabricated_illness", "Fabricated or induced illness, or perplexing presentations"),
    ),
    _group(
        "harmful_practices",
        "Harmful practices",
        ("fgm", "Female genital mutilation (FGM)", True),
        ("forced_marriage", "Forced marriage", True),
        ("under_18_marriage", "Marriage or civil partnership under 18", True),
        ("honour_based_abuse", "So-called honour-based abuse", True),
        ("breast_ironing", "Breast ironing", True),
        ("virginity_testing", "Virginity testing or hymenoplasty", True),
    ),
    _group(
        "health_wellbeing",
        "Health and wellbeing",
        ("self_harm", "Self-harm or suicidal thoughts", True),
        ("mental_health", "Mental health"),
        ("substance_use", "Substance use (drugs or alcohol) by the child"),
    ),
    _group(
        "education_absence",
        "Education and absence",
        ("absence", "Unexplained or persistent absence, or a change in attendance"),
        ("missing_education", "Child missing education"),
        ("missing_from_home", "Missing from home or care", True),
        ("elective_home_education", "Intention to electively home educate"),
    ),
    _group(
        "other",
        "Other",
        ("search_finding", "Searching incident (prohibited item or safeguarding risk found)", True),
        ("behaviour_change", "Worrying change in behaviour or presentation"),
        ("other", "Other (say what)"),
    ),
)

BY_CODE: dict[str, Category] = {c.code: c for g in GROUPS for c in g.categories}
CHOICES: list[tuple[str, str]] = [(c.code, c.label) for g in GROUPS for c in g.categories]
NUDES = "nudes"
OTHER = "other"


def label(code: str) -> str:
    return BY_CODE[code].label if code in BY_CODE else code


def codes_in_group(group: str) -> list[str]:
    return [c.code for g in GROUPS if g.code == group for c in g.categories]
