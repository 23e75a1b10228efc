//! `expect.body_base64`: the body must be exactly these bytes (a binary body,
//! such as a downloaded medium, that no JSON expectation can describe).

use super::{CheckKind, Mismatch};
use crate::record::exchange::Response;
use crate::scenario::model::Located;

/// The mismatch, if the body is not exactly `expected`: the lengths, and the
/// first byte that differs.
pub fn check(expected: &Located<Vec<u8>>, response: &Response) -> Option<Mismatch> {
    let (want, got) = (&expected.value, &response.body);
    if want == got {
        return None;
    }
    let first = want.iter().zip(got).position(|(a, b)| a != b);
    let actual = match first {
        Some(i) => format!(
            "{} bytes, which differ from byte {i} on (0x{:02x}, not 0x{:02x})",
            got.len(),
            got[i],
            want[i]
        ),
        None => format!(
            "{} bytes, the first {} of them as expected",
            got.len(),
            want.len().min(got.len())
        ),
    };
    Some(Mismatch {
        check: CheckKind::Body,
        path: "$".into(),
        expected: format!("exactly the {} bytes of body_base64", want.len()),
        actual,
        at: expected.at.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_bytes_pass_and_other_bytes_say_where_they_first_differ() {
        let expected = Located {
            value: vec![0xff, 0xd8, 0xff],
            at: 0..1,
        };
        let same = Response::new(200, vec![], vec![0xff, 0xd8, 0xff]);
        assert!(check(&expected, &same).is_none());
        let other = Response::new(200, vec![], vec![0xff, 0xd8, 0x00]);
        let m = check(&expected, &other).unwrap();
        assert_eq!(
            m.actual,
            "3 bytes, which differ from byte 2 on (0x00, not 0xff)"
        );
    }
}
