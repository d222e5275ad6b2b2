//! The `imsbridge` command. Everything it does lives in the library; this only hands over.

fn main() -> std::process::ExitCode {
    imsbridge::main()
}
