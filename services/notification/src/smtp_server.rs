//! The inbound SMTP server's connection handling, around `mailin`'s protocol
//! state machine: who may connect, how many at once, and for how long.
//!
//! `mailin-embedded` (used before) queued connections beyond its thread pool
//! unanswered and let an idle client hold a thread for five minutes, so 32
//! idle connections starved the listener; its lines had no length limit.
//! Here every connection gets its own thread up to a cap, above which it is
//! told `421` at once; each command (and each line of a message) must come
//! within the idle timeout, the whole connection within the session limit,
//! and no line may exceed `LINE_MAX`.
use std::io::{self, BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mailin::{Action, Handler, Response, SessionBuilder};

use crate::relay::TrustedRelays;

/// Longest line taken: RFC 5321 allows 1000 octets; some clients exceed it.
const LINE_MAX: usize = 64 * 1024;
/// How long a refusal at connect time may take to write.
const REFUSAL_WRITE: Duration = Duration::from_secs(5);

/// What bounds the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once; more are answered 421.
    pub sessions: usize,
    /// Longest wait for a client's next line.
    pub idle: Duration,
    /// Longest connection.
    pub session: Duration,
}

/// Serves `listener` on the calling thread until the process ends. A peer
/// outside `relays` is answered 554 and disconnected; after `closed` is set,
/// every new connection is answered 421.
pub fn serve<H>(
    listener: TcpListener,
    name: String,
    handler: H,
    relays: TrustedRelays,
    limits: Limits,
    closed: Arc<AtomicBool>,
) where
    H: Handler + Clone + Send + 'static,
{
    let builder = SessionBuilder::new(name);
    let active = Arc::new(AtomicUsize::new(0));
    for conn in listener.incoming() {
        let stream = match conn {
            Ok(s) => s,
            Err(e) => {
                // Out of file descriptors, say: do not spin.
                tracing::warn!(error = %e, "inbound SMTP accept failed");
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        let peer = match stream.peer_addr() {
            Ok(a) => a.ip(),
            Err(_) => continue,
        };
        if closed.load(Ordering::SeqCst) {
            refuse(stream, "421 4.3.2 shutting down, please try again later");
            continue;
        }
        if !relays.allows(peer) {
            // Mail must come through the relay that checks its sender.
            tracing::info!(%peer, "inbound SMTP from an untrusted peer refused");
            refuse(stream, "554 5.7.1 mail is not taken from this host");
            continue;
        }
        if active.fetch_add(1, Ordering::SeqCst) >= limits.sessions {
            active.fetch_sub(1, Ordering::SeqCst);
            tracing::warn!(%peer, "inbound SMTP busy, connection refused");
            refuse(
                stream,
                "421 4.3.2 too many connections, please try again later",
            );
            continue;
        }
        let slot = Slot(active.clone());
        let (builder, handler, limits) = (builder.clone(), handler.clone(), limits.clone());
        let spawned = std::thread::Builder::new()
            .name("inbound-smtp-session".into())
            .spawn(move || {
                let _slot = slot;
                if let Err(e) = session(stream, peer, &builder, handler, &limits) {
                    tracing::debug!(%peer, error = %e, "inbound SMTP session ended");
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "inbound SMTP session thread not started");
        }
    }
}

/// Gives a session's place back when its thread ends, however it ends.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn refuse(stream: TcpStream, line: &str) {
    let _ = stream.set_write_timeout(Some(REFUSAL_WRITE));
    let _ = (&stream).write_all(format!("{line}\r\n").as_bytes());
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

fn write(stream: &TcpStream, response: &Response) -> io::Result<()> {
    let mut out = Vec::new();
    response.write_to(&mut out)?;
    let mut w = stream;
    w.write_all(&out)?;
    w.flush()
}

/// Why a line could not be read.
#[derive(Debug)]
enum LineError {
    Timeout,
    TooLong,
    Io(io::Error),
}

/// Reads one line (with its end) into `line`; empty at the end of input.
fn read_line(
    reader: &mut BufReader<&TcpStream>,
    line: &mut Vec<u8>,
    idle: Duration,
    deadline: Instant,
) -> Result<(), LineError> {
    line.clear();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(LineError::Timeout);
        }
        reader
            .get_ref()
            .set_read_timeout(Some(idle.min(left)))
            .map_err(LineError::Io)?;
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(LineError::Timeout);
            }
            Err(e) => return Err(LineError::Io(e)),
        };
        if available.is_empty() {
            return Ok(());
        }
        let (take, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        if line.len() + take > LINE_MAX {
            return Err(LineError::TooLong);
        }
        line.extend_from_slice(available.get(..take).unwrap_or_default());
        reader.consume(take);
        if done {
            return Ok(());
        }
    }
}

