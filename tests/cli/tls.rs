//! TLS as a user meets it: the client (rustls on ring) verifies a server's
//! certificate against the system's roots. The server here is a local
//! rustls server whose certificate a test CA signed (`tests/fixtures/tls/`);
//! `SSL_CERT_FILE`, which the system roots are read through, adds that CA.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::support::{bin, text};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls");

/// Veriff's answer to a missing API key: the preflight stops the run there.
const REJECTED: &str = r#"{"status":"fail","code":"1801","message":"Mandatory X-AUTH-CLIENT header containing the API key is missing from the request."}"#;

/// A TLS server on 127.0.0.1 that answers every request with a 401 of
/// [`REJECTED`];
/// returns its port and the count of requests it read over TLS.
fn serve_tls() -> (u16, Arc<AtomicUsize>) {
    let certs = CertificateDer::pem_file_iter(Path::new(FIXTURES).join("server.pem"))
        .expect("the server certificate")
        .collect::<Result<Vec<_>, _>>()
        .expect("PEM");
    let key = PrivateKeyDer::from_pem_file(Path::new(FIXTURES).join("server.key")).expect("key");
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("a server config"),
    );
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("its address").port();
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&requests);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let Ok(connection) = rustls::ServerConnection::new(Arc::clone(&config)) else {
                continue;
            };
            let mut tls = rustls::StreamOwned::new(connection, stream);
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            // A failed handshake (the client refused the certificate) ends here.
            while !head.ends_with(b"\r\n\r\n") && tls.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            if head.ends_with(b"\r\n\r\n") {
                counted.fetch_add(1, Ordering::SeqCst);
                let answer = format!(
                    "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{REJECTED}",
                    REJECTED.len()
                );
                let _ = tls.write_all(answer.as_bytes());
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
        }
    });
    (port, requests)
}

fn run_against(port: u16, cert_file: Option<&Path>) -> std::process::Output {
    let mut cmd = bin();
    cmd.args(["run", "--base-url", &format!("https://127.0.0.1:{port}")])
        .args(["--api-key", "tls-key", "--shared-secret", "tls-secret"]);
    cmd.env_remove("SSL_CERT_DIR");
    match cert_file {
        Some(file) => cmd.env("SSL_CERT_FILE", file),
        None => cmd.env_remove("SSL_CERT_FILE"),
    };
    cmd.output().expect("the binary runs")
}

#[test]
fn a_server_whose_certificate_the_system_roots_do_not_trust_is_refused() {
    let (port, requests) = serve_tls();
    let output = run_against(port, None);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(out.contains("cannot reach the base URL"), "{out}");
    assert!(out.contains("certificate"), "the TLS error is named: {out}");
    assert_eq!(
        requests.load(Ordering::SeqCst),
        0,
        "no request is sent over an unverified connection: {out}"
    );
}

#[test]
fn a_server_whose_certificate_a_trusted_root_signed_is_reached_over_tls() {
    let (port, requests) = serve_tls();
    let output = run_against(port, Some(&Path::new(FIXTURES).join("ca.pem")));
    let out = text(&output);
    assert!(
        out.contains("rejected the API key before any scenario ran: HTTP 401 with code 1801"),
        "the server's answer was read over TLS: {out}"
    );
    assert_eq!(requests.load(Ordering::SeqCst), 1, "{out}");
}
