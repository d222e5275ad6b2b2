use imsbridge_emulator::{ServeOptions, serve};

use crate::cli::EmulatorArgs;

/// `imsbridge emulator`: serves the emulator until interrupted.
pub async fn run(args: EmulatorArgs) -> anyhow::Result<()> {
    serve(ServeOptions {
        listen: args.listen,
        state_file: args.state,
        token_lifetime: std::time::Duration::from_secs(args.token_lifetime_secs),
    })
    .await?;
    Ok(())
}
