//! Reads one request per line on stdin and prints each response (a tiny REPL for the
//! dispatcher; the `wty` CLI is the full tool).
use std::io::BufRead;

fn main() {
    let mut engine = warranty_core::Engine::new();
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        println!("{}", engine.call(&line));
    }
}
