//! Time to the first screen's data over a slow link, in round trips. A latency proxy adds
//! `WHARF_BENCH_DELAY_MS` (default 100) per direction, and a round trip to every new
//! connection, between wharf's engine client and the engine. For each way of reaching an
//! engine — plain tcp, TLS (socat in front of the engine socket, client certificate
//! required), ssh (a test sshd, the proxy between ssh and sshd) — it opens a new `Engine`
//! and issues the first screen's four requests at once: version (`identify`), images,
//! containers and the event subscription (until the engine accepts it): "first screen" on a
//! new engine handle (new connections, and for ssh the login). "refresh" then asks for
//! version, images and containers again while the event stream stays open (pooled
//! connections). Target: the first screen within 2.5 round trips.
//!
//! `cargo bench --bench remote_latency` (WHARF_BENCH_RUNS=N, default 5). Skips with a
//! message without an engine (fails under CI=true); skips TLS without socat and ssh
//! without sshd.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/engine.rs"]
#[allow(dead_code)]
mod engine;
#[path = "../tests/support/net.rs"]
mod net;
#[path = "../tests/support/sshd.rs"]
mod sshd;
#[path = "../tests/support/tls.rs"]
mod tls;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use net::{LatencyProxy, Upstream};
use wharf::docker::target::{EngineTarget, TargetSource, TlsFiles};
use wharf::docker::{ConnectOptions, Engine};

/// The event stream a first screen leaves open, as the UI keeps it.
type Subscription = Box<dyn std::any::Any + Send>;

/// One first screen: the four requests issued together; the time until all answered, and
/// the open event subscription.
async fn first_screen(engine: &Engine) -> (Duration, Subscription) {
    let since = chrono::Utc::now().timestamp();
    let started = Instant::now();
    let (version, images, containers, events) = tokio::join!(
        engine.identify(),
        engine.list_images(),
        engine.list_containers(),
        engine.subscribe_events(since),
    );
    let elapsed = started.elapsed();
    version.expect("version");
    images.expect("images");
    containers.expect("containers");
    (
        elapsed,
        Box::new(Box::pin(events.expect("events subscription"))),
    )
}

/// A refresh while the event stream stays open: version, images and containers again,
/// on the connections the first screen left in the pool.
async fn refresh(engine: &Engine) -> Duration {
    let started = Instant::now();
    let (version, images, containers) = tokio::join!(
        engine.identify(),
        engine.list_images(),
        engine.list_containers(),
    );
    let elapsed = started.elapsed();
    version.expect("version");
    images.expect("images");
    containers.expect("containers");
    elapsed
}

struct Scenario {
    name: &'static str,
    target: EngineTarget,
    options: ConnectOptions,
}

async fn measure(scenario: &Scenario, runs: usize, rtt: Duration) {
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for run in 0..runs + 1 {
        let engine = Engine::open_with(&scenario.target, &scenario.options).expect("open");
        let (first, events) = first_screen(&engine).await;
        let second = refresh(&engine).await;
        if run > 0 {
            // The first run warms caches on both ends (binaries, the engine's lists).
            cold.push(first);
            warm.push(second);
        }
        drop(events);
        drop(engine);
    }
    report(&format!("{} first screen", scenario.name), &mut cold, rtt);
    report(&format!("{} refresh", scenario.name), &mut warm, rtt);
}

fn report(what: &str, values: &mut [Duration], rtt: Duration) {
    values.sort();
    let median = values[values.len() / 2];
    let in_rtt = |d: Duration| d.as_secs_f64() / rtt.as_secs_f64();
    println!(
        "  {what:<17} median {:>7.1} ms = {:>4.2} RTT   (min {:.1} ms = {:.2} RTT, max {:.1} ms = {:.2} RTT)",
        median.as_secs_f64() * 1000.0,
        in_rtt(median),
        values[0].as_secs_f64() * 1000.0,
        in_rtt(values[0]),
        values[values.len() - 1].as_secs_f64() * 1000.0,
        in_rtt(values[values.len() - 1]),
    );
}

