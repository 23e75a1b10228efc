//! Values the caller of a run gives its scenarios as `${run.NAME}`, beyond
//! `run.base_url`: the URLs of a webhook receiver, say. A scenario that
//! requires one the run was not given (`requires: [run.NAME]`) is ignored,
//! with the flag that would give it.

/// One value a run gives its scenarios as `${run.NAME}`.
///
/// ```
/// use veriff_conformance::{Given, RunValue};
///
/// let url = RunValue::new("event_url", "--event-url", Given::Missing);
/// assert_eq!(url.name, "event_url");
/// assert!(url.value_for(0).is_none());
/// let ids = RunValue::new(
///     "session_id",
///     "--session-id",
///     Given::InTurn(vec!["a".into(), "b".into()]),
/// );
/// assert_eq!(
///     [ids.value_for(0), ids.value_for(1), ids.value_for(2)],
///     [Some("a".to_string()), Some("b".to_string()), Some("a".to_string())],
/// );
/// ```
#[derive(Debug, Clone)]
pub struct RunValue {
    /// The name after `run.`.
    pub name: String,
    /// The command-line flag that gives it, named when a scenario is ignored for want of it.
    pub flag: String,
    /// What each scenario sees.
    pub given: Given,
}

/// What a [`RunValue`] is in each scenario.
///
/// ```
/// use veriff_conformance::{Given, RunValue};
/// let url = RunValue::new("hook_url", "--hook-url", Given::Text("https://hooks.example.test/a".into()));
/// assert_eq!(url.value_for(7).as_deref(), Some("https://hooks.example.test/a"));
/// assert!(!RunValue::new("hook_url", "--hook-url", Given::Missing).is_given());
/// ```
#[derive(Debug, Clone)]
pub enum Given {
    /// Not given: scenarios that require it are ignored.
    Missing,
    /// The same text in every scenario.
    Text(String),
    /// One of these in each scenario, in turn (scenarios are started in
    /// order, so the first gets the first); never empty.
    InTurn(Vec<String>),
    /// A fresh UUID v4 in each scenario, the same for all its steps.
    FreshUuid,
}

impl RunValue {
    /// A value named `name`, given by `flag`.
    pub fn new(name: impl Into<String>, flag: impl Into<String>, given: Given) -> Self {
        RunValue {
            name: name.into(),
            flag: flag.into(),
            given,
        }
    }

    /// Whether the run has it.
    pub fn is_given(&self) -> bool {
        !matches!(&self.given, Given::Missing)
            && !matches!(&self.given, Given::InTurn(list) if list.is_empty())
    }

    /// What the `turn`-th scenario started sees, if the run has the value.
    pub fn value_for(&self, turn: usize) -> Option<String> {
        match &self.given {
            Given::Missing => None,
            Given::Text(text) => Some(text.clone()),
            Given::InTurn(list) if list.is_empty() => None,
            Given::InTurn(list) => Some(list[turn % list.len()].clone()),
            Given::FreshUuid => Some(uuid::Uuid::new_v4().to_string()),
        }
    }
}

/// Why a scenario that needs `required` values is ignored in a run that has
/// `values`, if it is: the ones missing, with the flags that would give them.
pub fn missing<'a>(values: &[RunValue], required: impl Iterator<Item = &'a str>) -> Option<String> {
    let missing: Vec<(&str, &str)> = required
        .filter(|name| !values.iter().any(|v| v.name == *name && v.is_given()))
        .map(|name| {
            let flag = values
                .iter()
                .find(|v| v.name == name)
                .map_or("", |v| v.flag.as_str());
            (name, flag)
        })
        .collect();
    // The user's flag where one gives the value; the spec's name where none does.
    (!missing.is_empty()).then(|| {
        let parts: Vec<String> = missing
            .iter()
            .map(|(name, flag)| match *flag {
                "" => {
                    format!("run.{name} (requires: [run.{name}]), which this command does not give")
                }
                flag => flag.to_string(),
            })
            .collect();
        format!("needs {}", parts.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_value_ignores_with_the_flag_that_gives_it() {
        let values = [
            RunValue::new("decision_url", "--decision-url", Given::Text("x".into())),
            RunValue::new("event_url", "--event-url", Given::Missing),
        ];
        assert_eq!(missing(&values, ["decision_url"].into_iter()), None);
        assert_eq!(
            missing(&values, ["decision_url", "event_url"].into_iter()).unwrap(),
            "needs --event-url"
        );
        assert_eq!(
            missing(&values, ["event_url", "other"].into_iter()).unwrap(),
            "needs --event-url, run.other (requires: [run.other]), which this command does not give"
        );
    }

    #[test]
    fn a_fresh_uuid_differs_from_scenario_to_scenario() {
        let v = RunValue::new("session_id", "--session-id", Given::FreshUuid);
        let (a, b) = (v.value_for(0).unwrap(), v.value_for(0).unwrap());
        assert_ne!(a, b);
        assert!(uuid::Uuid::parse_str(&a).is_ok());
        assert!(!RunValue::new("x", "--x", Given::InTurn(vec![])).is_given());
    }
}
