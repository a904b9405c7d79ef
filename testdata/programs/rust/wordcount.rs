//! wordcount: counts lines, words and bytes of a file in a preopened directory (or of stdin with
//! `-`), like `wc`, and can append a summary line to a log file.
//! Usage: wordcount <file|-> [--log <file>]
//! Exit codes: 0 done, 1 usage error, 2 cannot read the input, 3 cannot write the log.
//! WORDCOUNT_LABEL (environment), when set, prefixes the summary.
use std::env;
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::process::exit;

fn usage() -> ! {
    eprintln!("usage: wordcount <file|-> [--log <file>]");
    exit(1);
}

fn main() {
    let args: Vec<String> = env::args().collect();
    let (input, log) = match args.len() {
        2 => (args[1].clone(), None),
        4 if args[2] == "--log" => (args[1].clone(), Some(args[3].clone())),
        _ => usage(),
    };
    let mut data = Vec::new();
    let read = if input == "-" { io::stdin().read_to_end(&mut data).map(|_| ()) } else { fs::read(&input).map(|d| data = d) };
    if let Err(e) = read {
        eprintln!("wordcount: cannot read {}: {}", input, e);
        exit(2);
    }
    let text = String::from_utf8_lossy(&data);
    let lines = data.iter().filter(|b| **b == b'\n').count();
    let words = text.split_whitespace().count();
    let label = env::var("WORDCOUNT_LABEL").unwrap_or_default();
    let summary = format!("{}{} {} {} {}", if label.is_empty() { String::new() } else { format!("{}: ", label) }, lines, words, data.len(), input);
    println!("{}", summary);
    if let Some(path) = log {
        let written = OpenOptions::new().create(true).append(true).open(&path).and_then(|mut f| writeln!(f, "{}", summary));
        if let Err(e) = written {
            eprintln!("wordcount: cannot write {}: {}", path, e);
            exit(3);
        }
    }
}
