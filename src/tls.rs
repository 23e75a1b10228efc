//! TLS for every HTTP client the library builds: rustls on ring, with server
//! certificates verified against the system's roots (reqwest's
//! rustls-platform-verifier). reqwest is built without a crypto provider, so
//! the process's provider is installed here, once, before any client.

use std::sync::Once;

/// Installs ring as the process's rustls crypto provider, once. A provider
/// the embedding program installed first is kept. Call it before building a
/// `reqwest::Client` of your own (the library's clients call it themselves).
pub fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // An error means a provider is already installed: that one serves.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A `reqwest` client builder, with the crypto provider installed.
pub fn client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
}
