//! Runs the emulator like `imsbridge emulator`, for working on this crate alone:
//! `cargo run -p imsbridge-emulator --example emulator_serve -- --listen 127.0.0.1:0`.
//! (A leading `emulator` argument is ignored, so it can stand in for the CLI binary.)

use std::net::SocketAddr;

use imsbridge_emulator::{ServeOptions, serve};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut listen: SocketAddr = "127.0.0.1:0".parse()?;
    let mut state_file = None;
    let mut token_lifetime = imsbridge_emulator::DEFAULT_TOKEN_LIFETIME;
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("emulator") {
        args.next();
    }
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = args.next().ok_or("--listen needs ADDR")?.parse()?,
            "--state" => state_file = Some(args.next().ok_or("--state needs FILE")?.into()),
            "--token-lifetime-secs" => {
                let secs: u64 = args
                    .next()
                    .ok_or("--token-lifetime-secs needs N")?
                    .parse()?;
                token_lifetime = std::time::Duration::from_secs(secs);
                imsbridge_emulator::check_token_lifetime(token_lifetime)?;
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    serve(ServeOptions {
        listen,
        state_file,
        token_lifetime,
    })
    .await?;
    Ok(())
}
