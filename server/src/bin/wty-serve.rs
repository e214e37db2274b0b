//! `wty-serve`: the same as `wty serve` (docs/serve.md).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(warranty_server::main_with_args(&args));
}