fn target(host: String, tls: Option<TlsFiles>) -> EngineTarget {
    EngineTarget {
        host,
        source: TargetSource::HostFlag,
        tls,
    }
}

fn main() {
    let runs: usize = std::env::var("WHARF_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let one_way = Duration::from_millis(
        std::env::var("WHARF_BENCH_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100),
    );
    let rtt = one_way * 2;
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            let Some(local) = engine::engine_or_skip().await else {
                return;
            };
            let Some(socket) = local.host().strip_prefix("unix://").map(PathBuf::from) else {
                println!("skipping: the local engine is not on a unix socket");
                return;
            };
            let images = local.list_images().await.map(|l| l.len()).unwrap_or(0);
            let containers = local.list_containers().await.map(|l| l.len()).unwrap_or(0);
            println!(
                "remote_latency: {} ms per direction (RTT {} ms), {runs} runs after 1 warm-up, \
                 {images} images, {containers} containers",
                one_way.as_millis(),
                rtt.as_millis()
            );

            // Plain tcp: the proxy in front of the engine socket.
            let proxy = LatencyProxy::start(Upstream::Unix(socket.clone()), one_way).await;
            let tcp = Scenario {
                name: "tcp",
                target: target(format!("tcp://127.0.0.1:{}", proxy.port()), None),
                options: ConnectOptions::default(),
            };
            measure(&tcp, runs, rtt).await;
            drop(proxy);

            // TLS: socat terminates TLS in front of the socket; the proxy in front of socat.
            if tls::socat_available() {
                let pki = tls::TestPki::new();
                let endpoint = tls::TlsEndpoint::start(&pki, &socket, false);
                let port: u16 = endpoint
                    .address()
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap();
                let proxy = LatencyProxy::start(Upstream::Tcp(port), one_way).await;
                let files = pki.client_files(tls::ClientCert::Valid, tls::ServerTrust::RightCa);
                let scenario = Scenario {
                    name: "tls",
                    target: target(format!("tcp://127.0.0.1:{}", proxy.port()), Some(files)),
                    options: ConnectOptions::default(),
                };
                measure(&scenario, runs, rtt).await;
            } else {
                println!("  tls: skipped (no socat)");
            }

            // ssh: the proxy between ssh and sshd; dial-stdio on the far side.
            if sshd::sshd_available() {
                let server = sshd::TestSshd::start(local.host());
                let proxy = LatencyProxy::start(Upstream::Tcp(server.port()), one_way).await;
                let address = server.address().replace(
                    &format!(":{}", server.port()),
                    &format!(":{}", proxy.port()),
                );
                let scenario = Scenario {
                    name: "ssh",
                    target: target(address, None),
                    options: ConnectOptions {
                        ssh: server.ssh_options_via(proxy.port()),
                    },
                };
                measure(&scenario, runs, rtt).await;
            } else {
                println!("  ssh: skipped (no sshd)");
            }

            // The same four requests one after another over a warm tcp handle, for scale.
            let proxy = LatencyProxy::start(Upstream::Unix(socket), one_way).await;
            let engine = Engine::open(&tcp_target(proxy.port())).unwrap();
            let _events = first_screen(&engine).await;
            let started = Instant::now();
            engine.identify().await.unwrap();
            engine.list_images().await.unwrap();
            engine.list_containers().await.unwrap();
            drop(
                engine
                    .subscribe_events(chrono::Utc::now().timestamp())
                    .await
                    .unwrap(),
            );
            let chained = started.elapsed();
            println!(
                "  for scale: the four chained on a warm tcp handle take {:.1} ms = {:.2} RTT",
                chained.as_secs_f64() * 1000.0,
                chained.as_secs_f64() / rtt.as_secs_f64()
            );
        });
}

fn tcp_target(port: u16) -> EngineTarget {
    target(format!("tcp://127.0.0.1:{port}"), None)
}
