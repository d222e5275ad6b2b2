//! Connections: a flood of connections that never finish their request head cannot keep
//! `/healthz` waiting.

use std::time::Duration;

use imsbridge_server::Settings;
use reqwest::{Method, StatusCode};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::common::{Backend, TestApp};

#[tokio::test]
async fn an_idle_connection_flood_cannot_keep_healthz_waiting() {
    let settings = Settings {
        max_connections: 50,
        ..Settings::for_tests()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, settings)
        .await
        .unwrap();
    let addr = app.address.trim_start_matches("http://").to_owned();
    // Four times the limit, each stopping halfway through its head, as a slow-loris would.
    let mut idle = Vec::new();
    for _ in 0..200 {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: a\r\n")
            .await
            .unwrap();
        idle.push(stream);
    }
    // Answered well before hyper's 10-second head timeout would have freed anything.
    let r = tokio::time::timeout(
        Duration::from_secs(5),
        app.anonymous(Method::GET, "/healthz").send(),
    )
    .await
    .expect("/healthz answers during the flood")
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // The longest-idle connections were the ones closed to make room.
    let reads = idle.iter_mut().map(|stream| async move {
        let mut buf = [0u8; 64];
        matches!(
            tokio::time::timeout(Duration::from_millis(500), stream.read(&mut buf)).await,
            Ok(Ok(0))
        )
    });
    let closed = futures::future::join_all(reads)
        .await
        .into_iter()
        .filter(|c| *c)
        .count();
    assert!(
        closed >= 150,
        "only {closed} of 200 idle connections were closed"
    );
    let mut first = [0u8; 64];
    assert_eq!(idle[0].read(&mut first).await.unwrap(), 0);
    app.stop().await;
}
