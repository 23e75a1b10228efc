//! A duration as a message shows it: seconds with one decimal from a second
//! up, whole milliseconds below, and tenths of a millisecond below 10 ms, so
//! that a sub-second budget never reads `0.0 s`.

use std::time::Duration;

/// `d` for a message.
///
/// ```
/// use std::time::Duration;
/// use veriff_conformance::duration_text;
/// assert_eq!(duration_text(Duration::from_millis(6200)), "6.2 s");
/// assert_eq!(duration_text(Duration::from_millis(250)), "250 ms");
/// assert_eq!(duration_text(Duration::from_micros(1400)), "1.4 ms");
/// ```
pub fn duration_text(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if d >= Duration::from_secs(1) {
        format!("{:.1} s", d.as_secs_f64())
    } else if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sub_second_duration_is_shown_in_milliseconds_and_never_as_zero_seconds() {
        assert_eq!(duration_text(Duration::from_millis(1)), "1.0 ms");
        assert_eq!(duration_text(Duration::from_micros(300)), "0.3 ms");
        assert_eq!(duration_text(Duration::from_millis(999)), "999 ms");
        assert_eq!(duration_text(Duration::from_secs(1)), "1.0 s");
        assert_eq!(duration_text(Duration::from_secs(5)), "5.0 s");
    }
}
