"""The changes to children's records, one module per stage of a case (see each module's docstring).

During the move every public name is also importable from here; callers are being pointed at the stage modules."""

from concerns.selectors import (  # noqa: F401
    available_dsl_team,
    has_cp_file,
    is_away,
    is_child_on_child_case,
    overdue_actions,
    senior_leaders,
)

from .actions import (  # noqa: F401
    CHILD_ON_CHILD_SEXUAL,
    FOLLOW_UP_HOURS,
    RISK_ASSESSMENT_REVIEW_DAYS,
    RISK_ASSESSMENTS,
    TRANSFER_TASKS,
    action_add,
    action_complete,
    action_reassign,
    apply_rules,
    la_decision_record,
    mark_done,
    open_action,
)
from .alerting import (  # noqa: F401
    acknowledged_summary,
    alert_on_raise,
    availability_set,
    concern_acknowledge,
    concern_escalate_if_unacknowledged,
    cover_shift_add,
    cover_shift_end,
    escalation_due,
)
from .chronology import as_sentence, category_labels, chronicle, refuse_if_closed  # noqa: F401
from .leaving import (  # noqa: F401
    DESTINATION_WORDS,
    NOTIFY_LA_DESTINATIONS,
    SHARE_BEFORE_LEAVING_FLAGS,
    SOCIAL_WORKER_FLAGS,
    PupilEventResult,
    pupil_event_record,
    social_workers_text,
)
from .pupil_file import flag_end, pupil_profile_add, save_profile_record  # noqa: F401
from .raising import (  # noqa: F401
    ConcernInput,
    PoliceNotificationInput,
    UploadedFile,
    addendum_add,
    concern_raise,
    draft_discard,
    draft_save,
    is_late,
)
from .records import (  # noqa: F401
    attachment_add,
    child_voice_record,
    disagreement_record,
    information_share_record,
    meeting_record,
    mirror_decide,
    mirror_default_summary,
    parent_contact_record,
    staff_note_share,
)
from .transfers import (  # noqa: F401
    file_transfer_confirmation_sent,
    file_transfer_receipt_confirmed,
    file_transfer_received,
    file_transfer_sent,
    transfer_out_open,
)
from .triage import (  # noqa: F401
    ConcurrentEdit,
    TriageInput,
    concern_assign,
    concern_close,
    concern_reopen,
    concern_triage,
    decision_record,
)
