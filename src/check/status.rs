//! `expect.status`.

use super::{CheckKind, Mismatch};
use crate::scenario::model::{Located, StatusExpect};

/// The status mismatch, if any.
pub fn check(expected: &Located<StatusExpect>, actual: u16) -> Option<Mismatch> {
    (!expected.value.accepts(actual)).then(|| Mismatch {
        check: CheckKind::Status,
        path: String::new(),
        expected: expected.value.to_string(),
        actual: actual.to_string(),
        at: expected.at.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_class_accepts_any_code_in_it() {
        let class = Located {
            value: StatusExpect::Class(4),
            at: 0..1,
        };
        assert!(check(&class, 401).is_none());
        assert!(check(&class, 499).is_none());
        let m = check(&class, 500).unwrap();
        assert_eq!((m.expected.as_str(), m.actual.as_str()), ("4xx", "500"));
    }

    #[test]
    fn a_list_accepts_each_of_its_codes() {
        let list = Located {
            value: StatusExpect::AnyOf(vec![200, 201]),
            at: 0..1,
        };
        assert!(check(&list, 201).is_none());
        assert_eq!(check(&list, 204).unwrap().expected, "200 or 201");
    }

    #[test]
    fn a_single_code_accepts_only_itself_and_reports_the_code_received() {
        let expected = Located {
            value: StatusExpect::AnyOf(vec![400]),
            at: 0..3,
        };
        assert!(check(&expected, 400).is_none());
        assert_eq!(check(&expected, 200).unwrap().actual, "200");
    }
}
