//! The lifecycle rules: session statuses, their decision codes, which
//! transitions each allows, and the test integration's decision trick
//! (docs/veriff-api.md, sections 6 and 7).

/// Session (and attempt) statuses (docs/veriff-api.md, section 6.1 [DOC]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Created,
    Started,
    Submitted,
    Approved,
    Declined,
    ResubmissionRequested,
    Review,
    Expired,
    Abandoned,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Started => "started",
            Status::Submitted => "submitted",
            Status::Approved => "approved",
            Status::Declined => "declined",
            Status::ResubmissionRequested => "resubmission_requested",
            Status::Review => "review",
            Status::Expired => "expired",
            Status::Abandoned => "abandoned",
        }
    }

    /// The decision statuses, by name (for the mock's decision control).
    pub(crate) fn decision(name: &str) -> Option<Status> {
        [
            Status::Approved,
            Status::Declined,
            Status::ResubmissionRequested,
            Status::Review,
            Status::Expired,
            Status::Abandoned,
        ]
        .into_iter()
        .find(|status| status.as_str() == name)
    }

    /// Decision code (docs/veriff-api.md, section 6.1 [DOC] status table;
    /// `abandoned` and `expired` share 9104, `review` is 9121).
    pub(crate) fn code(self) -> Option<u16> {
        match self {
            Status::Approved => Some(9001),
            Status::Declined => Some(9102),
            Status::ResubmissionRequested => Some(9103),
            Status::Expired | Status::Abandoned => Some(9104),
            Status::Review => Some(9121),
            Status::Created | Status::Started | Status::Submitted => None,
        }
    }

    /// Media may be added and the session submitted: `created` or `started`
    /// (PATCH page), or `resubmission_requested`, which lets the user redo the
    /// flow in the same session (docs/veriff-api.md, section 6.1 [DOC]).
    pub(crate) fn open_for_input(self) -> bool {
        matches!(
            self,
            Status::Created | Status::Started | Status::ResubmissionRequested
        )
    }

    /// Opening the session URL starts the flow: from `created`, or again after
    /// a resubmission request.
    pub(super) fn opens_on_visit(self) -> bool {
        matches!(self, Status::Created | Status::ResubmissionRequested)
    }

    /// Deletable statuses, newest DELETE page text (docs/veriff-api.md, section
    /// 4.3 [DOC]): everything but `submitted` and `review` (the older text also
    /// listed `review`; the newest does not).
    pub(super) fn deletable(self) -> bool {
        !matches!(self, Status::Submitted | Status::Review)
    }

    /// Whether the decision control may move a session from `self` to
    /// `outcome` (the state machine of docs/veriff-api.md, section 6.3):
    /// `approved`, `declined`, `resubmission_requested` and `review` need a
    /// `submitted` session (or one in `review`); `expired` needs `created`;
    /// `abandoned` needs `started` or `resubmission_requested`.
    pub(super) fn can_be_decided(self, outcome: Status) -> bool {
        match outcome {
            Status::Approved
            | Status::Declined
            | Status::ResubmissionRequested
            | Status::Review => matches!(self, Status::Submitted | Status::Review),
            Status::Expired => self == Status::Created,
            Status::Abandoned => {
                matches!(self, Status::Started | Status::ResubmissionRequested)
            }
            Status::Created | Status::Started | Status::Submitted => false,
        }
    }
}

/// The test-integration decision trick (docs/veriff-api.md, section 7
/// [DOC-old]): this value of `verification.person.firstName` decides the
/// session when it is submitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Trick {
    Approve,
    Decline,
    Resubmit,
}

impl Trick {
    /// Exact, case-sensitive match of the documented words.
    pub(crate) fn from_first_name(name: Option<&str>) -> Option<Trick> {
        match name? {
            "Approve" => Some(Trick::Approve),
            "Decline" => Some(Trick::Decline),
            "Resubmit" => Some(Trick::Resubmit),
            _ => None,
        }
    }

    pub(super) fn outcome(self) -> Status {
        match self {
            Trick::Approve => Status::Approved,
            Trick::Decline => Status::Declined,
            Trick::Resubmit => Status::ResubmissionRequested,
        }
    }
}

/// docs/veriff-api.md, section 6.1 [DOC]: "9 resubmissions; the 10th attempt
/// is auto-declined with reason code 539".
pub(crate) const MAX_ATTEMPTS: usize = 10;
