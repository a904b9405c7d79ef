//! timekeeper: clock, sleep (poll_oneoff), randomness (a HashMap's random seed) and exit codes from Rust std.
//! Usage: timekeeper <elapsed MS | seeds | exit CODE>
//! No or bad arguments: usage message on stderr, exit 1.
use std::collections::hash_map::RandomState;
use std::env;
use std::hash::{BuildHasher, Hasher};
use std::process::exit;
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn usage() -> ! {
    eprintln!("usage: timekeeper <elapsed MS | seeds | exit CODE>");
    exit(1);
}

fn main() {
    let args: Vec<String> = env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("elapsed"), Some(ms)) => {
            let ms: u64 = ms.parse().unwrap_or_else(|_| usage());
            let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
            let start = Instant::now();
            sleep(Duration::from_millis(ms));
            println!("epoch-seconds {}", since_epoch);
            println!("slept-at-least {}", start.elapsed() >= Duration::from_millis(ms));
        }
        (Some("seeds"), None) => {
            // Each RandomState draws its keys from random_get; two of them almost surely differ.
            let hash = |s: &RandomState| {
                let mut h = s.build_hasher();
                h.write_u32(7);
                h.finish()
            };
            let (a, b) = (RandomState::new(), RandomState::new());
            println!("{:016x} {:016x}", hash(&a), hash(&b));
        }
        (Some("exit"), Some(code)) => exit(code.parse().unwrap_or_else(|_| usage())),
        _ => usage(),
    }
}
