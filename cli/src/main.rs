//! `wty`: the warranty library from the shell. See `wty --help`.

mod demo;

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use warranty_core::protocol::conformance::Case;
use warranty_core::Engine;

const USAGE: &str = "\
wty — warranty rules from the shell (protocol v1)

USAGE:
    wty call [FILE]             one JSON request from FILE (or stdin), one response on stdout
    wty call --ndjson [FILE]    one request per line, one response line each, through one engine
    wty conformance DIR|FILE…   run conformance vectors and scenarios; print failures, then
                                `N passed, N failed`
    wty demo                    the main job on the bundled example data
    wty serve [--config FILE] [--listen HOST:PORT] [--db FILE]
                                the HTTP/JSON integration service on SQLite (docs/serve.md;
                                default config examples/serve.toml)
    wty --version | --help

EXIT CODES:
    0  success (`call`: the response is ok:true; `conformance`: every vector passed)
    1  `call`: the response is ok:false; `conformance`: some vector failed
    2  usage error (unknown command or flag; `serve`: a configuration error)
    3  I/O error (a file or stdin could not be read, stdout could not be written)

The request and response formats are in PROTOCOL.md and docs/protocol.md.";

enum Failure {
    Usage(String),
    Io(String),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(Failure::Usage(m)) => {
            eprintln!("wty: {m}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Io(m)) => {
            eprintln!("wty: {m}");
            ExitCode::from(3)
        }
    }
}

fn run(args: &[String]) -> Result<u8, Failure> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(Failure::Usage("no command given".into()));
    };
    match cmd.as_str() {
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(0)
        }
        "-V" | "--version" | "version" => {
            println!("wty {}", warranty_core::VERSION);
            Ok(0)
        }
        "call" => cmd_call(rest),
        "conformance" => cmd_conformance(rest),
        "serve" => Ok(u8::try_from(warranty_server::main_with_args(rest)).unwrap_or(2)),
        "demo" => {
            if let Some(a) = rest.first() {
                return Err(Failure::Usage(format!(
                    "`demo` takes no argument, got `{a}`"
                )));
            }
            demo::run().map_err(|e| Failure::Io(format!("cannot write the demo: {e}")))?;
            Ok(0)
        }
        other => Err(Failure::Usage(format!("unknown command `{other}`"))),
    }
}

fn cmd_call(args: &[String]) -> Result<u8, Failure> {
    let mut ndjson = false;
    let mut file: Option<&str> = None;
    for a in args {
        match a.as_str() {
            "--ndjson" => ndjson = true,
            f if f.starts_with('-') && f != "-" => {
                return Err(Failure::Usage(format!("unknown flag `{f}` for `call`")))
            }
            f => {
                if file.replace(f).is_some() {
                    return Err(Failure::Usage("`call` takes at most one FILE".into()));
                }
            }
        }
    }
    let input: Box<dyn Read> = match file {
        None | Some("-") => Box::new(io::stdin().lock()),
        Some(f) => Box::new(
            std::fs::File::open(f).map_err(|e| Failure::Io(format!("cannot open {f}: {e}")))?,
        ),
    };
    let stdout = io::stdout().lock();
    if ndjson {
        stream(input, stdout).map_err(|e| Failure::Io(e.to_string()))?;
        return Ok(0);
    }
    let mut bytes = Vec::new();
    BufReader::new(input)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Io(format!("cannot read the request: {e}")))?;
    let mut response = Vec::with_capacity(256);
    let ok = Engine::new().call_bytes_to(&bytes, &mut response);
    response.push(b'\n');
    let mut out = BufWriter::new(stdout);
    out.write_all(&response)
        .and_then(|_| out.flush())
        .map_err(|e| Failure::Io(e.to_string()))?;
    Ok(if ok { 0 } else { 1 })
}

/// One response line per request line (blank lines are skipped), all through one engine.
/// Output is flushed whenever no more input is buffered, so interactive use works too.
fn stream(input: Box<dyn Read>, stdout: io::StdoutLock<'_>) -> io::Result<()> {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut out = BufWriter::with_capacity(1 << 16, stdout);
    let mut engine = Engine::new();
    let mut line = Vec::with_capacity(1024);
    let mut response: Vec<u8> = Vec::with_capacity(1024);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        response.clear();
        if engine.call_line(&line, &mut response).is_none() {
            continue;
        }
        out.write_all(&response)?;
        if reader.buffer().is_empty() {
            out.flush()?;
        }
    }
    out.flush()
}

fn vector_files(arg: &str, out: &mut Vec<PathBuf>) -> Result<(), Failure> {
    let p = Path::new(arg);
    if p.is_file() {
        out.push(p.to_path_buf());
        return Ok(());
    }
    let rd = std::fs::read_dir(p).map_err(|e| Failure::Io(format!("cannot read {arg}: {e}")))?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    out.extend(files);
    Ok(())
}

/// Runs `f`, turning a panic into `Err(its message)`: a vector that panics the library is a
/// failed vector, and the run goes on with the next one.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

fn cmd_conformance(args: &[String]) -> Result<u8, Failure> {
    if args.is_empty() {
        return Err(Failure::Usage(
            "`conformance` needs at least one DIR or FILE".into(),
        ));
    }
    let mut files = Vec::new();
    for a in args {
        vector_files(a, &mut files)?;
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    for f in &files {
        let text = std::fs::read_to_string(f)
            .map_err(|e| Failure::Io(format!("cannot read {}: {e}", f.display())))?;
        let case = match Case::parse(&text) {
            Ok(c) => c,
            Err(e) => {
                failed += 1;
                println!("FAIL {}: not a vector or scenario: {e}", f.display());
                continue;
            }
        };
        match guarded(|| case.run()) {
            Ok(Ok(())) => passed += 1,
            Err(why) => {
                failed += 1;
                println!("FAIL {} ({}): panicked: {why}", case.name, f.display());
            }
            Ok(Err(fail)) => {
                failed += 1;
                if case.steps.len() > 1 {
                    println!(
                        "FAIL {} ({}), step {}",
                        case.name,
                        f.display(),
                        fail.step + 1
                    );
                } else {
                    println!("FAIL {} ({})", case.name, f.display());
                }
                for d in fail.mismatches {
                    println!("  - {d}");
                }
                println!("  response: {}", fail.response);
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 && passed > 0 { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::guarded;

    #[test]
    fn a_panic_is_a_failure_with_its_message_and_the_run_goes_on() {
        #[allow(clippy::panic, reason = "the panic under test")]
        let boom = guarded(|| -> u8 { panic!("Addition overflowed") });
        assert_eq!(boom, Err("Addition overflowed".to_string()));
        #[allow(clippy::panic, reason = "the panic under test")]
        let formatted = guarded(|| -> u8 { panic!("{} overflowed", "Addition") });
        assert_eq!(formatted, Err("Addition overflowed".to_string()));
        assert_eq!(guarded(|| 7), Ok(7));
    }
}