fn session<H: Handler>(
    stream: TcpStream,
    peer: IpAddr,
    builder: &SessionBuilder,
    handler: H,
    limits: &Limits,
) -> io::Result<()> {
    let deadline = Instant::now() + limits.session;
    stream.set_write_timeout(Some(limits.idle))?;
    let mut session = builder.build(peer, handler);
    write(&stream, &session.greeting())?;
    let mut reader = BufReader::new(&stream);
    let mut line = Vec::with_capacity(128);
    loop {
        match read_line(&mut reader, &mut line, limits.idle, deadline) {
            Ok(()) if line.is_empty() => return Ok(()),
            Ok(()) => {}
            Err(LineError::Timeout) => {
                let bye = Response::custom(421, "4.4.2 timeout, closing the connection".into());
                return write(&stream, &bye);
            }
            Err(LineError::TooLong) => {
                let bye = Response::custom(500, "5.5.6 line too long".into());
                return write(&stream, &bye);
            }
            Err(LineError::Io(e)) => return Err(e),
        }
        let response = session.process(&line);
        match response.action {
            Action::NoReply => {}
            Action::Reply => write(&stream, &response)?,
            // No STARTTLS is offered: an upgrade cannot be asked for.
            Action::Close | Action::UpgradeTls => return write(&stream, &response),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[derive(Clone)]
    struct Accept;
    impl Handler for Accept {}

    fn start(limits: Limits, relays: &str) -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
        let addr = listener.local_addr().expect("addr");
        let relays = TrustedRelays::parse(relays).expect("relays");
        std::thread::spawn(move || {
            serve(
                listener,
                "test".into(),
                Accept,
                relays,
                limits,
                Arc::new(AtomicBool::new(false)),
            );
        });
        addr
    }

    fn limits() -> Limits {
        Limits {
            sessions: 1,
            idle: Duration::from_millis(400),
            session: Duration::from_secs(30),
        }
    }

    fn first_reply(stream: &mut TcpStream) -> String {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let mut buf = [0u8; 256];
        let n = stream.read(&mut buf).expect("reads");
        String::from_utf8_lossy(buf.get(..n).unwrap_or_default()).into_owned()
    }

    fn rest(stream: &mut TcpStream) -> String {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let mut all = String::new();
        let _ = stream.read_to_string(&mut all);
        all
    }

    #[test]
    fn an_idle_client_is_dropped_and_a_second_one_waits_for_no_one() {
        let addr = start(limits(), "127.0.0.1");
        let mut idle = TcpStream::connect(addr).expect("connects");
        assert!(first_reply(&mut idle).starts_with("220 "));
        // The one session is taken: the next client hears so at once.
        let mut second = TcpStream::connect(addr).expect("connects");
        assert!(first_reply(&mut second).starts_with("421 4.3.2 too many"));
        // The idle one is dropped after the idle timeout, freeing the place.
        assert!(rest(&mut idle).starts_with("421 4.4.2 timeout"));
        std::thread::sleep(Duration::from_millis(100));
        let mut third = TcpStream::connect(addr).expect("connects");
        assert!(first_reply(&mut third).starts_with("220 "));
    }

    #[test]
    fn a_slow_client_is_dropped_at_the_session_limit() {
        let addr = start(
            Limits {
                sessions: 4,
                idle: Duration::from_secs(5),
                session: Duration::from_millis(600),
            },
            "127.0.0.1",
        );
        let mut slow = TcpStream::connect(addr).expect("connects");
        assert!(first_reply(&mut slow).starts_with("220 "));
        // One byte at a time, each within the idle timeout.
        let started = Instant::now();
        let mut said = String::new();
        slow.set_read_timeout(Some(Duration::from_millis(100)))
            .expect("timeout");
        for b in b"HELO slowly.example.com" {
            if slow.write_all(&[*b]).is_err() {
                break;
            }
            let mut buf = [0u8; 256];
            if let Ok(n) = slow.read(&mut buf)
                && n > 0
            {
                said.push_str(&String::from_utf8_lossy(buf.get(..n).unwrap_or_default()));
                break;
            }
        }
        assert!(said.contains("421 4.4.2 timeout"), "{said}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn over_long_lines_and_untrusted_peers_are_refused() {
        let addr = start(limits(), "127.0.0.1");
        let mut long = TcpStream::connect(addr).expect("connects");
        assert!(first_reply(&mut long).starts_with("220 "));
        // One byte over: all of it is read, so the close is clean (no reset).
        let _ = long.write_all(&vec![b'a'; LINE_MAX + 1]);
        assert!(rest(&mut long).starts_with("500 5.5.6"));

        let addr = start(limits(), "10.0.0.0/8");
        let mut stranger = TcpStream::connect(addr).expect("connects");
        assert!(first_reply(&mut stranger).starts_with("554 5.7.1"));
    }
}
