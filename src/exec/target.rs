//! The server a run talks to and the credentials it uses.

use std::time::Duration;

/// Where requests go and how they are authenticated.
#[derive(Clone)]
pub struct Target {
    /// Base URL without a trailing slash; step paths are appended to it.
    pub base_url: String,
    /// The integration's API key (`X-AUTH-CLIENT`). Never printed.
    pub api_key: String,
    /// The shared secret for HMAC signatures. Never printed.
    pub shared_secret: String,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Whether the target is this tool's mock, whose controls `requires: [mock]` scenarios use.
    pub is_mock: bool,
    /// Whether plain `http://` to a host other than loopback is allowed.
    pub allow_insecure_http: bool,
    /// Opt-in API features turned on (`--feature`); the mock has them all.
    pub features: Vec<String>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("base_url", &self.base_url)
            .field("api_key", &"***")
            .field("shared_secret", &"***")
            .field("timeout", &self.timeout)
            .field("is_mock", &self.is_mock)
            .field("features", &self.features)
            .finish()
    }
}

/// Largest response body read; anything bigger is an error, not a check.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Checks that a URL is one the run may send credentials to: `https://`
/// anywhere, `http://` only to loopback unless `allow_insecure_http`.
pub fn check_url(url: &str, allow_insecure_http: bool) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" => {
            let host = parsed.host_str().unwrap_or("");
            let loopback = host.eq_ignore_ascii_case("localhost")
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if loopback || allow_insecure_http {
                Ok(parsed)
            } else {
                Err(format!(
                    "refusing to send credentials in clear text to {url}: use https://, or pass --allow-insecure-http if you mean it"
                ))
            }
        }
        other => Err(format!(
            "`{url}` uses {other}://; only http:// and https:// are supported"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_go_over_https_anywhere_and_over_http_only_to_loopback_unless_allowed() {
        assert!(check_url("https://stationapi.veriff.com", false).is_ok());
        assert!(check_url("http://127.0.0.1:8080", false).is_ok());
        assert!(check_url("http://localhost:8080", false).is_ok());
        assert!(check_url("http://[::1]:8080", false).is_ok());
        assert!(
            check_url("http://example.com", false)
                .unwrap_err()
                .contains("--allow-insecure-http")
        );
        assert!(check_url("http://example.com", true).is_ok());
        assert!(check_url("ftp://example.com", true).is_err());
        assert!(check_url("not a url", false).is_err());
    }
}
